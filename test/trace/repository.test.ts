// The trace's reads on a real database: the reached lots in trace order with their distance, and
// the edges among them, read from the side the walk came from.
import { createTraceRepository } from '../../src/trace/repository.js';
import { createChain, diamond } from '../fixtures/chain.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const database = await openTestDatabase(t);
const chain = createChain(database);
const traces = createTraceRepository(database.db);
const plant = await chain.party('processor');
const product = await plant.product('kg');

const d = await diamond(plant, product);
const name = (code: string) => Object.entries(d).find(([, known]) => known === code)?.[0] ?? code;

t.test('lots: every lot reached, nearest first and then by code, with its distance', async (t) => {
  const { lots } = await traces.graph(d.r, 'backward', 30, false);
  const inOrder = [
    [0, d.r],
    [1, d.a],
    [1, d.b],
    [2, d.s],
    [3, d.f1],
    [3, d.f2],
  ].sort(([x, a], [y, b]) => Number(x) - Number(y) || (a < b ? -1 : a > b ? 1 : 0));
  t.same(
    lots.map((lot) => [lot.depth, lot.code]),
    inOrder,
  );
});

t.test('edges: live edges between reached lots, looked up from the side the walk came from', async (t) => {
  const pairs = async (start: string, direction: 'backward' | 'forward', depth: number) =>
    (await traces.graph(start, direction, depth, false)).edges.map((edge) => `${name(edge.from)}>${name(edge.to)}`).sort();
  t.same(await pairs(d.r, 'backward', 1), ['a>r', 'b>r'], 'not the edges into a and b from outside');
  t.same(await pairs(d.f1, 'forward', 1), ['f1>s'], 'not the other input of s');
  t.same(await pairs(d.f1, 'forward', 30), ['a>r', 'b>r', 'f1>s', 's>a', 's>b'], 'nor further on');
  const [edge] = (await traces.graph(d.r, 'backward', 1, false)).edges;
  t.strictSame(Object.keys(edge), [
    'kind',
    'from',
    'to',
    'quantity',
    'unit',
    'eventId',
    'fromPartyCode',
    'toPartyCode',
    'shipmentId',
    'status',
  ]);
  t.equal(edge.quantity, 10);
});

t.test('a large graph is read in transactions planned without parallel workers, and read as a small one is', async (t) => {
  const everyGraphLarge = createTraceRepository(database.db, { largeGraph: 1 });
  /** The reads' statements that keep PostgreSQL from planning parallel workers. */
  const withoutWorkers = async <T>(read: () => Promise<T>) => {
    let settings = 0;
    const stop = database.stats.observe((query) => {
      if (/set local max_parallel_workers_per_gather = 0/.test(query.text)) settings++;
    });
    try {
      return { rows: await read(), settings };
    } finally {
      stop();
    }
  };
  for (const [start, direction] of [
    [d.r, 'backward'],
    [d.f1, 'forward'],
  ] as const) {
    for (const withEvents of [false, true]) {
      const large = await withoutWorkers(() => everyGraphLarge.graph(start, direction, 30, withEvents));
      const small = await withoutWorkers(() => traces.graph(start, direction, 30, withEvents));
      t.equal(large.settings, 5, `${direction}: each of the five reads planned without workers`);
      t.equal(small.settings, 0, `${direction}: a small graph's reads as they are`);
      t.ok(
        large.rows.lots.length > 1 && large.rows.edges.length > 0 && large.rows.holdings.length > 0,
        `${direction}: a graph with lots, edges and holdings`,
      );
      t.same(large.rows, small.rows, `${direction}, events ${withEvents}: the same rows`);
    }
  }
});
