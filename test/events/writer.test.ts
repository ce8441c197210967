// The single event writer's ledger rules, through the native API: exact, never negative
// quantities, packing that uses stock like any other use, consumption that holds under real
// concurrency (on PostgreSQL), and one clock for every door.
import { sql } from 'drizzle-orm';
import { newContainerCode, newLotCode } from '../../src/codes/service-codes.js';
import { queryRows } from '../../src/db/client.js';
import type { WriteRequest } from '../../src/events/writer/index.js';
import { arrayLiteral, jsonbArray } from '../../src/events/writer/repository.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { balanceDifferences } from '../fixtures/ledger.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('quantities are exact: negative, too fine for the unit, or more than remains are refused', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const pieces = await plant.product('piece');
  const meat = await plant.commission(kg, 100);

  const negative = await plant.event({ type: 'sell', lines: [{ lotCode: meat, quantity: -5 }] });
  expectStatus(t, negative, 400, 'a negative quantity');
  t.equal(negative.body.errors[0].pointer, '/lines/0/quantity');

  const tooFine = await plant.event({ type: 'sell', lines: [{ lotCode: meat, quantity: 0.0001 }] });
  expectStatus(t, tooFine, 400, '0.0001 kg is finer than the ledger keeps');
  t.match(tooFine.body.errors[0].detail, /at most 3 decimals for kg/);
  const almostOne = await plant.event({ type: 'sell', lines: [{ lotCode: meat, quantity: 0.9996 }] });
  expectStatus(t, almostOne, 400, '0.9996 kg is not silently rounded to 1.000');

  const halfPiece = await plant.event({ type: 'commission', lots: [{ productCode: pieces, quantity: 1.5 }] });
  expectStatus(t, halfPiece, 400, 'a count unit takes whole numbers');
  t.equal(halfPiece.body.errors[0].pointer, '/lots/0/quantity');
  t.match(halfPiece.body.errors[0].detail, /whole number of piece/);

  expectStatus(t, await plant.event({ type: 'sell', lines: [{ lotCode: meat, quantity: 12.345 }] }), 201, 'three decimals are kept');
  const lot = await plant.lot(meat);
  t.equal(lot.massBalance.sold, 12.345);
  t.equal(lot.massBalance.onHand, 87.655, 'exactly what remains');
  t.equal(lot.massBalance.unaccounted, 0);

  const tooMuch = await plant.event({ type: 'sell', lines: [{ lotCode: meat, quantity: 87.656 }] });
  expectStatus(t, tooMuch, 409, 'one gram more than remains');
  t.match(tooMuch.body.errors[0].detail, /at most 87\.655/);
});

t.test('a lot named twice in one event is refused at its second naming, by every event type', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const lot = await plant.commission(await plant.product('kg'), 50);
  const shipmentId = await plant.ship(shop, [{ lotCode: lot, quantity: 5 }]);

  const receipts = [
    {
      lines: [
        { lotCode: lot, quantity: 2 },
        { lotCode: lot, quantity: 3 },
      ],
    },
    {
      lines: [
        { lotCode: lot, quantity: 1 },
        { lotCode: lot, quantity: 1 },
      ],
      partial: true,
    },
  ];
  for (const receipt of receipts) {
    const twice = await shop.event({ type: 'receive', shipmentId, ...receipt });
    expectStatus(t, twice, 422, `a receipt naming the lot twice${receipt.partial ? ' (partial)' : ''}`);
    t.match(twice.body, { type: '/problems/duplicate-lot', errors: [{ pointer: '/lines/1/lotCode', detail: 'listed twice' }] });
  }
  t.match((await plant.lot(lot)).massBalance, { inTransit: 5, transitLoss: 0 }, 'nothing booked, nothing written off');

  const named = [
    { type: 'inspect', lotCodes: [lot, lot], inspection: { kind: 'self', result: 'pass' } },
    { type: 'observe', lotCodes: [lot, lot] },
    {
      type: 'sell',
      lines: [
        { lotCode: lot, quantity: 1 },
        { lotCode: lot, quantity: 1 },
      ],
    },
  ];
  for (const body of named) {
    const twice = await plant.event(body);
    expectStatus(t, twice, 422, `${body.type} naming the lot twice`);
    t.equal(twice.body.errors[0].pointer, body.type === 'sell' ? '/lines/1/lotCode' : '/lotCodes/1');
  }
  const once = await shop.event({ type: 'receive', shipmentId, lines: [{ lotCode: lot, quantity: 5 }] });
  expectStatus(t, once, 201, 'named once, it is received');
});

