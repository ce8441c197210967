// The writer's round trips do not grow with the batch: a batch of 100 events sends the same
// statements as a batch of 10 (reference look-ups batched up front, one statement storing it
// all), native events sent at the same time share one transaction, and one native event takes a
// handful of statements and reads nothing back.
import { createRepositories } from '../../src/app.js';
import { completeGs1 } from '../../src/codes/gs1.js';
import type { Database } from '../../src/db/client.js';
import { captureEvents } from '../../src/epcis/capture.js';
import type { WriteRequest } from '../../src/events/writer/index.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** How many statements of each kind (its first words) `work` sends. */
async function statementsOf(database: Database, work: () => Promise<unknown>): Promise<Record<string, number>> {
  const kinds: Record<string, number> = {};
  const stop = database.stats.observe((query) => {
    const kind = query.text.replace(/\s+/g, ' ').trim().toLowerCase().slice(0, 40);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  });
  try {
    await work();
  } finally {
    stop();
  }
  return kinds;
}

/**
 * No webhook subscription rounds, RFID gate rounds nor job lease rounds (every 10 s on PostgreSQL), each
 * sending statements of its own, while statements are counted.
 */
const QUIET = { subscriptionTickMs: 3_600_000, rfidTickMs: 0, jobLeaseSeconds: 3_600 };

const total = (kinds: Record<string, number>) => Object.values(kinds).reduce((sum, count) => sum + count, 0);

t.test('a batch of 100 native events sends the same statements as a batch of 10', async (t) => {
  const world = await createWorld(t, undefined, QUIET);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const kg = await plant.product('kg');
  const writer = eventWriterOn(world.database);
  const write = (requests: WriteRequest[]) =>
    world.database.db.transaction(async (tx) => {
      const outcomes = await writer.write(tx as never, requests, 'rollback');
      t.ok(
        outcomes.every((outcome) => outcome.ok),
        'every event is stored',
      );
      return outcomes;
    });
  const request = (hour: number, action: WriteRequest['action']): WriteRequest => ({
    actor: plant.code,
    action,
    context: { eventTime: at(hour) },
  });

  const runs = [];
  for (const size of [10, 100]) {
    const commissions = Array.from({ length: size }, (_, i) =>
      request(i, { type: 'commission', lots: [{ productCode: kg, quantity: 100, lotNumber: `L${size}-${i}` }] }),
    );
    let lots: string[] = [];
    const commissioned = await statementsOf(world.database, async () => {
      lots = (await write(commissions)).flatMap((outcome) => (outcome.ok ? outcome.createdLotCodes : []));
    });
    // each lot is used by a different kind of event: transformed, packed, shipped and sold
    const uses = lots.map((lotCode, i) => {
      const hour = size + i;
      switch (i % 4) {
        case 0:
          return request(hour, { type: 'transform', inputs: [{ lotCode, quantity: 50 }], outputs: [{ productCode: kg, quantity: 40 }] });
        case 1:
          return request(hour, { type: 'aggregate', parent: {}, children: [{ lotCode, quantity: 30 }] });
        case 2:
          return request(hour, { type: 'ship', toPartyCode: store.code, lines: [{ lotCode, quantity: 20 }] });
        default:
          return request(hour, { type: 'sell', lines: [{ lotCode, quantity: 10 }] });
      }
    });
    const used = await statementsOf(world.database, () => write(uses));
    runs.push({ commissioned, used });
  }
  const [ten, hundred] = runs;
  t.same(hundred.commissioned, ten.commissioned, 'commissioning: the same statements for 100 events as for 10');
  t.same(hundred.used, ten.used, 'using lots: the same statements for 100 events as for 10');
  // one of them locks the acting parties' audit chain heads; the audit entries ride in the storing statement
  t.ok(total(hundred.used) <= 12, `a batch using lots sends a handful of statements (${total(hundred.used)})`);
  const headLocks = Object.entries(hundred.used).filter(([kind]) => kind.startsWith('insert into audit_heads'));
  t.same(
    headLocks.map(([, count]) => count),
    [1],
    'the audit chain heads are locked once per batch',
  );
});

