// The lineage walk on a real database: the three strategies (recursive CTE, frontier by frontier,
// staged level by level in temporary tables),
// backward and forward, shortest depths, the depth cap, cycles, retracted edges and ended packing links.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { type Db, queryRows } from '../../src/db/client.js';
import { lineageEdges } from '../../src/db/schema.js';
import {
  createLineageRepository,
  type Direction,
  type PackingLinks,
  type ReachedNode,
  stageReachable,
} from '../../src/lineage/repository.js';
import { createChain, diamond } from '../fixtures/chain.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const database = await openTestDatabase(t);
const chain = createChain(database);
const lineage = createLineageRepository(database.db);
const plant = await chain.party('processor');
const product = await plant.product('kg');

const depths = (nodes: ReachedNode[]) =>
  Object.fromEntries([...nodes].sort((x, y) => x.code.localeCompare(y.code)).map((n) => [n.code, n.depth]));

/** The walk staged level by level in a temporary table, read back before its transaction ends. */
const staged = (start: string[], direction: Direction, maxDepth: number, packing: PackingLinks = 'history') =>
  database.db.transaction(async (tx) => {
    await stageReachable(tx as unknown as Db, 'walked', start, direction, maxDepth, packing);
    return queryRows<ReachedNode>(tx as unknown as Db, sql`select code, depth from walked`);
  });

/** The three strategies, which must agree; returns code → shortest depth. */
async function walk(t: Test, start: string[], direction: Direction, maxDepth = 30) {
  const cte = depths(await lineage.reachable(start, direction, maxDepth));
  t.same(depths(await lineage.reachableByFrontier(start, direction, maxDepth)), cte, `frontier = recursive CTE (${direction})`);
  t.same(depths(await staged(start, direction, maxDepth)), cte, `staged level by level = recursive CTE (${direction})`);
  return cte;
}

t.test('backward to the inputs and forward to the outputs, each node once at its shortest depth', async (t) => {
  const d = await diamond(plant, product);
  t.same(await walk(t, [d.r], 'backward'), { [d.r]: 0, [d.a]: 1, [d.b]: 1, [d.s]: 2, [d.f1]: 3, [d.f2]: 3 });
  t.same(await walk(t, [d.f1], 'forward'), { [d.f1]: 0, [d.s]: 1, [d.a]: 2, [d.b]: 2, [d.r]: 3 }, 'never sideways to the other input');
  t.same(await walk(t, [d.a, d.b], 'backward'), { [d.a]: 0, [d.b]: 0, [d.s]: 1, [d.f1]: 2, [d.f2]: 2 }, 'from several lots at once');
  t.same(await walk(t, [d.a, 'BNOSUCHLOT00'], 'backward'), { [d.a]: 0, [d.s]: 1, [d.f1]: 2, [d.f2]: 2 }, 'unknown start codes are ignored');
  t.same(await lineage.reachable([], 'forward', 30), [], 'no start, no walk');
  for (const direction of ['backward', 'forward'] as const) for (const start of [d.r, d.s, d.f1]) await walk(t, [start], direction);
});

t.test('the depth cap bounds the walk', async (t) => {
  const d = await diamond(plant, product);
  t.same(await walk(t, [d.r], 'backward', 1), { [d.r]: 0, [d.a]: 1, [d.b]: 1 });
  t.same(await walk(t, [d.r], 'backward', 0), { [d.r]: 0 }, 'depth 0 is the start alone');
});

t.test('a cycle in the edges ends the walk (the writer refuses them; imported or old data may not)', async (t) => {
  const d = await diamond(plant, product);
  const [edge] = await database.db.select().from(lineageEdges).limit(1);
  await database.db
    .insert(lineageEdges)
    .values({ ...edge, upstreamCode: d.r, downstreamCode: d.f1, endedByEventId: null, retractedByEventId: null });
  t.same(await walk(t, [d.f1], 'forward'), { [d.f1]: 0, [d.s]: 1, [d.a]: 2, [d.b]: 2, [d.r]: 3 }, 'forward around the loop once');
  t.same(await walk(t, [d.f1], 'backward'), { [d.f1]: 0, [d.r]: 1, [d.a]: 2, [d.b]: 2, [d.s]: 3, [d.f2]: 4 }, 'backward through it');
});

t.test('edges retracted by a correction are not walked', async (t) => {
  const input = await plant.commission(product, 5);
  const made = await plant.event({
    type: 'transform',
    inputs: [{ lotCode: input, quantity: 5 }],
    outputs: [{ productCode: product, quantity: 5 }],
  });
  const [output] = made.createdLotCodes;
  t.same(await walk(t, [output], 'backward'), { [output]: 0, [input]: 1 });
  await plant.event({ type: 'correction', correctsEventId: made.event.id, reason: 'never made' });
  t.same(await walk(t, [output], 'backward'), { [output]: 0 });
  t.same(await walk(t, [input], 'forward'), { [input]: 0 });
});

t.test('a packing link an unpacking ended is walked as history, and not when only current links are followed', async (t) => {
  const [lot, beside] = [await plant.commission(product, 5), await plant.commission(product, 5)];
  const pack = async () =>
    (
      await plant.event({
        type: 'aggregate',
        parent: {},
        children: [
          { lotCode: lot, quantity: 1 },
          { lotCode: beside, quantity: 1 },
        ],
      })
    ).createdLotCodes[0];
  const [emptied, full] = [await pack(), await pack()];
  const pallet = (await plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: emptied }] })).createdLotCodes[0];
  await plant.event({ type: 'disaggregate', parentCode: emptied, children: [lot] });
  t.same(
    await walk(t, [lot], 'forward'),
    { [lot]: 0, [emptied]: 1, [full]: 1, [pallet]: 2 },
    'history: the case it was taken out of, and the pallet that case lies on',
  );
  t.same(depths(await staged([lot], 'forward', 30, 'current')), { [lot]: 0, [full]: 1 }, 'current: only the case it lies in');
  t.same(
    depths(await staged([beside], 'forward', 30, 'current')),
    { [beside]: 0, [emptied]: 1, [full]: 1, [pallet]: 2 },
    'the other lot still lies in both cases',
  );
});