t.test('packing uses stock: what is packed is no longer loose, and travels with its container', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const kg = await plant.product('kg');
  const lot = await plant.commission(kg, 100);

  const first = await plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 60 }] });
  expectStatus(t, first, 201, 'pack 60 of 100 kg');
  const caseCode = first.body.createdLotCodes[0];
  const second = await plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 60 }] });
  expectStatus(t, second, 409, 'another 60 kg: only 40 remain loose');
  t.equal(second.body.errors[0].pointer, '/children/0/quantity');
  expectStatus(
    t,
    await plant.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: lot, quantity: 100 }] }),
    409,
    'the whole 100 kg cannot be shipped loose',
  );
  expectStatus(t, await plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 41 }] }), 409, 'nor 41 kg sold');

  const balance = (await plant.lot(lot)).massBalance;
  t.equal(balance.onHand, 100, 'packed stock is still on hand with the packer');
  t.equal(balance.unaccounted, 0, 'packing moves stock, the books still close');

  const shipmentId = await plant.ship(store, [{ lotCode: caseCode }]);
  const inTransit = await plant.lot(lot);
  t.same(inTransit.holders, [{ partyCode: plant.code, onHand: 40 }], 'the 60 kg in the case left with it');
  t.equal(inTransit.massBalance.inTransit, 60);
  await store.receive(shipmentId);
  t.same((await store.lot(lot)).holders, [{ partyCode: store.code, onHand: 60 }], 'the store sees its own holding');
  const received = (await world.regulator.get(`/lots/${lot}`)).body;
  t.same(
    received.holders.sort((a: { partyCode: string }, b: { partyCode: string }) => a.partyCode.localeCompare(b.partyCode)),
    [
      { partyCode: plant.code, onHand: 40 },
      { partyCode: store.code, onHand: 60 },
    ].sort((a, b) => a.partyCode.localeCompare(b.partyCode)),
    'the store holds the 60 kg, still packed',
  );
  expectStatus(
    t,
    await store.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] }),
    409,
    'packed stock is unpacked before it is sold',
  );
  expectStatus(t, await store.event({ type: 'disaggregate', parentCode: caseCode }), 201, 'unpack the case');
  expectStatus(t, await store.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 60 }] }), 201, 'then all 60 kg can be sold');
  t.equal((await store.lot(lot)).massBalance.unaccounted, 0);
});

t.test('a batch stored in many statements: later parts change what earlier parts stored', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const kg = await plant.product('kg');
  // on its way to the store when the batch starts
  const travelling = await plant.commission(kg, 100);
  const shipment = await plant.ship(store, [{ lotCode: travelling, quantity: 100 }]);
  // every event its own statement, each sent while the next event is checked
  const writer = eventWriterOn(world.database, { objectsPerStatement: 1 });
  const made = newLotCode();
  const container = newContainerCode();
  const requests: WriteRequest[] = [
    { actor: plant.code, action: { type: 'commission', lots: [{ code: made, productCode: kg, quantity: 50 }] } },
    { actor: plant.code, action: { type: 'aggregate', parent: { newCode: container }, children: [{ lotCode: made, quantity: 20 }] } },
    // ends the containment a part before stored
    { actor: plant.code, action: { type: 'disaggregate', parentCode: container } },
    // received (active), then sent back: in transit again, as before the batch, but not as the part before stored it
    { actor: store.code, action: { type: 'receive', shipmentId: shipment } },
    { actor: store.code, action: { type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: travelling, quantity: 100 }] } },
    // a lot made five parts earlier is sold out, after a part that made a shipment
    { actor: plant.code, action: { type: 'sell', lines: [{ lotCode: made, quantity: 50 }] } },
  ].map((request, index) => ({ ...request, context: { eventTime: at(100 + index) } }) as WriteRequest);
  const persisted: string[] = [];
  const stop = world.database.stats.observe((query) => {
    if (/^with new_/.test(query.text.trim())) persisted.push(query.text);
  });
  const outcomes = await world.database.db.transaction((tx) => writer.write(tx as never, requests, 'rollback'));
  stop();
  t.same(
    outcomes.map((outcome) => outcome.ok),
    requests.map(() => true),
    'every event accepted',
  );
  t.equal(persisted.length, requests.length, 'one statement per event');

  const statuses = await queryRows<{ code: string; status: string }>(
    world.database.db,
    sql`select code, status from lots where code in (${made}, ${travelling})`,
  );
  t.same(
    Object.fromEntries(statuses.map((row) => [row.code, row.status])),
    { [made]: 'sold', [travelling]: 'in_transit' },
    'each lot stored as the last part left it',
  );
  const containment = await queryRows<{ ended: boolean }>(
    world.database.db,
    sql`select ended_by_event_id is not null as ended from lineage_edges where downstream_code = ${container} and kind = 'aggregate'`,
  );
  t.same(containment, [{ ended: true }], 'the unpacking ended the containment an earlier part stored');
  t.same(await balanceDifferences(world.database), [], 'balances agree with the ledger');
  const verified = await world.regulator.get(`/audit/verify?party=${plant.code}`);
  t.equal(verified.body.ok, true, 'the audit chain runs on across the parts');
});

