import type { Test } from 'tap';
import { seedDemoChain } from '../../seeds/fengjie.js';
import type { Principal } from '../../src/access/index.js';
import { traceSchema } from '../../src/trace/schemas.js';
import { createWorld, type World } from '../fixtures/world.js';
import { buildTestApp } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/**
 * A farm lot handed to a plant, then transformed step by step into a chain of `length` lots; with
 * `offcuts`, each step also makes a lot the chain goes on without, which a backward trace does not reach.
 */
async function chain(world: World, length: number, { offcuts = false } = {}) {
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const pigs = await farm.product('head');
  const meat = await plant.product('kg');
  const codes = [await farm.commission(pigs, 10)];
  await world.handOver(farm, plant, codes[0]);
  await plant.event({ type: 'inspect', lotCodes: [codes[0]], inspection: { kind: 'rapid', result: 'pass' } });
  while (codes.length < length) {
    const outputs = [{ productCode: meat, quantity: 1 }, ...(offcuts ? [{ productCode: meat, quantity: 1 }] : [])];
    const [next] = await plant.transform([{ lotCode: codes[codes.length - 1], quantity: 1 }], outputs);
    codes.push(next);
  }
  return codes;
}

/**
 * A world whose statements are the requests' own: no subscription poller, no RFID gate ticks and no
 * job lease rounds (every 10 s on PostgreSQL), whose statements would be counted with a trace's.
 */
const quietWorld = (t: Test) => createWorld(t, undefined, { subscriptionTickMs: 3_600_000, rfidTickMs: 0, jobLeaseSeconds: 3_600 });

/** The statements a regulator's request sends, and its reply. */
async function statementsOfReply(t: Test, world: World, url: string) {
  let statements = 0;
  // the API key's look-up (cached for a few seconds after its first use) is not the trace's
  const stop = world.database.stats.observe((query) => {
    if (!/from "api_keys"/.test(query.text)) statements++;
  });
  try {
    const reply = await world.regulator.get(url);
    t.equal(reply.status, 200, url);
    return { statements, reply };
  } finally {
    stop();
  }
}

t.test('a trace sends as many statements for 30 lots as for 3', async (t) => {
  const world = await quietWorld(t);
  const short = await chain(world, 3);
  const long = await chain(world, 30);

  const statementsOf = async (url: string) => {
    const { statements, reply } = await statementsOfReply(t, world, url);
    return { statements, nodes: reply.body.nodes.length as number };
  };
  for (const query of ['direction=backward', 'direction=backward&include=graph']) {
    const few = await statementsOf(`/trace/${short[2]}?${query}`);
    const many = await statementsOf(`/trace/${long[29]}?${query}`);
    t.same([few.nodes, many.nodes], [3, 30], `${query}: 3 and 30 lots traced`);
    t.equal(many.statements, few.statements, `${query}: ${few.statements} statements either way`);
  }
  const forwardFew = await statementsOf(`/trace/${short[0]}?direction=forward`);
  const forwardMany = await statementsOf(`/trace/${long[0]}?direction=forward`);
  t.same([forwardFew.nodes, forwardMany.nodes], [3, 30]);
  t.equal(forwardMany.statements, forwardFew.statements, 'forward: the same number of statements');
});

t.test("a trace's CSV sends as many statements for 30 lots, each made with a lot beyond the trace, as for 3", async (t) => {
  const world = await quietWorld(t);
  const short = await chain(world, 3, { offcuts: true });
  const long = await chain(world, 30, { offcuts: true });
  const csvOf = async (code: string) => {
    const { statements, reply } = await statementsOfReply(t, world, `/trace/${code}?format=csv`);
    // the offcuts' rows describe them (their lot's unit), read with the rest
    const offcutRows = (reply.body as string)
      .split('\r\n')
      .filter((row: string) => row.includes(',output,') && row.includes(',1,kg,')).length;
    return { statements, offcutRows };
  };
  const few = await csvOf(short[2]);
  const many = await csvOf(long[29]);
  t.same([few.offcutRows, many.offcutRows], [4, 58], 'every output row of the chain and of its offcuts describes its lot');
  t.equal(many.statements, few.statements, `${few.statements} statements either way`);
});

t.test('the trace route writes exactly what the zod schema would', async (t) => {
  const { app } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const regulator: Principal = { keyId: 'test', role: 'regulator', partyCode: null };
  const farmer: Principal = { keyId: 'test', role: 'operator', partyCode: demo.parties.farm1 };
  for (const [principal, code, direction] of [
    [regulator, demo.retailLotCode, 'backward'],
    [regulator, demo.farmLotCodes[0], 'forward'],
    [farmer, demo.farmLotCodes[0], 'forward'],
  ] as const) {
    for (const include of ['events', 'graph'] as const) {
      const trace = await app.services.trace.trace(principal, code, direction, 30, include);
      t.ok(trace.events.length > 0 || include === 'graph', 'events to compare');
      t.ok(
        trace.parties.some((party) => party.contact !== null),
        'contacts to compare',
      );
      t.equal(JSON.stringify(trace), JSON.stringify(traceSchema.encode(trace)), `${principal.role} ${direction} ${include}`);
    }
  }
});