t.test('a proceed batch of 100 native events, 10 of them refused, sends the same statements as one of 10 with 1', async (t) => {
  const world = await createWorld(t, undefined, QUIET);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const kg = await plant.product('kg');
  const writer = eventWriterOn(world.database);
  const runs = [];
  for (const size of [10, 100]) {
    // the plant holds the lot until it ships it all at `from` and again an hour after the store sends it
    // back 10 hours later: none in between, when every tenth sale is dated
    const from = size * 2;
    const lot = await plant.commission(kg, 1000);
    const hand = async (from: typeof plant, to: typeof plant, hour: number) => {
      const { shipmentId } = await world.ok(
        from.event({ type: 'ship', eventTime: at(hour), toPartyCode: to.code, lines: [{ lotCode: lot }] }),
      );
      await world.ok(to.event({ type: 'receive', eventTime: at(hour + 1), shipmentId }));
    };
    await hand(plant, store, from);
    await hand(store, plant, from + 10);
    const sales: WriteRequest[] = Array.from({ length: size }, (_, i) => ({
      actor: plant.code,
      action: { type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] },
      context: { eventTime: at(i % 10 === 9 ? from + 5 : from + 12 + i / 100) },
    }));
    let outcomes: Awaited<ReturnType<typeof writer.write>> = [];
    const statements = await statementsOf(world.database, () =>
      world.database.db.transaction(async (tx) => {
        outcomes = await writer.write(tx as never, sales, 'proceed');
      }),
    );
    t.same(
      outcomes.flatMap((outcome, i) => (outcome.ok ? [] : [[i, outcome.problem.slug]])),
      Array.from({ length: size / 10 }, (_, i) => [10 * i + 9, 'not-held-at-event-time']),
      `${size} sales: every tenth refused, dated while the plant held none of the lot`,
    );
    runs.push(statements);
  }
  const [ten, hundred] = runs;
  t.same(hundred, ten, 'the same statements for 100 events with 10 refused as for 10 with 1');
});

t.test('an EPCIS capture of 100 events sends the same statements as one of 10', async (t) => {
  const world = await createWorld(t, undefined, QUIET);
  const plant = await world.party('processor');
  const gtin = completeGs1('0690123499991');
  await plant.product('kg', { gtin });
  const repos = createRepositories(world.database);
  const writer = eventWriterOn(world.database);
  const deps = {
    writer,
    identifiers: world.app.services.identifiers,
    epcis: repos.epcis,
    products: repos.products,
    lots: repos.lots,
    publicBaseUrl: TEST_BASE_URL,
  };
  const lot = (run: number, i: number) => `https://id.gs1.org/01/${gtin}/10/R${run}-${i}`;
  /** A quarter commissions, a quarter transformations of two lots into one, the rest packing each made lot on a pallet. */
  const document = (run: number, size: number) => {
    const events: Record<string, unknown>[] = [];
    const quarter = size / 4;
    let minute = 0;
    const time = () => new Date(Date.parse('2026-03-01T00:00:00Z') + run * 1_000_000_000 + minute++ * 60_000).toISOString();
    for (let i = 0; i < 2 * quarter; i++)
      events.push({
        type: 'ObjectEvent',
        eventTime: time(),
        eventTimeZoneOffset: '+08:00',
        action: 'ADD',
        bizStep: 'commissioning',
        quantityList: [{ epcClass: lot(run, i), quantity: 10, uom: 'KGM' }],
      });
    for (let j = 0; j < quarter; j++)
      events.push({
        type: 'TransformationEvent',
        eventTime: time(),
        eventTimeZoneOffset: '+08:00',
        inputQuantityList: [
          { epcClass: lot(run, 2 * j), quantity: 10, uom: 'KGM' },
          { epcClass: lot(run, 2 * j + 1), quantity: 10, uom: 'KGM' },
        ],
        outputQuantityList: [{ epcClass: lot(run, 1000 + j), quantity: 15, uom: 'KGM' }],
      });
    for (let j = 0; j < quarter; j++)
      events.push({
        type: 'AggregationEvent',
        eventTime: time(),
        eventTimeZoneOffset: '+08:00',
        action: 'ADD',
        parentID: `https://id.gs1.org/00/${completeGs1(`06901234${String(run).padStart(2, '0')}${String(j).padStart(7, '0')}`)}`,
        childQuantityList: [{ epcClass: lot(run, 1000 + j), quantity: 15, uom: 'KGM' }],
      });
    return events;
  };
  const capture = (run: number, size: number) =>
    statementsOf(world.database, () =>
      world.database.db.transaction(async (tx) => {
        const outcomes = await captureEvents(tx as never, deps, {
          events: document(run, size),
          context: null,
          party: plant.code,
          onError: 'rollback',
        });
        t.ok(
          outcomes.every((outcome) => outcome.status === 'captured'),
          `all ${size} events captured`,
        );
      }),
    );
  const ten = await capture(1, 12);
  const hundred = await capture(2, 100);
  t.same(hundred, ten, 'the same statements for 100 events as for 12');
});