t.test('what the writer stores in its arrays comes back as written: quotes, backslashes, braces, commas and the word NULL', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const awkward = ['say "hi"', 'C:\\lots\\"7"', '{a,b}', 'NULL', '', 'x\\', '\\"', 'ünïcödé ✓'];
  const codes = awkward.map(() => newLotCode());
  const outcomes = await world.database.db.transaction((tx) =>
    eventWriterOn(world.database).write(
      tx as never,
      [
        {
          actor: plant.code,
          action: {
            type: 'commission',
            lots: awkward.map((text, index) => ({
              code: codes[index],
              productCode: kg,
              quantity: 1,
              lotNumber: `L-${index}-${text}`,
              attributes: { note: text },
            })),
          },
          context: { eventTime: at(100) },
        } as WriteRequest,
      ],
      'rollback',
    ),
  );
  t.equal(outcomes[0].ok, true, 'stored');
  const rows = await queryRows<{ code: string; lot_number: string; note: string }>(
    world.database.db,
    sql`select code, lot_number, attributes->>'note' as note from lots where code = any(${sql.param(codes)}::text[])`,
  );
  const byCode = new Map(rows.map((row) => [row.code, row]));
  t.same(
    codes.map((code) => byCode.get(code)?.lot_number),
    awkward.map((text, index) => `L-${index}-${text}`),
    'lot numbers (a text array) as written',
  );
  t.same(
    codes.map((code) => byCode.get(code)?.note),
    awkward,
    'attributes (a JSON array) as written',
  );
});

t.test('packed, unpacked and packed again in one batch: the last packing stays open', async (t) => {
  for (const objectsPerStatement of [undefined, 1]) {
    const world = await createWorld(t);
    const plant = await world.party('processor');
    const kg = await plant.product('kg');
    const lot = await plant.commission(kg, 100);
    const writer = eventWriterOn(world.database, { objectsPerStatement });
    const container = newContainerCode();
    const actions: WriteRequest['action'][] = [
      { type: 'aggregate', parent: { newCode: container }, children: [{ lotCode: lot, quantity: 30 }] },
      { type: 'disaggregate', parentCode: container },
      { type: 'aggregate', parent: { containerCode: container }, children: [{ lotCode: lot, quantity: 30 }] },
    ];
    const outcomes = await world.database.db.transaction((tx) =>
      writer.write(
        tx as never,
        actions.map((action, index) => ({ actor: plant.code, action, context: { eventTime: at(100 + index) } })),
        'rollback',
      ),
    );
    const how = objectsPerStatement ? 'one statement per event' : 'one statement';
    t.ok(
      outcomes.every((outcome) => outcome.ok),
      `${how}: every event accepted`,
    );
    const edges = await queryRows<{ open: boolean }>(
      world.database.db,
      sql`select ended_by_event_id is null as open from lineage_edges
        where downstream_code = ${container} and upstream_code = ${lot} and kind = 'aggregate' order by open`,
    );
    t.same(edges, [{ open: false }, { open: true }], `${how}: the first packing ended, the second open`);
    expectStatus(
      t,
      await plant.api.post('/events', { type: 'disaggregate', parentCode: container, eventTime: at(100 + actions.length) }),
      201,
      `${how}: the container can be unpacked again`,
    );
    t.same(await balanceDifferences(world.database), [], `${how}: balances agree with the ledger`);
  }
});

const onPostgres = await postgresOnly();
t.test('a ship that moves nothing opens no shipment, whichever door hands it to the writer', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const meat = await plant.commission(await plant.product('kg'), 10);

  const zero = await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: meat, quantity: 0 }] });
  expectStatus(t, zero, 400, 'POST /events: a ship line of quantity 0 is bad input');
  t.equal(zero.body.errors[0].pointer, '/lines/0/quantity');
  expectStatus(t, await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [] }), 400, 'POST /events: a ship of no lines');

  // the writer refuses them itself: every door (EPCIS capture, recall returns) hands it ship actions
  const writer = eventWriterOn(world.database);
  const shipping = (lines: { lotCode: string; quantity: number }[]): WriteRequest => ({
    actor: plant.code,
    action: { type: 'ship', toPartyCode: shop.code, lines },
    context: { eventTime: at(100) },
  });
  const outcomes = await world.database.db.transaction((tx) =>
    writer.write(tx as never, [shipping([{ lotCode: meat, quantity: 0 }]), shipping([])], 'proceed'),
  );
  t.match(
    outcomes,
    [
      {
        ok: false,
        problem: { status: 422, slug: 'nothing-shipped', errors: [{ pointer: '/lines/0/quantity', detail: 'a quantity of 0' }] },
      },
      { ok: false, problem: { status: 422, slug: 'nothing-shipped', errors: [{ pointer: '/lines', detail: 'names nothing' }] } },
    ],
    'the writer: a line of quantity 0, or no line at all, is a 422 naming the line',
  );
  t.same((await shop.api.get('/shipments')).body.items, [], 'the shop awaits no shipment');
  t.match((await plant.lot(meat)).massBalance, { shipped: 0, onHand: 10 });
});

t.test('50 concurrent requests consuming one lot never take more than remains (PostgreSQL, real concurrency)', onPostgres, async (t) => {
  // PGlite serves one connection at a time: only PostgreSQL's pool runs these side by side
  const world = await createWorld(t, 'postgres');
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const lot = await plant.commission(kg, 100);
  const replies = await Promise.all(
    Array.from({ length: 50 }, () => plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 3 }] })),
  );
  t.equal(replies.filter((reply) => reply.status === 201).length, 33, 'over HTTP: 33 sales of 3 kg fit into 100 kg');
  t.ok(
    replies.every((reply) => reply.status === 201 || reply.status === 409),
    'the others are refused as conflicts, not errors',
  );
  t.match((await plant.lot(lot)).massBalance, { onHand: 1, sold: 99 });

  // requests arriving together share a transaction; the writer's own transactions side by side must hold too
  const second = await plant.commission(kg, 100);
  const writer = eventWriterOn(world.database);
  const sold = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      world.database.db.transaction(async (tx) => {
        const [outcome] = await writer.write(
          tx as never,
          [
            {
              actor: plant.code,
              action: { type: 'sell', lines: [{ lotCode: second, quantity: 3 }] },
              context: { eventTime: at(200 + i) },
            },
          ],
          'proceed',
        );
        return outcome.ok;
      }),
    ),
  );
  t.equal(sold.filter(Boolean).length, 33, 'in 50 transactions at once: 33 sales, no more');
  t.match((await plant.lot(second)).massBalance, { onHand: 1, sold: 99 });
  const kept = await queryRows<{ lotCode: string; quantity: string }>(
    world.database.db,
    sql`select lot_code as "lotCode", quantity::text as quantity from lot_balances where lot_code in (${lot}, ${second}) order by lot_code`,
  );
  t.same(
    kept,
    [lot, second].sort().map((lotCode) => ({ lotCode, quantity: '1.000' })),
    'the balances the database keeps went through every concurrent sale',
  );
});