t.test('native events sent at the same time share a transaction; a rejected one is answered alone', async (t) => {
  const world = await createWorld(t, undefined, QUIET);
  const plant = await world.party('processor');
  const farm = await world.party('farm');
  const kg = await plant.product('kg');
  const feed = await farm.product('kg');
  const lot = await plant.commission(kg, 100);
  const sales = Array.from({ length: 10 }, () => ({ type: 'sell', lines: [{ lotCode: lot, quantity: 15 }] }));
  let transactions = 0;
  const stop = world.database.stats.observe((query) => {
    if (/^begin/i.test(query.text.trim())) transactions++;
  });
  const replies = await Promise.all([
    ...sales.map((body, i) => plant.api.post('/events', { eventTime: at(10 + i), ...body })),
    farm.event({ type: 'commission', lots: [{ productCode: feed, quantity: 5 }] }),
  ]).finally(stop);
  const statuses = replies.map((reply) => reply.status);
  t.equal(statuses.filter((status) => status === 201).length, 6 + 1, 'six sales of 15 kg fit in 100 kg, and the farm’s event');
  t.equal(statuses.filter((status) => status === 409).length, 4, 'the other four are refused, each with its own problem');
  t.match(replies.find((reply) => reply.status === 409)?.body.detail, /only 10 kg/);
  t.ok(transactions < replies.length, `${replies.length} events in ${transactions} transactions`);
  const held = await plant.lot(lot);
  t.equal(held.massBalance.sold, 90, 'what the accepted sales took, no more');
  expectStatus(t, await plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 10 }] }), 201, 'the rest is still there to sell');
});

t.test('one native event: a handful of statements, none reading back what it wrote', async (t) => {
  const world = await createWorld(t, undefined, QUIET);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const kg = await plant.product('kg');
  const lot = await plant.commission(kg, 100);
  for (const body of [
    { type: 'commission', lots: [{ productCode: kg, quantity: 10 }] },
    { type: 'transform', inputs: [{ lotCode: lot, quantity: 10 }], outputs: [{ productCode: kg, quantity: 8 }] },
    { type: 'ship', toPartyCode: store.code, lines: [{ lotCode: lot, quantity: 10 }] },
    { type: 'sell', lines: [{ lotCode: lot, quantity: 10 }] },
  ]) {
    const texts: string[] = [];
    const stop = world.database.stats.observe((query) => {
      // the API key's look-up (cached for a few seconds after its first use) is not the event's
      if (!/from "api_keys"/.test(query.text)) texts.push(query.text.replace(/\s+/g, ' ').trim().toLowerCase());
    });
    const reply = await plant.event(body).finally(stop);
    expectStatus(t, reply, 201, body.type);
    // one more once an open shipment carries the lot: the shipment is read in a statement of its own once locked;
    // the lots' ledgers and the references come in one statement
    const bound = body.type === 'sell' ? 8 : 7;
    t.ok(texts.length <= bound, `${body.type}: ${texts.length} statements, transaction included`);
    const stored = texts.findIndex((text) => text.startsWith('with new_'));
    t.ok(stored >= 0, `${body.type}: one statement stores it all`);
    t.same(texts.slice(stored + 1), ['commit'], `${body.type}: nothing is read after it; the reply is built from what was written`);
  }
});