t.test('one clock and one future-time tolerance for every door', async (t) => {
  // the service's clock stands months behind the wall clock: a door reading the wall clock would accept what it refuses
  const clock = new Date('2026-03-10T00:00:00Z');
  const world = await createWorld(t, undefined, { now: () => clock });
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const ahead = (minutes: number) => new Date(clock.getTime() + minutes * 60_000).toISOString();
  const epcisEvent = (serial: string, eventTime: string) => ({
    type: 'ObjectEvent',
    eventTime,
    eventTimeZoneOffset: '+00:00',
    action: 'ADD',
    bizStep: 'commissioning',
    epcList: [`https://id.gs1.org/01/06901234000030/21/${serial}`],
  });
  const post = (url: string, body: object, headers: Record<string, string> = {}) =>
    world.app.inject({
      method: 'POST',
      url,
      payload: JSON.stringify(body),
      headers: { authorization: `Bearer ${plant.key}`, 'content-type': 'application/ld+json', ...headers },
    });
  const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];
  const captured = async (serial: string, eventTime: string) => {
    const reply = await post('/epcis/capture', {
      '@context': CONTEXT,
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: clock.toISOString(),
      epcisBody: { eventList: [epcisEvent(serial, eventTime)] },
    });
    await world.app.services.epcis.idle();
    return (await plant.api.get(`/epcis/capture/${reply.json().captureID}`)).body;
  };

  for (const [minutes, accepted] of [
    [1, true],
    [3, false],
  ] as const) {
    const eventTime = ahead(minutes);
    const what = `${minutes} min ahead of the service's clock`;
    const native = await plant.api.post('/events', { type: 'commission', eventTime, lots: [{ productCode: kg, quantity: 1 }] });
    expectStatus(t, native, accepted ? 201 : 422, `POST /events ${what}`);
    const single = await post('/epcis/events', { '@context': CONTEXT, ...epcisEvent(`S${minutes}`, eventTime) });
    t.equal(single.statusCode, accepted ? 201 : 422, `POST /epcis/events ${what}`);
    const job = await captured(`C${minutes}`, eventTime);
    t.match(job, accepted ? { success: true, captured: 1 } : { success: false, captured: 0 }, `POST /epcis/capture ${what}`);
    if (!accepted) t.match(job.errors[0].message, /in the future/);
  }
});

t.test('an array literal reads back element for element: NULL, the empty string, blanks, braces, quotes, backslashes', async (t) => {
  const world = await createWorld(t);
  const elements = ['NULL', 'null', '', ' ', ' a ', '{}', '{', ',', '"', '\\', '\\"', 'a,b', 'ünïcödé ✓', null];
  const read = async (cast: string, values: (string | null)[]) =>
    (
      await queryRows<{ value: string | null }>(
        world.database.db,
        sql`select value::text from unnest(${sql.param(arrayLiteral(values))}::${sql.raw(cast)}) with ordinality as u(value, n) order by n`,
      )
    ).map((row) => row.value);
  t.same(await read('text[]', elements), elements, 'text: only a JS null is SQL null');
  t.same(await read('numeric[]', ['1e+21', '-0', '0.0001', null]), ['1000000000000000000000', '0', '0.0001', null], 'numbers');
  t.same(await read('boolean[]', ['true', 'false', null]), ['true', 'false', null], 'booleans');
});

t.test('JSON values reach a jsonb[] in order, each as itself: quotes, backslashes, control characters, JSON null', async (t) => {
  const world = await createWorld(t);
  const values = [
    { a: 'x"y\\z', 'b"c': ['{', ',', 'NULL'] },
    null,
    ['\n\t\u2028', 'ünïcödé ✓ 😀', 1.5e300, -0],
    { nested: { deep: [null, true] } },
    {},
  ];
  const rows = await queryRows<{ value: unknown; sqlNull: boolean; n: number }>(
    world.database.db,
    sql`select value, value is null as "sqlNull", n::int from unnest(${jsonbArray(values)}) with ordinality as u(value, n) order by n`,
  );
  t.same(
    rows.map((row) => row.value),
    values.map((value) => JSON.parse(JSON.stringify(value))),
    'each element as JSON.stringify wrote it, in order',
  );
  t.same(
    rows.map((row) => row.sqlNull),
    values.map(() => false),
    'a JSON null stays JSON null',
  );
});
