// Entry gates receive what they read and nothing more: one case of a shipment of two, a case

// whose packs were all read, a tag read again in the next window; and a window the gate cannot
// turn into events is recorded as failed and tried again later while the windows after it go on.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import type { AppOptions } from '../../src/app.js';
import { completeGs1 } from '../../src/codes/gs1.js';
import { planReceipts, retryAfter } from '../../src/rfid/gates.js';
import type { ReadRow } from '../../src/rfid/repository.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { balanceDifferences } from '../fixtures/ledger.js';
import { holdLocked, waitersReach } from '../fixtures/locks.js';
import { impinjTagInventory, zebraEvent } from '../fixtures/rfid-payloads.js';
import { issuePacks, readPoint, registerReader } from '../fixtures/rfid-world.js';
import { type Actor, createWorld, expectStatus } from '../fixtures/world.js';
import { postgresOnly, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tag = (n: number) => `E28068940000${String(n).padStart(12, '0')}`;
/** Reads at the gate happen after the world's events (which start 2026-03-01); an hour past 23 is on the next day. */
const readTime = (minute: number, second = 0, hour = 11) =>
  `${new Date(Date.UTC(2026, 5, 1, hour, minute, second)).toISOString().slice(0, 19)}.000+0800`;

t.test('retryAfter: ten seconds, doubling, at most an hour, given up after eight tries', async (t) => {
  const now = new Date('2026-06-01T00:00:00Z');
  const waits = [1, 2, 3, 7].map((attempts) => (retryAfter(attempts, now)?.getTime() ?? 0) - now.getTime());
  t.same(waits, [10_000, 20_000, 40_000, 640_000]);
  t.equal(retryAfter(8, now), null);
});

t.test('planReceipts: what a gate read of a shipment, and how much of each line it receives', async (t) => {
  const shippedAt = new Date('2026-06-01T02:00:00Z');
  const line = (lotCode: string, containerCode: string | null, quantity: number, unit = 'piece') => ({
    id: 'S1',
    shippedAt,
    fromLocationCode: null,
    toPartyCode: 'P1',
    lotCode,
    containerCode,
    quantity,
    unit,
  });
  const lines = [
    line('PALLET', null, 1),
    line('CASE', 'PALLET', 1),
    line('MEAT', 'CASE', 10, 'kg'),
    line('LOOSE', null, 2),
    line('BULK', null, 50, 'kg'),
  ];
  const seen = (tag: string, lotCode: string, itemCode: string | null = null) => ({
    row: { tag, firstSeen: new Date(shippedAt.getTime() + 60 * 60_000) } as ReadRow,
    referent: { lotCode, itemCode, pack: itemCode },
  });
  const plan = planReceipts(
    lines,
    [seen('T1', 'CASE'), seen('T2', 'LOOSE', 'P1'), seen('T3', 'LOOSE', 'P2'), seen('T4', 'LOOSE', 'P3'), seen('T5', 'BULK', 'P9')],
    new Map(),
  );
  t.same(
    plan.receipts.map((receipt) => receipt.lines),
    [
      [
        { lotCode: 'PALLET', quantity: 1 },
        { lotCode: 'LOOSE', quantity: 2 },
        { lotCode: 'BULK', quantity: 50 },
      ],
    ],
    'a case on a pallet brings the pallet; three packs of two shipped are two; a pack of a lot in kg brings the lot',
  );
  t.same(plan.rest, []);
  t.same(
    plan.beyond.map(({ entry, detail }) => [entry.row.tag, detail]),
    [['T4', 'more packs of lot LOOSE read than were shipped loose: a case is received by its own tag']],
    'the third pack of two shipped loose is received not: it is observed',
  );
  /** A pack read in an earlier window, which the service received so long after the shipment left (the reader's clock aside). */
  const readBefore = (tag: string, pack: string, minutesAfterShipping: number, awaits = 'S1') => ({
    row: { tag, firstSeen: new Date(shippedAt.getTime() - 60 * 60_000) } as ReadRow,
    pack,
    receivedAt: new Date(shippedAt.getTime() + minutesAfterShipping * 60_000),
    awaits,
  });
  const few = planReceipts(
    [line('FEW', null, 5)],
    [seen('T7', 'FEW', 'P4')],
    new Map(),
    new Map([['lot|FEW', [readBefore('T7', 'P4', 1), readBefore('T8', 'P5', 2), readBefore('T9', 'P6', -3), readBefore('T12', 'P9', -1)]]]),
  );
  t.same(few.receipts, [], 'three of five packs shipped loose receive nothing: a short receipt would book two as lost');
  t.same(
    few.waiting.map(({ entry, detail }) => [entry.row.tag, detail]),
    [['T7', '3 of the 5 packs of lot FEW shipped loose read']],
    'the pack read again counts once, with those read before (by when the service received them, the sender’s clock ' +
      'allowed the event writer’s drift ahead of it); one the service had before the shipment left counts not',
  );
  const whole = planReceipts(
    [line('TWO', null, 2)],
    [seen('T10', 'TWO', 'P7')],
    new Map(),
    new Map([['lot|TWO', [readBefore('T11', 'P8', 3)]]]),
  );
  t.same(
    whole.receipts.map((receipt) => [receipt.lines, receipt.waited.map((row) => row.tag)]),
    [[[{ lotCode: 'TWO', quantity: 2 }], ['T11']]],
    'the pack that waited is received with the one that completes the line',
  );
  const orphaned = planReceipts(
    [line('TWO', null, 2)],
    [seen('T10', 'TWO', 'P7')],
    new Map(),
    new Map([['lot|TWO', [readBefore('T11', 'P8', 3, 'S0')]]]),
  );
  t.same(
    [orphaned.receipts, orphaned.waiting.map(({ detail, shipmentId }) => [detail, shipmentId])],
    [[], [['1 of the 2 packs of lot TWO shipped loose read', 'S1']]],
    'a pack that waited for another shipment’s line counts not; the one read now waits for this one',
  );
  const stayed = seen('T10', 'TWO', 'P7');
  const kept = planReceipts(
    [line('TWO', null, 2)],
    [stayed, seen('T11', 'TWO', 'P8')],
    new Map(),
    new Map(),
    new Set(),
    new Set([stayed.row]),
  );
  t.same(
    [kept.rest.map((entry) => entry.row.tag), kept.waiting.map(({ entry }) => entry.row.tag)],
    [['T10'], ['T11']],
    'a pack the party’s gates received and have not seen leave counts not: it came already',
  );
  const other = planReceipts(lines, [seen('T6', 'ELSEWHERE')], new Map());
  t.same([other.receipts, other.rest.length], [[], 1], 'what is in no open shipment is left to be observed');
});

/** A processor, a cold store with an entry gate and its reader, and what the tests ask of them. */
async function storeWithEntryGate(t: Test, doorName: string, options: Partial<AppOptions> = {}) {
  const world = await createWorld(t, undefined, { rfidTickMs: 0, ...options });
  const drain = () => world.app.services.gates.drain();
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const product = await processor.product('piece');
  const reader = await registerReader(world, store);
  const door = await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 1 }], { name: doorName });
  const zebra = (reads: { idHex: string; minute: number; second?: number; hour?: number }[]) =>
    reader.api.post(
      '/rfid/zebra',
      reads.map((read) =>
        zebraEvent({
          idHex: read.idHex,
          antenna: 1,
          hostName: reader.hostName,
          timestamp: readTime(read.minute, read.second, read.hour),
        }),
      ),
    );
  /** The same door's reads as an Impinj reader of the store's posts them (times as the reader's clock has them). */
  const impinj = (reads: { epcHex: string; time: string }[]) =>
    reader.api.post(
      '/rfid/impinj',
      reads.map((read) =>
        impinjTagInventory({
          epcHex: read.epcHex,
          hostname: reader.hostName,
          antennaPort: 1,
          timestamp: read.time,
          lastSeenTime: read.time,
        }),
      ),
    );
  const rowsOf = async (query: string) => (await store.api.get(`/rfid/reads?${query}`)).body.items;
  const shipment = async (id: string) =>
    (await store.api.get('/shipments?status=open')).body.items.find((s: { id: string }) => s.id === id) ??
    (await store.api.get('/shipments?status=received')).body.items.find((s: { id: string }) => s.id === id);
  return { world, drain, processor, store, product, reader, door, zebra, impinj, rowsOf, shipment };
}

t.test('entry gates receive the quantity read', async (t) => {
  const { world, drain, processor, store, product, door, zebra, rowsOf, shipment } = await storeWithEntryGate(t, '冷库 1 号门');
  let serial = 0;
  const packCase = async (lotCode: string, quantity: number, itemCodes?: string[]) => {
    const sscc = completeGs1(`0690123450000${String(++serial).padStart(4, '0')}`);
    const packed = await world.ok(
      processor.event({ type: 'aggregate', parent: { sscc }, ...(itemCodes ? { itemCodes } : { children: [{ lotCode, quantity }] }) }),
    );
    return { sscc, code: packed.createdLotCodes[0] as string };
  };
  const bind = (epc: string, code: string) => world.ok(processor.api.post('/rfid/tags', { tags: [{ epc, code }] }), 201);

  await t.test('a shipment of two cases: each case read is received on its own, the second closes the shipment', async (t) => {
    const lot = await processor.commission(product, 50);
    const first = await packCase(lot, 20);
    const second = await packCase(lot, 30);
    await bind(tag(1), first.code);
    await bind(tag(2), second.code);
    const shipmentId = await processor.ship(store, [{ lotCode: first.code }, { lotCode: second.code }]);

    await zebra([{ idHex: tag(1), minute: 5 }]);
    await drain();
    const [row] = await rowsOf(`tag=${tag(1)}`);
    t.match(row, { outcome: 'received', lotCode: first.code, detail: shipmentId });
    const open = await shipment(shipmentId);
    t.equal(open.status, 'open', 'the rest of the shipment is still on its way');
    t.same(
      open.lines.map((line: { lotCode: string; receivedQuantity: number | null }) => [line.lotCode, line.receivedQuantity]).sort(),
      [
        [first.code, 1],
        [lot, 20],
        [second.code, null],
        [lot, null],
      ].sort(),
      'the case read and its contents are received, the other case is not',
    );
    const holders = (await store.lot(lot)).holders;
    t.same(
      holders.find((h: { partyCode: string }) => h.partyCode === store.code),
      { partyCode: store.code, onHand: 20 },
      'only the case read changed hands',
    );
    t.match((await processor.lot(lot)).massBalance, { inTransit: 30, transitLoss: 0, unaccounted: 0 }, 'the other case is in transit');
    const receipt = (await store.api.get(`/events/${row.eventId}`)).body;
    t.match(receipt, { type: 'receive', readPoint: door.locationCode, details: { partial: true, linesInTransit: 2 } });
    const trace = (await world.regulator.get(`/trace/${first.sscc}`)).body;
    const traced = trace.events.find((e: { id: string }) => e.id === row.eventId);
    t.match(traced, { readPoint: door.locationCode }, 'the trace shows the gate’s location');
    t.equal(new Date(traced.eventTime).toISOString(), '2026-06-01T03:05:00.000Z', 'and the time it read the case');
    t.ok(
      trace.edges.some(
        (e: { kind: string; eventId: string; status: string }) =>
          e.kind === 'custody' && e.eventId === row.eventId && e.status === 'received',
      ),
      'the hand-over of the case is the gate’s receipt',
    );

    await zebra([{ idHex: tag(2), minute: 7 }]);
    await drain();
    const [last] = await rowsOf(`tag=${tag(2)}`);
    t.match(last, { outcome: 'received', detail: shipmentId });
    t.not(last.eventId, row.eventId, 'a receipt of its own');
    const closed = await shipment(shipmentId);
    t.equal(closed.status, 'received', 'the second case closes the shipment');
    t.equal(closed.receiveEventId, last.eventId);
    t.match((await processor.lot(lot)).massBalance, { inTransit: 0, transitLoss: 0, unaccounted: 0 });
    t.same(await balanceDifferences(world.database), [], 'the balances kept by the database follow gate receipts');
  });

  await t.test('a receipt of one case is corrected: only that case goes back in transit', async (t) => {
    const lot = await processor.commission(product, 10);
    const first = await packCase(lot, 4);
    const second = await packCase(lot, 6);
    const shipped = await world.ok(
      processor.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: first.code }, { lotCode: second.code }] }),
    );
    const shipmentId: string = shipped.shipmentId;
    const part = await world.ok(store.event({ type: 'receive', shipmentId, partial: true, lines: [{ lotCode: first.code, quantity: 1 }] }));
    const rest = await world.ok(store.event({ type: 'receive', shipmentId }));
    t.match(
      rest.event.details,
      { lines: [{ lotCode: second.code }, { lotCode: lot, containerCode: second.code }] },
      'the rest is received',
    );
    t.equal((await shipment(shipmentId)).status, 'received');
    expectStatus(
      t,
      await store.event({ type: 'receive', shipmentId, partial: true, lines: [{ lotCode: second.code, quantity: 1 }] }),
      409,
      'a received shipment is not received again',
    );
    await world.ok(store.event({ type: 'correction', correctsEventId: part.event.id, reason: 'the first case did not arrive' }));
    const reopened = await shipment(shipmentId);
    t.equal(reopened.status, 'open');
    t.same(
      reopened.lines.filter((line: { receivedQuantity: number | null }) => line.receivedQuantity === null).length,
      2,
      'the first case and its contents are in transit again, the second stays received',
    );
    t.match((await processor.lot(lot)).massBalance, { inTransit: 4, unaccounted: 0 }, 'the sender’s stock on the road again');
    expectStatus(
      t,
      await processor.event({ type: 'correction', correctsEventId: shipped.event.id, reason: 'not sent' }),
      409,
      'a shipment received in part cannot be taken back by correcting its ship event',
    );
  });

  await t.test('a tag read across a window boundary is received once, and not observed in the next window', async (t) => {
    const lot = await processor.commission(product, 10);
    const box = await packCase(lot, 10);
    await bind(tag(3), box.code);
    const shipmentId = await processor.ship(store, [{ lotCode: box.code }]);
    // the default 30 s windows: 11:10:20–11:10:29 in one, 11:10:31 in the next
    await zebra([
      { idHex: tag(3), minute: 10, second: 20 },
      { idHex: tag(3), minute: 10, second: 29 },
    ]);
    await drain();
    await zebra([{ idHex: tag(3), minute: 10, second: 31 }]);
    await drain();
    const rows = (await rowsOf(`tag=${tag(3)}`)).sort((a: { firstSeen: string }, b: { firstSeen: string }) =>
      a.firstSeen.localeCompare(b.firstSeen),
    );
    t.equal(rows.length, 2, 'two windows');
    t.match(rows[0], { outcome: 'received', detail: shipmentId, readCount: 2 });
    t.match(rows[1], { outcome: 'already_received', eventId: rows[0].eventId, detail: shipmentId, lotCode: box.code });
    const events = (await store.api.get(`/events?lotCode=${box.code}`)).body.items;
    t.same(
      events.filter((e: { partyCode: string }) => e.partyCode === store.code).map((e: { type: string }) => e.type),
      ['receive'],
      'one receipt, no observation',
    );
  });

  await t.test('a case is received when all of its packs were read; some of them are only observed', async (t) => {
    const lot = await processor.commission(product, 10);
    const packs = await issuePacks(world, processor, lot, 4);
    const full = await packCase(lot, 2, packs.slice(0, 2));
    const partly = await packCase(lot, 2, packs.slice(2, 4));
    for (const [index, pack] of packs.entries()) await bind(tag(20 + index), pack);
    const shipmentId = await processor.ship(store, [{ lotCode: full.code }, { lotCode: partly.code }]);
    await zebra([
      { idHex: tag(20), minute: 20 },
      { idHex: tag(21), minute: 20 },
      { idHex: tag(22), minute: 20 },
    ]);
    await drain();
    t.match(await rowsOf(`tag=${tag(20)}`), [{ outcome: 'received', detail: shipmentId }], 'both packs of the first case read');
    t.match(
      await rowsOf(`tag=${tag(22)}`),
      [{ outcome: 'observed', lotCode: lot, detail: `1 of the 2 packs of case ${partly.code} read` }],
      'one pack of the second case',
    );
    const lines = (await shipment(shipmentId)).lines;
    t.same(
      lines.filter((line: { receivedQuantity: number | null }) => line.receivedQuantity !== null).length,
      2,
      'the first case and its contents are received',
    );
    t.equal((await shipment(shipmentId)).status, 'open');

    // the last pack of the second case passes the door minutes later, in a window of its own
    await zebra([{ idHex: tag(23), minute: 24 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(23)}`), [{ outcome: 'received', detail: shipmentId }], 'with the pack read before, the case is whole');
    t.equal((await shipment(shipmentId)).status, 'received', 'and the shipment is all received');
  });

  await t.test('a case of a lot the store holds none of, its packs read in two windows: received with the second', async (t) => {
    const lot = await processor.commission(product, 2);
    const packs = await issuePacks(world, processor, lot, 2);
    const box = await packCase(lot, 2, packs);
    for (const [index, pack] of packs.entries()) await bind(tag(80 + index), pack);
    const shipmentId = await processor.ship(store, [{ lotCode: box.code }]);
    await zebra([{ idHex: tag(80), minute: 45 }]);
    await drain();
    t.match(
      await rowsOf(`tag=${tag(80)}`),
      [{ outcome: 'observed', lotCode: lot, eventId: null, detail: `1 of the 2 packs of case ${box.code} read` }],
      'the first pack waits for the other, not refused as a lot the store does not hold',
    );
    await zebra([{ idHex: tag(81), minute: 46 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(81)}`), [{ outcome: 'received', detail: shipmentId }], 'the second pack makes the case whole');
    t.equal((await shipment(shipmentId)).status, 'received');
  });

  await t.test('packs of a lot shipped loose over several windows: nothing is lost in transit until all were read', async (t) => {
    const lot = await processor.commission(product, 10);
    const packs = await issuePacks(world, processor, lot, 10);
    for (const [index, pack] of packs.entries()) await bind(tag(40 + index), pack);
    const shipped = await world.ok(processor.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: lot, quantity: 10 }] }));
    const shipmentId: string = shipped.shipmentId;

    // one pack in a window, another in the next (30 s windows aligned to the clock)
    await zebra([{ idHex: tag(40), minute: 30, second: 5 }]);
    await drain();
    await zebra([{ idHex: tag(41), minute: 30, second: 35 }]);
    await drain();
    t.match(
      await rowsOf(`tag=${tag(40)}`),
      [{ outcome: 'observed', lotCode: lot, detail: `1 of the 10 packs of lot ${lot} shipped loose read` }],
      'the first pack',
    );
    t.match(
      await rowsOf(`tag=${tag(41)}`),
      [{ outcome: 'observed', lotCode: lot, detail: `2 of the 10 packs of lot ${lot} shipped loose read` }],
      'the second pack counts the first',
    );
    const open = await shipment(shipmentId);
    t.equal(open.status, 'open', 'the shipment is still on its way');
    t.same(
      open.lines.map((line: { receivedQuantity: number | null }) => line.receivedQuantity),
      [null],
      'its line is not closed',
    );
    t.match((await processor.lot(lot)).massBalance, { inTransit: 10, transitLoss: 0, unaccounted: 0 }, 'no pack booked as lost');

    // the other eight pass the door a few minutes later
    await zebra(packs.slice(2).map((_, index) => ({ idHex: tag(42 + index), minute: 34 })));
    await drain();
    t.match(await rowsOf(`tag=${tag(49)}`), [{ outcome: 'received', detail: shipmentId }], 'the last packs receive the line');
    const closed = await shipment(shipmentId);
    t.equal(closed.status, 'received');
    t.same(
      closed.lines.map((line: { receivedQuantity: number | null }) => line.receivedQuantity),
      [10],
    );
    t.match((await processor.lot(lot)).massBalance, { inTransit: 0, transitLoss: 0, unaccounted: 0 });
    t.same(
      (await store.lot(lot)).holders.find((h: { partyCode: string }) => h.partyCode === store.code),
      { partyCode: store.code, onHand: 10 },
    );
    t.same(await balanceDifferences(world.database), []);
  });

  await t.test('packs of a lot shipped loose not all read: a receipt at the store closes the line as it always does', async (t) => {
    const lot = await processor.commission(product, 3);
    const packs = await issuePacks(world, processor, lot, 3);
    for (const [index, pack] of packs.entries()) await bind(tag(60 + index), pack);
    const shipmentId = await processor.ship(store, [{ lotCode: lot }]);
    await zebra([{ idHex: tag(60), minute: 40 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(60)}`), [{ outcome: 'observed', detail: `1 of the 3 packs of lot ${lot} shipped loose read` }]);
    t.match((await processor.lot(lot)).massBalance, { inTransit: 3, transitLoss: 0 });
    await world.ok(store.event({ type: 'receive', shipmentId, lines: [{ lotCode: lot, quantity: 2 }] }));
    t.equal((await shipment(shipmentId)).status, 'received');
    t.match((await processor.lot(lot)).massBalance, { inTransit: 0, transitLoss: 1, unaccounted: 0 }, 'a short receipt books the loss');
  });
});

t.test('packs waiting at an entry gate count towards their own line only', async (t) => {
  const { world, drain, processor, store, product, zebra, impinj, rowsOf, shipment } = await storeWithEntryGate(t, '冷库 2 号门');
  const bind = (epc: string, code: string) => world.ok(processor.api.post('/rfid/tags', { tags: [{ epc, code }] }), 201);
  const onHand = async (lot: string) =>
    (await store.lot(lot)).holders.find((h: { partyCode: string }) => h.partyCode === store.code)?.onHand ?? 0;

  await t.test('a pack that waited is received with its line, and counts towards no later line of its lot', async (t) => {
    const lot = await processor.commission(product, 4);
    const packs = await issuePacks(world, processor, lot, 4);
    for (const [index, pack] of packs.entries()) await bind(tag(100 + index), pack);
    const first = await processor.ship(store, [{ lotCode: lot, quantity: 2 }]);
    await zebra([{ idHex: tag(100), minute: 1, second: 5 }]);
    await drain();
    await zebra([{ idHex: tag(101), minute: 3, second: 5 }]);
    await drain();
    t.equal((await shipment(first)).status, 'received', 'the first shipment is received with its second pack');
    const [last] = await rowsOf(`tag=${tag(101)}`);
    t.match(last, { outcome: 'received', detail: first });
    t.match(
      await rowsOf(`tag=${tag(100)}`),
      [{ outcome: 'received', eventId: last.eventId, detail: first }],
      'the pack that waited is received by the same receipt',
    );
    t.ok(
      (await rowsOf('outcome=received')).some((row: { tag: string }) => row.tag === tag(100)),
      'and is listed among the reads received',
    );

    const second = await processor.ship(store, [{ lotCode: lot, quantity: 2 }]);
    await zebra([{ idHex: tag(102), minute: 5, second: 5 }]);
    await drain();
    const open = await shipment(second);
    t.equal(open.status, 'open', 'one of the two packs of the second shipment was read');
    t.same(
      open.lines.map((line: { receivedQuantity: number | null }) => line.receivedQuantity),
      [null],
    );
    t.match(await rowsOf(`tag=${tag(102)}`), [
      { outcome: 'observed', eventId: null, detail: `1 of the 2 packs of lot ${lot} shipped loose read` },
    ]);
    t.equal(await onHand(lot), 2, 'the store holds what was read of it');
  });

  await t.test('the store’s own packs read again at the door count towards no new line of their lot', async (t) => {
    const lot = await processor.commission(product, 4);
    const packs = await issuePacks(world, processor, lot, 4);
    for (const [index, pack] of packs.entries()) await bind(tag(200 + index), pack);
    const first = await processor.ship(store, [{ lotCode: lot, quantity: 2 }]);
    await zebra([
      { idHex: tag(200), minute: 10 },
      { idHex: tag(201), minute: 10 },
    ]);
    await drain();
    t.equal((await shipment(first)).status, 'received');
    // not in the very next window: observed as the store's, with an event
    await zebra([
      { idHex: tag(200), minute: 12 },
      { idHex: tag(201), minute: 12 },
    ]);
    await drain();
    const again = await rowsOf(`tag=${tag(200)}&outcome=observed`);
    t.equal(again.length, 1);
    t.not(again[0]?.eventId, null, 'observed with an event of its own');
    const second = await processor.ship(store, [{ lotCode: lot, quantity: 2 }]);
    await zebra([{ idHex: tag(202), minute: 14 }]);
    await drain();
    t.equal((await shipment(second)).status, 'open', 'one of the two packs of the second shipment was read');
    t.equal(await onHand(lot), 2);
  });

  await t.test('packs packed in a case not in the shipment, shipped loose, are received over two windows', async (t) => {
    const lot = await processor.commission(product, 4);
    const packs = await issuePacks(world, processor, lot, 4);
    for (const [index, pack] of packs.entries()) await bind(tag(500 + index), pack);
    await world.ok(
      processor.event({ type: 'aggregate', parent: { sscc: completeGs1('06901234500000099') }, itemCodes: packs.slice(0, 2) }),
    );
    const shipmentId = await processor.ship(store, [{ lotCode: lot, quantity: 2 }]);
    await zebra([{ idHex: tag(500), minute: 40 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(500)}`), [{ outcome: 'observed', detail: `1 of the 2 packs of lot ${lot} shipped loose read` }]);
    await zebra([{ idHex: tag(501), minute: 42 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(501)}`), [{ outcome: 'received', detail: shipmentId }], 'the second pack completes the line');
    t.equal((await shipment(shipmentId)).status, 'received');
  });

  await t.test(
    'a loose line whose packs pass the door over hours, by two kinds of reader, is received with the last of them',
    async (t) => {
      const lot = await processor.commission(product, 3);
      const packs = await issuePacks(world, processor, lot, 3);
      for (const [index, pack] of packs.entries()) await bind(tag(600 + index), pack);
      const shipmentId = await processor.ship(store, [{ lotCode: lot, quantity: 3 }]);
      await zebra([{ idHex: tag(600), hour: 9, minute: 5 }]);
      await drain();
      expectStatus(
        t,
        await impinj([{ epcHex: tag(601), time: readTime(50, 0, 10) }]),
        202,
        'the second pack, an hour and three quarters later',
      );
      await drain();
      t.match(await rowsOf(`tag=${tag(601)}`), [
        { outcome: 'observed', eventId: null, detail: `2 of the 3 packs of lot ${lot} shipped loose read` },
      ]);
      expectStatus(t, await impinj([{ epcHex: tag(602), time: readTime(20, 0, 14) }]), 202, 'the last, five hours after the first');
      await drain();
      const [last] = await rowsOf(`tag=${tag(602)}`);
      t.match(last, { outcome: 'received', detail: shipmentId });
      t.match(
        [...(await rowsOf(`tag=${tag(600)}`)), ...(await rowsOf(`tag=${tag(601)}`))],
        [
          { outcome: 'received', eventId: last.eventId },
          { outcome: 'received', eventId: last.eventId },
        ],
        'the packs that waited, however long, are received by the same receipt',
      );
      t.equal((await shipment(shipmentId)).status, 'received');
      t.match((await processor.lot(lot)).massBalance, { inTransit: 0, transitLoss: 0, unaccounted: 0 });
    },
  );

  await t.test('packs of a received case read again count not towards the loose line of their lot in the same shipment', async (t) => {
    const lot = await processor.commission(product, 4);
    const packs = await issuePacks(world, processor, lot, 4);
    for (const [index, pack] of packs.entries()) await bind(tag(650 + index), pack);
    const box = await world.ok(
      processor.event({ type: 'aggregate', parent: { sscc: completeGs1('06901234500000098') }, itemCodes: packs.slice(0, 2) }),
    );
    const caseCode: string = box.createdLotCodes[0];
    const shipmentId = await processor.ship(store, [{ lotCode: caseCode }, { lotCode: lot, quantity: 2 }]);
    await zebra([{ idHex: tag(650), minute: 50 }]);
    await drain();
    await zebra([{ idHex: tag(651), minute: 51 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(651)}`), [{ outcome: 'received', detail: shipmentId }], 'the case is whole');
    // the case is moved past the door again, its packs read in windows of their own
    await zebra([{ idHex: tag(650), minute: 53 }]);
    await drain();
    await zebra([{ idHex: tag(651), minute: 55 }]);
    await drain();
    const open = await shipment(shipmentId);
    t.equal(open.status, 'open', 'the loose packs have not come');
    t.same(
      open.lines.map((line: { lotCode: string; receivedQuantity: number | null }) => [line.lotCode, line.receivedQuantity]),
      [
        [caseCode, 1],
        [lot, null],
        [lot, 2],
      ],
      'the case and what it holds are received, the loose line is not',
    );
    t.match((await processor.lot(lot)).massBalance, { inTransit: 2, transitLoss: 0, unaccounted: 0 });
    t.notOk(
      (await rowsOf(`tag=${tag(651)}`)).some((row: { detail: string | null }) => row.detail?.includes('shipped loose')),
      'the packs of the case are not counted towards the loose line',
    );
    await zebra([{ idHex: tag(652), minute: 57 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(652)}`), [{ outcome: 'observed', detail: `1 of the 2 packs of lot ${lot} shipped loose read` }]);
    await zebra([{ idHex: tag(653), minute: 58 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(653)}`), [{ outcome: 'received', detail: shipmentId }], 'the loose packs receive their line');
    t.equal((await shipment(shipmentId)).status, 'received');
    t.match((await processor.lot(lot)).massBalance, { inTransit: 0, transitLoss: 0, unaccounted: 0 });
  });
});

t.test('packs that waited are judged by when the service received their reads, not by the reader’s clock', async (t) => {
  let clock = new Date('2026-06-01T05:00:00Z');
  const { world, drain, processor, store, product, zebra, impinj, rowsOf, shipment } = await storeWithEntryGate(t, '冷库 4 号门', {
    now: () => clock,
  });
  const bind = (epc: string, code: string) => world.ok(processor.api.post('/rfid/tags', { tags: [{ epc, code }] }), 201);
  const ship = async (lotCode: string, quantity: number, eventTime: string) =>
    (await world.ok(processor.event({ type: 'ship', eventTime, toPartyCode: store.code, lines: [{ lotCode, quantity }] })))
      .shipmentId as string;
  const lot = await processor.commission(product, 6);
  const packs = await issuePacks(world, processor, lot, 6);
  for (const [index, pack] of packs.entries()) await bind(tag(800 + index), pack);

  // the door's reader runs 35 minutes behind the service: its first read of the shipment's packs
  // says it came before the shipment left, the second after
  clock = new Date('2026-06-01T05:50:00Z');
  const first = await ship(lot, 2, '2026-06-01T05:50:00Z');
  clock = new Date('2026-06-01T06:10:00Z');
  await zebra([{ idHex: tag(800), hour: 13, minute: 35 }]);
  await drain();
  t.match(await rowsOf(`tag=${tag(800)}`), [
    { outcome: 'observed', eventId: null, detail: `1 of the 2 packs of lot ${lot} shipped loose read` },
  ]);
  clock = new Date('2026-06-01T06:40:00Z');
  await impinj([{ epcHex: tag(801), time: '2026-06-01T06:05:00.000000000Z' }]);
  await drain();
  const [last] = await rowsOf(`tag=${tag(801)}`);
  t.match(
    last,
    { outcome: 'received', detail: first },
    'the pack the service had after the shipment left counts, whatever the reader’s clock said',
  );
  t.match(await rowsOf(`tag=${tag(800)}`), [{ outcome: 'received', eventId: last.eventId }]);
  t.equal((await shipment(first)).status, 'received');

  // a pack that waited for a line the store then received by hand, short, counts not towards a later line
  clock = new Date('2026-06-01T07:00:00Z');
  const second = await ship(lot, 2, '2026-06-01T07:00:00Z');
  clock = new Date('2026-06-01T07:40:00Z');
  await zebra([{ idHex: tag(802), hour: 15, minute: 5 }]);
  await drain();
  t.match(await rowsOf(`tag=${tag(802)}`), [
    { outcome: 'observed', eventId: null, detail: `1 of the 2 packs of lot ${lot} shipped loose read` },
  ]);
  clock = new Date('2026-06-01T07:45:00Z');
  await world.ok(
    store.event({ type: 'receive', eventTime: '2026-06-01T07:45:00Z', shipmentId: second, lines: [{ lotCode: lot, quantity: 1 }] }),
  );
  clock = new Date('2026-06-01T08:00:00Z');
  const third = await ship(lot, 2, '2026-06-01T08:00:00Z');
  clock = new Date('2026-06-01T08:40:00Z');
  await zebra([{ idHex: tag(804), hour: 16, minute: 5 }]);
  await drain();
  t.match(
    await rowsOf(`tag=${tag(804)}`),
    [{ outcome: 'observed', eventId: null, detail: `1 of the 2 packs of lot ${lot} shipped loose read` }],
    'the pack the service had before the third shipment left is not counted towards it',
  );
  t.equal((await shipment(third)).status, 'open');
});

t.test('a window a later batch brings an earlier read to counts as received when the service first had a read of it', async (t) => {
  let clock = new Date('2026-06-01T02:10:21Z');
  const { world, drain, processor, store, product, zebra, rowsOf, shipment } = await storeWithEntryGate(t, '冷库 11 号门', {
    now: () => clock,
  });
  const lot = await processor.commission(product, 2);
  const packs = await issuePacks(world, processor, lot, 2);
  for (const [index, pack] of packs.entries())
    await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag(1400 + index), code: pack }] }), 201);
  // the pack is at the door before the shipment is recorded; its window is not yet turned into events
  await zebra([{ idHex: tag(1400), hour: 10, minute: 10, second: 20 }]);
  clock = new Date('2026-06-01T02:15:00Z');
  const shipped = (
    await world.ok(
      processor.event({ type: 'ship', eventTime: '2026-06-01T02:15:00Z', toPartyCode: store.code, lines: [{ lotCode: lot, quantity: 2 }] }),
    )
  ).shipmentId as string;
  // a later batch, received after the shipment, brings an earlier read of the same window
  clock = new Date('2026-06-01T02:16:00Z');
  await zebra([{ idHex: tag(1400), hour: 10, minute: 10, second: 5 }]);
  await drain();
  clock = new Date('2026-06-01T02:21:00Z');
  await zebra([{ idHex: tag(1401), hour: 10, minute: 20 }]);
  await drain();
  t.match(
    await rowsOf(`tag=${tag(1401)}`),
    [{ outcome: 'observed', eventId: null, detail: `1 of the 2 packs of lot ${lot} shipped loose read` }],
    'the pack the service had before the shipment left counts not towards it, whichever batch brought its earliest read',
  );
  t.equal((await shipment(shipped)).status, 'open');
});

t.test('a pack counts only towards the line it waited for, and never towards a shipment that left after the store had it', async (t) => {
  let clock = new Date('2026-06-01T02:00:00Z');
  const { world, drain, processor, store, product, reader, zebra, impinj, rowsOf, shipment } = await storeWithEntryGate(t, '冷库 5 号门', {
    now: () => clock,
  });
  const bind = (epc: string, code: string) => world.ok(processor.api.post('/rfid/tags', { tags: [{ epc, code }] }), 201);
  const at = (time: string) => {
    clock = new Date(time);
  };
  const ship = async (lotCode: string, quantity: number) =>
    (
      await world.ok(
        processor.event({ type: 'ship', eventTime: clock.toISOString(), toPartyCode: store.code, lines: [{ lotCode, quantity }] }),
      )
    ).shipmentId as string;
  const lotOf = async (quantity: number, first: number, kind: 'piece' | 'kg' = 'piece') => {
    const lot = await processor.commission(kind === 'piece' ? product : await processor.product('kg'), quantity);
    const packs = await issuePacks(world, processor, lot, kind === 'piece' ? quantity : 2);
    for (const [index, pack] of packs.entries()) await bind(tag(first + index), pack);
    return lot;
  };
  const onHand = async (lot: string) =>
    (await store.lot(lot)).holders.find((h: { partyCode: string }) => h.partyCode === store.code)?.onHand ?? 0;
  const waits = (lot: string) => [{ outcome: 'observed', eventId: null, detail: `1 of the 2 packs of lot ${lot} shipped loose read` }];

  await t.test('a pack that waited for a line the store received by hand counts not towards the next line of its lot', async (t) => {
    const lot = await lotOf(4, 400);
    const first = await ship(lot, 2);
    at('2026-06-01T02:01:00Z');
    const second = await ship(lot, 2);
    at('2026-06-01T03:11:00Z');
    await zebra([{ idHex: tag(400), hour: 11, minute: 10 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(400)}`), waits(lot));
    at('2026-06-01T03:30:00Z');
    await world.ok(
      store.event({ type: 'receive', eventTime: clock.toISOString(), shipmentId: first, lines: [{ lotCode: lot, quantity: 1 }] }),
    );
    at('2026-06-01T08:11:00Z');
    await zebra([{ idHex: tag(402), hour: 16, minute: 10 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(402)}`), waits(lot), 'one of the two packs of the second shipment was read');
    t.equal((await shipment(second)).status, 'open');
    t.equal(await onHand(lot), 1, 'the store holds the one it received by hand');
  });

  await t.test('a pack that waited at one door for a line another door received counts not towards the next line', async (t) => {
    const other = await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 2 }], { name: '冷库 6 号门' });
    t.ok(other.readPointId);
    const lot = await lotOf(4, 700);
    at('2026-06-01T09:00:00Z');
    const first = await ship(lot, 2);
    at('2026-06-01T09:01:00Z');
    const second = await ship(lot, 2);
    at('2026-06-01T09:11:00Z');
    await zebra([{ idHex: tag(700), hour: 17, minute: 10 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(700)}`), waits(lot));
    at('2026-06-01T09:13:00Z');
    await reader.api.post(
      '/rfid/zebra',
      [700, 701].map((n) => zebraEvent({ idHex: tag(n), antenna: 2, hostName: reader.hostName, timestamp: readTime(12, 0, 17) })),
    );
    await drain();
    t.equal((await shipment(first)).status, 'received', 'the other door receives the first shipment');
    at('2026-06-01T13:11:00Z');
    await zebra([{ idHex: tag(702), hour: 21, minute: 10 }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(702)}`), waits(lot), 'one of the two packs of the second shipment was read');
    t.equal((await shipment(second)).status, 'open');
    t.equal(await onHand(lot), 2);
  });

  await t.test('packs the gate received before a shipment left, read again, count towards none of its lines', async (t) => {
    const lot = await lotOf(4, 300);
    at('2026-06-01T14:00:00Z');
    const first = await ship(lot, 2);
    at('2026-06-01T14:11:00Z');
    await zebra([
      { idHex: tag(300), hour: 22, minute: 10 },
      { idHex: tag(301), hour: 22, minute: 10 },
    ]);
    await drain();
    t.equal((await shipment(first)).status, 'received');
    at('2026-06-01T14:15:00Z');
    const second = await ship(lot, 2);
    at('2026-06-01T14:21:00Z');
    await zebra([
      { idHex: tag(300), hour: 22, minute: 20 },
      { idHex: tag(301), hour: 22, minute: 20 },
    ]);
    await drain();
    t.equal((await shipment(second)).status, 'open', 'the store’s own packs bring nothing of the second shipment');
    const [again] = await rowsOf(`tag=${tag(300)}&outcome=observed`);
    t.not(again?.eventId ?? null, null, 'they are observed as the store’s, with an event');
    at('2026-06-01T14:31:00Z');
    await zebra([
      { idHex: tag(302), hour: 22, minute: 30 },
      { idHex: tag(303), hour: 22, minute: 30 },
    ]);
    await drain();
    t.match(await rowsOf(`tag=${tag(302)}`), [{ outcome: 'received', detail: second }], 'its own packs receive it');
    t.equal(await onHand(lot), 4);
  });

  await t.test('by weight: a pack that brought one shipment, read again by an Impinj reader, brings not the next', async (t) => {
    const lot = await lotOf(20, 310, 'kg');
    at('2026-06-01T15:00:00Z');
    const first = await ship(lot, 10);
    at('2026-06-01T15:11:00Z');
    await zebra([{ idHex: tag(310), hour: 23, minute: 10 }]);
    await drain();
    t.equal((await shipment(first)).status, 'received');
    at('2026-06-01T15:15:00Z');
    const second = await ship(lot, 10);
    at('2026-06-01T15:21:00Z');
    await impinj([{ epcHex: tag(310), time: '2026-06-01T15:20:00.000000000Z' }]);
    await drain();
    t.equal((await shipment(second)).status, 'open', 'the pack the store had brings nothing of it');
    at('2026-06-01T15:31:00Z');
    await impinj([{ epcHex: tag(311), time: '2026-06-01T15:30:00.000000000Z' }]);
    await drain();
    t.match(await rowsOf(`tag=${tag(311)}`), [{ outcome: 'received', detail: second }]);
    t.equal(await onHand(lot), 20);
  });

  await t.test('packs the store’s exit gate saw leave count again when they come back in a shipment', async (t) => {
    await readPoint(world, store, 'exit', [{ readerId: reader.id, antenna: 3 }], { name: '冷库 出口' });
    const read = (antenna: number, tags: number[], time: string) =>
      reader.api.post(
        '/rfid/zebra',
        tags.map((n) => zebraEvent({ idHex: tag(n), antenna, hostName: reader.hostName, timestamp: time })),
      );
    const lot = await lotOf(2, 320);
    at('2026-06-01T16:00:00Z');
    const first = await ship(lot, 2);
    at('2026-06-01T16:11:00Z');
    await read(1, [320, 321], '2026-06-01T16:10:00.000Z');
    await drain();
    t.equal((await shipment(first)).status, 'received');
    at('2026-06-01T16:20:00Z');
    const back = (
      await world.ok(
        store.event({ type: 'ship', eventTime: clock.toISOString(), toPartyCode: processor.code, lines: [{ lotCode: lot, quantity: 2 }] }),
      )
    ).shipmentId as string;
    at('2026-06-01T16:26:00Z');
    await read(3, [320, 321], '2026-06-01T16:25:00.000Z');
    await drain();
    t.match(await rowsOf(`tag=${tag(320)}&outcome=departed`), [{ detail: back }], 'they leave in the shipment back');
    await world.ok(
      processor.event({ type: 'receive', eventTime: clock.toISOString(), shipmentId: back, lines: [{ lotCode: lot, quantity: 2 }] }),
    );
    at('2026-06-01T17:00:00Z');
    const again = await ship(lot, 2);
    at('2026-06-01T17:11:00Z');
    await read(1, [320, 321], '2026-06-01T17:10:00.000Z');
    await drain();
    t.match(await rowsOf(`tag=${tag(321)}&outcome=received`), [{ detail: again }, { detail: first }], 'they receive it');
    t.equal((await shipment(again)).status, 'received');
    t.equal(await onHand(lot), 2);
  });

  await t.test('packs whose gate receipt was corrected count again towards the line it reopened', async (t) => {
    const read = (tags: number[], time: string) =>
      reader.api.post(
        '/rfid/zebra',
        tags.map((n) => zebraEvent({ idHex: tag(n), antenna: 1, hostName: reader.hostName, timestamp: time })),
      );
    const lot = await lotOf(2, 330);
    at('2026-06-01T18:00:00Z');
    const shipped = await ship(lot, 2);
    at('2026-06-01T18:11:00Z');
    await read([330, 331], '2026-06-01T18:09:00.000Z');
    await drain();
    const [receipt] = await rowsOf(`tag=${tag(330)}&outcome=received`);
    t.equal(receipt?.detail, shipped, 'the gate received the line');
    at('2026-06-01T18:20:00Z');
    await world.ok(store.event({ type: 'correction', correctsEventId: receipt.eventId, reason: '读错了门，货还在车上' }));
    t.equal((await shipment(shipped)).status, 'open', 'the correction puts the line back on its way');
    at('2026-06-01T18:31:00Z');
    await read([330, 331], '2026-06-01T18:29:00.000Z');
    await drain();
    t.equal((await shipment(shipped)).status, 'received', 'the packs read when they come in receive it');
    t.equal(await onHand(lot), 2);
  });
});

/** A store with an entry gate whose clock the test sets, and how its tests ship, receive and bind. */
async function storeOnTheClock(t: Test, doorName: string, start: string) {
  let clock = new Date(start);
  const gate = await storeWithEntryGate(t, doorName, { now: () => clock });
  const { world, processor, product, rowsOf } = gate;
  const at = (time: string) => {
    clock = new Date(time);
  };
  const ship = async (from: Actor, to: Actor, lotCode: string, quantity: number) =>
    (await world.ok(from.event({ type: 'ship', eventTime: clock.toISOString(), toPartyCode: to.code, lines: [{ lotCode, quantity }] })))
      .shipmentId as string;
  const receive = (party: Actor, shipmentId: string) =>
    world.ok(party.event({ type: 'receive', eventTime: clock.toISOString(), shipmentId }));
  /** A lot of the processor's of `quantity` packs, their tags numbered from `first`. */
  const lotOf = async (quantity: number, first: number) => {
    const lot = await processor.commission(product, quantity);
    const packs = await issuePacks(world, processor, lot, quantity);
    for (const [index, pack] of packs.entries())
      await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag(first + index), code: pack }] }), 201);
    return lot;
  };
  const onHand = async (lot: string) =>
    (await gate.store.lot(lot)).holders.find((h: { partyCode: string }) => h.partyCode === gate.store.code)?.onHand ?? 0;
  /** The tag's latest observation at the store's read points. */
  const latest = async (n: number) => (await rowsOf(`tag=${tag(n)}`))[0];
  return { ...gate, at, ship, receive, lotOf, onHand, latest };
}

t.test('a pack the store shipped on counts again when it comes back, though no exit gate saw it leave', async (t) => {
  const { drain, processor, store, zebra, shipment, at, ship, receive, lotOf, onHand, latest } = await storeOnTheClock(
    t,
    '冷库 7 号门',
    '2026-06-01T02:00:00Z',
  );
  const waits = (lot: string) => ({ outcome: 'observed', eventId: null, detail: `1 of the 2 packs of lot ${lot} shipped loose read` });

  await t.test('all the store had shipped on through the API and sent back: its packs receive the shipment back, each once', async (t) => {
    const lot = await lotOf(4, 900);
    const first = await ship(processor, store, lot, 2);
    at('2026-06-01T02:11:00Z');
    await zebra([
      { idHex: tag(900), hour: 10, minute: 10 },
      { idHex: tag(901), hour: 10, minute: 10 },
    ]);
    await drain();
    t.equal((await shipment(first)).status, 'received');
    at('2026-06-01T02:20:00Z');
    const onward = await ship(store, processor, lot, 2);
    t.equal(await onHand(lot), 0, 'the store shipped all it had of the lot');
    at('2026-06-01T02:25:00Z');
    await receive(processor, onward);
    at('2026-06-01T02:30:00Z');
    const back = await ship(processor, store, lot, 2);
    at('2026-06-01T02:41:00Z');
    await zebra([{ idHex: tag(900), hour: 10, minute: 40 }]);
    await drain();
    t.match(await latest(900), waits(lot), 'the pack that left in the store’s own shipment counts towards the one bringing it back');
    at('2026-06-01T02:51:00Z');
    await zebra([{ idHex: tag(900), hour: 10, minute: 50 }]);
    await drain();
    t.match(await latest(900), waits(lot), 'read again, it counts once');
    t.equal((await shipment(back)).status, 'open');
    at('2026-06-01T03:01:00Z');
    await zebra([{ idHex: tag(901), hour: 11, minute: 0 }]);
    await drain();
    t.match(await latest(901), { outcome: 'received', detail: back });
    t.match(await latest(900), { outcome: 'received', detail: back }, 'the pack that waited is received with it');
    t.equal((await shipment(back)).status, 'received');
    t.equal(await onHand(lot), 2);

    // back in the store, and not shipped on since: they count towards no further line of their lot
    at('2026-06-01T03:10:00Z');
    const more = await ship(processor, store, lot, 2);
    at('2026-06-01T03:21:00Z');
    await zebra([
      { idHex: tag(900), hour: 11, minute: 20 },
      { idHex: tag(901), hour: 11, minute: 20 },
    ]);
    await drain();
    t.equal((await shipment(more)).status, 'open', 'packs that never left since bring nothing of it');
    const again = await latest(900);
    t.match(again, { outcome: 'observed', detail: null });
    t.not(again.eventId, null, 'observed as the store’s, with an event');
  });

  await t.test('a shipment of some of its lot is no departure of the packs the store still may have', async (t) => {
    const lot = await lotOf(8, 950);
    at('2026-06-01T03:30:00Z');
    const first = await ship(processor, store, lot, 4);
    at('2026-06-01T03:41:00Z');
    await zebra([950, 951, 952, 953].map((n) => ({ idHex: tag(n), hour: 11, minute: 40 })));
    await drain();
    t.equal((await shipment(first)).status, 'received');
    // the store ships 2 of the 4 on: which 2, the shipment does not say
    at('2026-06-01T03:45:00Z');
    const onward = await ship(store, processor, lot, 2);
    at('2026-06-01T03:46:00Z');
    await receive(processor, onward);
    t.equal(await onHand(lot), 2);
    at('2026-06-01T03:50:00Z');
    const next = await ship(processor, store, lot, 2);
    at('2026-06-01T04:01:00Z');
    await zebra([
      { idHex: tag(950), hour: 12, minute: 0 },
      { idHex: tag(951), hour: 12, minute: 0 },
    ]);
    await drain();
    t.equal((await shipment(next)).status, 'open', 'packs that may never have left receive nothing of it');
    const stayed = await latest(950);
    t.match(stayed, { outcome: 'observed', detail: null }, 'observed as the store’s');
    t.not(stayed.eventId, null, 'with an event');
    t.equal(await onHand(lot), 2, 'nothing booked in that did not arrive');
  });

  await t.test('a shipment of its lot the store recorded before the gate received a pack is no departure of it', async (t) => {
    const lot = await lotOf(4, 910);
    at('2026-06-01T04:00:00Z');
    const byHand = await ship(processor, store, lot, 2);
    at('2026-06-01T04:05:00Z');
    await receive(store, byHand);
    at('2026-06-01T04:10:00Z');
    const onward = await ship(store, processor, lot, 2);
    at('2026-06-01T04:15:00Z');
    await receive(processor, onward);
    at('2026-06-01T04:20:00Z');
    const first = await ship(processor, store, lot, 2);
    at('2026-06-01T04:31:00Z');
    await zebra([
      { idHex: tag(912), hour: 12, minute: 30 },
      { idHex: tag(913), hour: 12, minute: 30 },
    ]);
    await drain();
    t.equal((await shipment(first)).status, 'received');
    at('2026-06-01T04:40:00Z');
    const second = await ship(processor, store, lot, 2);
    at('2026-06-01T04:51:00Z');
    await zebra([
      { idHex: tag(912), hour: 12, minute: 50 },
      { idHex: tag(913), hour: 12, minute: 50 },
    ]);
    await drain();
    t.equal((await shipment(second)).status, 'open', 'the packs the store still has bring nothing of it');
    t.match(await latest(912), { outcome: 'observed', detail: null });
  });
});

t.test('a lot the store shipped on whole is the departure of its packs, by whichever door the shipment came', async (t) => {
  const { world, drain, processor, store, zebra, shipment, at, ship, receive, lotOf, onHand, latest } = await storeOnTheClock(
    t,
    '冷库 9 号门',
    '2026-06-01T06:00:00Z',
  );
  const { capture } = epcisRequests(world);
  const toProcessor = [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${processor.code}` }];
  const shipped = { success: true, captured: 1 };
  const departures: [string, (t: Test, lot: string, eventTime: string) => Promise<unknown>][] = [
    [
      'POST /events',
      (_t, lot, eventTime) =>
        world.ok(store.event({ type: 'ship', eventTime, toPartyCode: processor.code, lines: [{ lotCode: lot, quantity: 2 }] })),
    ],
    [
      'an EPCIS capture of a shipping ObjectEvent',
      async (t, lot, eventTime) =>
        t.match(
          await capture(store.key, [
            {
              type: 'ObjectEvent',
              eventTime,
              eventTimeZoneOffset: '+00:00',
              action: 'OBSERVE',
              bizStep: 'shipping',
              quantityList: [{ epcClass: `${TEST_BASE_URL}/lots/${lot}`, quantity: 2, uom: 'H87' }],
              destinationList: toProcessor,
            },
          ]),
          shipped,
          'the store ships the lot through EPCIS',
        ),
    ],
    [
      'an EPCIS capture of a shipping TransactionEvent',
      async (t, lot, eventTime) =>
        t.match(
          await capture(store.key, [
            {
              type: 'TransactionEvent',
              eventTime,
              eventTimeZoneOffset: '+00:00',
              action: 'OBSERVE',
              bizStep: 'shipping',
              bizTransactionList: [{ type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:0614141000005:PO-${lot}` }],
              epcList: [],
              quantityList: [{ epcClass: `${TEST_BASE_URL}/lots/${lot}`, quantity: 2, uom: 'H87' }],
              destinationList: toProcessor,
            },
          ]),
          shipped,
          'the store ships the lot through EPCIS',
        ),
    ],
  ];
  for (const [index, [door, shipOnward]] of departures.entries()) {
    await t.test(`shipped on through ${door}: its packs count towards the shipment bringing them back`, async (t) => {
      const hour = 6 + index;
      const utc = (minute: number) => `2026-06-01T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
      const first = 1000 + index * 10;
      const lot = await lotOf(2, first);
      at(utc(0));
      const arrival = await ship(processor, store, lot, 2);
      at(utc(11));
      await zebra([0, 1].map((n) => ({ idHex: tag(first + n), hour: hour + 8, minute: 10 })));
      await drain();
      t.equal((await shipment(arrival)).status, 'received', 'both packs came through the gate');

      at(utc(20));
      await shipOnward(t, lot, utc(20));
      t.equal(await onHand(lot), 0, 'the store shipped all it had of the lot');
      const onward = (await processor.api.get('/shipments?status=open')).body.items.find(
        (s: { fromPartyCode: string; lines: { lotCode: string }[] }) =>
          s.fromPartyCode === store.code && s.lines.some((line) => line.lotCode === lot),
      );
      at(utc(25));
      await receive(processor, onward.id);
      at(utc(30));
      const back = await ship(processor, store, lot, 2);
      at(utc(41));
      await zebra([0, 1].map((n) => ({ idHex: tag(first + n), hour: hour + 8, minute: 40 })));
      await drain();
      for (const n of [0, 1])
        t.match(await latest(first + n), { outcome: 'received', detail: back }, 'the packs that left count towards the lot coming back');
      t.equal((await shipment(back)).status, 'received', 'the lot came back through the gate');
      t.equal(await onHand(lot), 2);
    });
  }
});

t.test(
  'a read the store had while it held the lot, judged after it shipped the lot on, is its observation at the read’s time',
  async (t) => {
    const { world, drain, processor, store, zebra, shipment, at, ship, lotOf, onHand, latest } = await storeOnTheClock(
      t,
      '冷库 12 号门',
      '2026-06-01T02:00:00Z',
    );
    const lot = await lotOf(2, 1500);
    const arrival = await ship(processor, store, lot, 2);
    at('2026-06-01T02:11:00Z');
    await zebra([1500, 1501].map((n) => ({ idHex: tag(n), hour: 10, minute: 10 })));
    await drain();
    t.equal((await shipment(arrival)).status, 'received', 'both packs came through the gate');

    // the store's reader posts a read of a pack (its window not yet closed), then the store ships the whole lot on
    at('2026-06-01T02:20:10Z');
    await zebra([{ idHex: tag(1500), hour: 10, minute: 20, second: 5 }]);
    at('2026-06-01T02:20:20Z');
    await ship(store, processor, lot, 2);
    t.equal(await onHand(lot), 0, 'the store shipped all it had of the lot');
    at('2026-06-01T02:21:00Z');
    await drain();
    const read = await latest(1500);
    t.match(read, { outcome: 'observed', lotCode: lot, detail: null }, 'the read the store made while it held the lot is kept');
    t.not(read.eventId, null, 'as its observation');
    const event = (await world.ok(store.api.get(`/events/${read.eventId}`), 200)) as { type: string; eventTime: string; partyCode: string };
    t.match(event, { type: 'observe', partyCode: store.code }, 'the store’s observation of the lot');
    t.equal(new Date(event.eventTime).toISOString(), '2026-06-01T02:20:05.000Z', 'at the read’s time, when the store held the lot');
  },
);

t.test(
  'a read the service first had after the store shipped the lot on is no observation of the store’s, whatever the reader’s clock said',
  async (t) => {
    const { drain, processor, store, zebra, shipment, at, ship, lotOf, latest } = await storeOnTheClock(
      t,
      '冷库 13 号门',
      '2026-06-01T02:00:00Z',
    );
    const lot = await lotOf(2, 1510);
    const arrival = await ship(processor, store, lot, 2);
    at('2026-06-01T02:11:00Z');
    await zebra([1510, 1511].map((n) => ({ idHex: tag(n), hour: 10, minute: 10 })));
    await drain();
    t.equal((await shipment(arrival)).status, 'received');
    at('2026-06-01T02:20:20Z');
    await ship(store, processor, lot, 2);

    // a reader whose clock runs ten minutes behind: the read it dates 02:20:05 reached the service at
    // 02:30:10, after the shipment; a later batch brings reads of the same window, later still
    at('2026-06-01T02:30:10Z');
    await zebra([{ idHex: tag(1510), hour: 10, minute: 20, second: 5 }]);
    at('2026-06-01T02:31:00Z');
    await zebra([{ idHex: tag(1510), hour: 10, minute: 20, second: 1 }]);
    at('2026-06-01T02:32:00Z');
    await drain();
    const read = await latest(1510);
    t.match(read, { outcome: 'rejected', lotCode: lot, eventId: null }, 'not the store’s observation of a lot it had shipped on');
    t.match(read.detail, /neither owns nor holds/, 'the writer’s refusal');
    t.match(read.detail, /at 2026-06-01T02:30:10.000Z/, 'judged by when the service first had a read of the window');
  },
);

t.test('a late batch of a window costs the reads the service had before the store shipped the lot on nothing', async (t) => {
  const { world, drain, processor, store, zebra, shipment, at, ship, lotOf, latest } = await storeOnTheClock(
    t,
    '冷库 99 号门',
    '2026-06-01T02:00:00Z',
  );
  const lot = await lotOf(2, 1600);
  const arrival = await ship(processor, store, lot, 2);
  at('2026-06-01T02:11:00Z');
  await zebra([1600, 1601].map((n) => ({ idHex: tag(n), hour: 10, minute: 10 })));
  await drain();
  t.equal((await shipment(arrival)).status, 'received');

  // a window's reads posted in two batches while the store held the lot: one observation
  at('2026-06-01T02:15:06Z');
  await zebra([{ idHex: tag(1600), hour: 10, minute: 15, second: 5 }]);
  at('2026-06-01T02:15:12Z');
  await zebra([{ idHex: tag(1601), hour: 10, minute: 15, second: 10 }]);
  at('2026-06-01T02:16:00Z');
  await drain();
  const [first, second] = [await latest(1600), await latest(1601)];
  t.match(first, { outcome: 'observed', detail: null });
  t.not(first.eventId, null);
  t.equal(second.eventId, first.eventId, 'the lot’s one observe of the window');

  // one pack read and posted while the store held the lot; the other, of the same window, posted after it shipped the lot on
  at('2026-06-01T02:20:06Z');
  await zebra([{ idHex: tag(1600), hour: 10, minute: 20, second: 5 }]);
  at('2026-06-01T02:20:20Z');
  await ship(store, processor, lot, 2);
  at('2026-06-01T02:20:25Z');
  await zebra([{ idHex: tag(1601), hour: 10, minute: 20, second: 7 }]);
  at('2026-06-01T02:21:00Z');
  await drain();
  const kept = await latest(1600);
  t.match(kept, { outcome: 'observed', lotCode: lot, detail: null }, 'the read the service had while the store held the lot is kept');
  t.not(kept.eventId, null, 'as its observation');
  const event = (await world.ok(store.api.get(`/events/${kept.eventId}`), 200)) as { eventTime: string };
  t.equal(new Date(event.eventTime).toISOString(), '2026-06-01T02:20:05.000Z', 'at its read’s time');
  const late = await latest(1601);
  t.match(late, { outcome: 'rejected', lotCode: lot, eventId: null }, 'the one it had after the shipment is not');
  t.match(late.detail, /it held none of it at 2026-06-01T02:20:25.000Z/, 'judged when the service first had it');
});

t.test('a reader whose clock runs ahead: what its gate received in a batch is observed in the same batch as held', async (t) => {
  const { world, drain, processor, store, reader, zebra, shipment, at, ship, lotOf, latest } = await storeOnTheClock(
    t,
    '冷库 14 号门',
    '2026-06-01T02:00:00Z',
  );
  await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 2 }], { name: '冷库 通道' });
  const lot = await lotOf(2, 1520);
  const arrival = await ship(processor, store, lot, 2);
  // the reader's clock runs 90 s ahead of the service's: the service has the batch before the times it gives
  at('2026-06-01T02:40:00Z');
  await zebra([1520, 1521].map((n) => ({ idHex: tag(n), hour: 10, minute: 41, second: 30 })));
  await reader.api.post('/rfid/zebra', [
    zebraEvent({ idHex: tag(1520), antenna: 2, hostName: reader.hostName, timestamp: readTime(41, 50, 10) }),
  ]);
  at('2026-06-01T02:42:00Z');
  await drain();
  t.equal((await shipment(arrival)).status, 'received', 'the entry gate received the lot, as of the reader’s time');
  const seen = await latest(1520);
  t.match(seen, { outcome: 'observed', lotCode: lot }, 'the pass-through read after the receipt, by the reader’s time');
  t.not(seen.eventId, null, 'is the store’s observation, though the service had it before the receipt’s time');
});

t.test('a case the store shipped on is the departure of the packs it recorded in it, by whichever door the shipment came', async (t) => {
  const { world, drain, processor, store, product, zebra, shipment, at, ship, receive, onHand, latest } = await storeOnTheClock(
    t,
    '冷库 10 号门',
    '2026-06-01T06:00:00Z',
  );
  const { capture } = epcisRequests(world);
  const shipCases = async (from: Actor, to: Actor, caseCodes: string[], eventTime: string) =>
    (await world.ok(from.event({ type: 'ship', eventTime, toPartyCode: to.code, lines: caseCodes.map((lotCode) => ({ lotCode })) })))
      .shipmentId as string;
  /** The store's shipment on carrying the case, as the processor sees it. */
  const onwardWith = async (caseCode: string) =>
    (await processor.api.get('/shipments?status=open')).body.items.find(
      (s: { fromPartyCode: string; lines: { lotCode: string }[] }) =>
        s.fromPartyCode === store.code && s.lines.some((line) => line.lotCode === caseCode),
    ).id as string;
  let serial = 0;
  /** A case the party packs the packs into (at `eventTime`, else the world's next time: before the gate's day). */
  const newCase = async (party: Actor, itemCodes: string[], eventTime?: string) => {
    const sscc = completeGs1(`0690123450009${String(++serial).padStart(4, '0')}`);
    const packed = await world.ok(party.event({ type: 'aggregate', parent: { sscc }, itemCodes, ...(eventTime && { eventTime }) }));
    return { sscc, code: packed.createdLotCodes[0] as string };
  };
  /** A lot of the processor's of `quantity` packs, their tags numbered from `first`, with its packs' codes. */
  const packsOf = async (quantity: number, first: number) => {
    const lot = await processor.commission(product, quantity);
    const packs = await issuePacks(world, processor, lot, quantity);
    for (const [index, pack] of packs.entries())
      await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag(first + index), code: pack }] }), 201);
    return { lot, packs };
  };
  const departures: [string, (t: Test, caseOnward: { sscc: string; code: string }, eventTime: string) => Promise<unknown>][] = [
    [
      'POST /events',
      (_t, caseOnward, eventTime) =>
        world.ok(store.event({ type: 'ship', eventTime, toPartyCode: processor.code, lines: [{ lotCode: caseOnward.code }] })),
    ],
    [
      'an EPCIS capture of a shipping ObjectEvent',
      async (t, caseOnward, eventTime) =>
        t.match(
          await capture(store.key, [
            {
              type: 'ObjectEvent',
              eventTime,
              eventTimeZoneOffset: '+00:00',
              action: 'OBSERVE',
              bizStep: 'shipping',
              epcList: [`https://id.gs1.org/00/${caseOnward.sscc}`],
              destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${processor.code}` }],
            },
          ]),
          { success: true, captured: 1 },
          'the store ships the case through EPCIS',
        ),
    ],
    [
      'an EPCIS capture of a shipping TransactionEvent naming the case as its parent',
      async (t, caseOnward, eventTime) =>
        t.match(
          await capture(store.key, [
            {
              type: 'TransactionEvent',
              eventTime,
              eventTimeZoneOffset: '+00:00',
              action: 'OBSERVE',
              bizStep: 'shipping',
              bizTransactionList: [{ type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:0614141000005:PO-${caseOnward.sscc}` }],
              parentID: `https://id.gs1.org/00/${caseOnward.sscc}`,
              epcList: [],
              destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${processor.code}` }],
            },
          ]),
          { success: true, captured: 1 },
          'the store ships the case through EPCIS',
        ),
    ],
  ];
  for (const [index, [door, shipOnward]] of departures.entries()) {
    await t.test(`received in the case at the gate, shipped on through ${door}, the store holding another case of the lot`, async (t) => {
      const hour = 6 + index;
      const utc = (minute: number) => `2026-06-01T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
      const first = 1100 + index * 10;
      const { lot, packs } = await packsOf(4, first);
      const cases = [await newCase(processor, packs.slice(0, 2)), await newCase(processor, packs.slice(2))];
      at(utc(0));
      const arrival = await shipCases(processor, store, [cases[0].code, cases[1].code], utc(0));
      at(utc(11));
      await zebra([0, 1, 2, 3].map((n) => ({ idHex: tag(first + n), hour: hour + 8, minute: 10 })));
      await drain();
      t.equal((await shipment(arrival)).status, 'received', 'both cases came through the gate');

      at(utc(20));
      await shipOnward(t, cases[0], utc(20));
      t.equal(await onHand(lot), 2, 'the store still holds the other case of the lot');
      at(utc(25));
      await receive(processor, await onwardWith(cases[0].code));
      at(utc(30));
      const back = await shipCases(processor, store, [cases[0].code], utc(30));
      at(utc(41));
      await zebra([0, 1, 2].map((n) => ({ idHex: tag(first + n), hour: hour + 8, minute: 40 })));
      await drain();
      for (const n of [0, 1])
        t.match(
          await latest(first + n),
          { outcome: 'received', detail: back },
          'the packs of the case that left count towards it coming back',
        );
      t.equal((await shipment(back)).status, 'received', 'the case came back through the gate');
      const stayed = await latest(first + 2);
      t.match(stayed, { outcome: 'observed', detail: null }, 'a pack of the case the store kept is observed as the store’s');
      t.not(stayed.eventId, null);
      t.equal(await onHand(lot), 4);
    });
  }

  await t.test('packed into a case by the store itself, shipped on while it holds another case of the lot', async (t) => {
    const first = 1200;
    const { lot, packs } = await packsOf(4, first);
    at('2026-06-01T09:00:00Z');
    const arrival = await ship(processor, store, lot, 4);
    at('2026-06-01T09:11:00Z');
    await zebra([0, 1, 2, 3].map((n) => ({ idHex: tag(first + n), hour: 17, minute: 10 })));
    await drain();
    t.equal((await shipment(arrival)).status, 'received', 'the packs came in loose');
    at('2026-06-01T09:15:00Z');
    const onward = await newCase(store, packs.slice(0, 2), '2026-06-01T09:15:00Z');
    await newCase(store, packs.slice(2), '2026-06-01T09:15:00Z');
    at('2026-06-01T09:20:00Z');
    await shipCases(store, processor, [onward.code], '2026-06-01T09:20:00Z');
    t.equal(await onHand(lot), 2, 'the store still holds its other case of the lot');
    at('2026-06-01T09:25:00Z');
    await receive(processor, await onwardWith(onward.code));
    at('2026-06-01T09:30:00Z');
    const back = await shipCases(processor, store, [onward.code], '2026-06-01T09:30:00Z');
    at('2026-06-01T09:41:00Z');
    await zebra([0, 1, 2].map((n) => ({ idHex: tag(first + n), hour: 17, minute: 40 })));
    await drain();
    for (const n of [0, 1])
      t.match(
        await latest(first + n),
        { outcome: 'received', detail: back },
        'the packs the store packed and shipped count towards the case back',
      );
    t.equal((await shipment(back)).status, 'received');
    t.match(await latest(first + 2), { outcome: 'observed', detail: null }, 'a pack of the case the store kept is the store’s');
    t.equal(await onHand(lot), 4);
  });

  await t.test('another party packing the store’s pack into a case the store shipped is no departure of it', async (t) => {
    const first = 1300;
    const { lot, packs } = await packsOf(4, first);
    at('2026-06-01T10:00:00Z');
    const arrival = await ship(processor, store, lot, 3);
    at('2026-06-01T10:11:00Z');
    await zebra([0, 1, 2].map((n) => ({ idHex: tag(first + n), hour: 18, minute: 10 })));
    await drain();
    t.equal((await shipment(arrival)).status, 'received');
    at('2026-06-01T10:15:00Z');
    const crate = await newCase(store, [packs[0]], '2026-06-01T10:15:00Z');
    at('2026-06-01T10:20:00Z');
    await shipCases(store, processor, [crate.code], '2026-06-01T10:20:00Z');
    at('2026-06-01T10:25:00Z');
    await receive(processor, await onwardWith(crate.code));
    // the processor, holding loose stock of the lot, packs the store's second pack (never shipped) into the crate
    await world.ok(
      processor.event({
        type: 'aggregate',
        eventTime: '2026-06-01T10:25:00Z',
        parent: { containerCode: crate.code },
        itemCodes: [packs[1]],
      }),
    );
    at('2026-06-01T10:30:00Z');
    const back = await shipCases(processor, store, [crate.code], '2026-06-01T10:30:00Z');
    at('2026-06-01T10:41:00Z');
    await zebra([0, 1].map((n) => ({ idHex: tag(first + n), hour: 18, minute: 40 })));
    await drain();
    const stayed = await latest(first + 1);
    t.match(stayed, { outcome: 'observed', detail: null }, 'the pack that never left is the store’s');
    t.not(stayed.eventId, null);
    t.match(
      await latest(first),
      { outcome: 'observed', eventId: null, detail: `1 of the 2 packs of case ${crate.code} read` },
      'the pack the store shipped in the crate counts towards the crate coming back, alone',
    );
    t.equal((await shipment(back)).status, 'open', 'the crate is not received on a pack that never left');
    t.equal(await onHand(lot), 2);
  });

  /** The store receives a case back through the door given, at `eventTime`. */
  const returns: [string, (t: Test, shipmentId: string, caseBack: { sscc: string }, eventTime: string) => Promise<unknown>][] = [
    ['POST /events', (_t, shipmentId, _caseBack, eventTime) => world.ok(store.event({ type: 'receive', eventTime, shipmentId }))],
    [
      'an EPCIS capture of a receiving ObjectEvent',
      async (t, _shipmentId, caseBack, eventTime) =>
        t.match(
          await capture(store.key, [
            {
              type: 'ObjectEvent',
              eventTime,
              eventTimeZoneOffset: '+00:00',
              action: 'OBSERVE',
              bizStep: 'receiving',
              epcList: [`https://id.gs1.org/00/${caseBack.sscc}`],
            },
          ]),
          { success: true, captured: 1 },
          'the store receives the case through EPCIS',
        ),
    ],
  ];
  for (const [index, [door, receiveBack]] of returns.entries()) {
    await t.test(
      `a case that came back through ${door}, a pack taken out and kept, shipped on again: the pack is the store’s`,
      async (t) => {
        const hour = 11 + index;
        const utc = (minute: number) => `2026-06-01T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
        const first = 1500 + index * 10;
        const { lot, packs } = await packsOf(6, first);
        const cases = [await newCase(processor, packs.slice(0, 2)), await newCase(processor, packs.slice(2, 4))];
        at(utc(0));
        const arrival = await shipCases(processor, store, [cases[0].code, cases[1].code], utc(0));
        at(utc(11));
        await zebra([0, 1, 2, 3].map((n) => ({ idHex: tag(first + n), hour: hour + 8, minute: 10 })));
        await drain();
        t.equal((await shipment(arrival)).status, 'received', 'both cases came through the gate');
        // the store ships case 0 on, and the processor sends it back
        at(utc(20));
        await shipCases(store, processor, [cases[0].code], utc(20));
        at(utc(25));
        await receive(processor, await onwardWith(cases[0].code));
        at(utc(30));
        const back = await shipCases(processor, store, [cases[0].code], utc(30));
        at(utc(35));
        await receiveBack(t, back, cases[0], utc(35));
        t.equal((await shipment(back)).status, 'received', 'the case is back');
        // the store takes pack 0 out of the case and keeps it, and ships the case on again with pack 1
        at(utc(40));
        await world.ok(store.event({ type: 'disaggregate', eventTime: utc(40), parentCode: cases[0].code, children: [lot] }));
        await world.ok(
          store.event({ type: 'aggregate', eventTime: utc(40), parent: { containerCode: cases[0].code }, itemCodes: [packs[1]] }),
        );
        at(utc(45));
        await shipCases(store, processor, [cases[0].code], utc(45));
        t.equal(await onHand(lot), 3, 'the store holds pack 0 loose and case 1');
        at(utc(50));
        const fresh = await ship(processor, store, lot, 1);
        at(utc(56));
        await zebra([{ idHex: tag(first), hour: hour + 8, minute: 55 }]);
        await drain();
        const stayed = await latest(first);
        t.match(stayed, { outcome: 'observed', detail: null }, 'pack 0, on the store’s shelf since the case came back, is the store’s');
        t.not(stayed.eventId, null);
        t.equal((await shipment(fresh)).status, 'open', 'the fresh shipment is not received on a pack that never left');
        t.equal(await onHand(lot), 3);
      },
    );
  }

  /**
   * The store receives two cases of packs 0–1 and 2–3 of a six-pack lot at the gate, ships case 0 on,
   * the processor receives it and does `open` to it, sends it back, and the store receives it back
   * through the door given; a minute-numbered clock in the hour given (UTC; past 23 on the next day).
   */
  const caseOpenedAndBack = async (
    t: Test,
    hour: number,
    first: number,
    receiveBack: (typeof returns)[number][1],
    open: (caseCode: string, lot: string, packs: string[], utc: (minute: number) => string) => Promise<unknown>,
  ) => {
    const utc = (minute: number) => new Date(Date.UTC(2026, 5, 1, hour, minute)).toISOString();
    const { lot, packs } = await packsOf(6, first);
    const cases = [await newCase(processor, packs.slice(0, 2)), await newCase(processor, packs.slice(2, 4))];
    at(utc(0));
    const arrival = await shipCases(processor, store, [cases[0].code, cases[1].code], utc(0));
    at(utc(11));
    await zebra([0, 1, 2, 3].map((n) => ({ idHex: tag(first + n), hour: hour + 8, minute: 10 })));
    await drain();
    t.equal((await shipment(arrival)).status, 'received', 'both cases came through the gate');
    at(utc(20));
    await shipCases(store, processor, [cases[0].code], utc(20));
    at(utc(25));
    await receive(processor, await onwardWith(cases[0].code));
    await open(cases[0].code, lot, packs, utc);
    at(utc(30));
    const back = await shipCases(processor, store, [cases[0].code], utc(30));
    at(utc(35));
    await receiveBack(t, back, cases[0], utc(35));
    t.equal((await shipment(back)).status, 'received', 'the case is back');
    return { utc, lot, caseBack: cases[0] };
  };
  await t.test(
    'the processor unpacked the case and packed the pack into it again, the case back through the store’s gate: the store’s next shipment of the case is its departure',
    async (t) => {
      const hour = 17;
      const first = 1900;
      const throughTheGate = async () => {
        await zebra([0, 1].map((n) => ({ idHex: tag(first + n), hour: hour + 8, minute: 34 })));
        await drain();
      };
      const { utc, lot, caseBack } = await caseOpenedAndBack(t, hour, first, throughTheGate, async (caseCode, lot, packs, utc) => {
        at(utc(26));
        await world.ok(processor.event({ type: 'disaggregate', eventTime: utc(26), parentCode: caseCode, children: [lot] }));
        at(utc(27));
        await world.ok(
          processor.event({ type: 'aggregate', eventTime: utc(27), parent: { containerCode: caseCode }, itemCodes: packs.slice(0, 2) }),
        );
      });
      for (const n of [0, 1]) t.match(await latest(first + n), { outcome: 'received' }, 'the gate read the pack in the case');
      at(utc(40));
      await shipCases(store, processor, [caseBack.code], utc(40));
      t.equal(await onHand(lot), 2, 'the store holds case 1 only');
      at(utc(45));
      await receive(processor, await onwardWith(caseBack.code));
      at(utc(50));
      const again = await shipCases(processor, store, [caseBack.code], utc(50));
      at(utc(56));
      await zebra([0, 1].map((n) => ({ idHex: tag(first + n), hour: hour + 8, minute: 55 })));
      await drain();
      for (const n of [0, 1])
        t.match(await latest(first + n), { outcome: 'received', detail: again }, 'the packs count towards the case coming back again');
      t.equal((await shipment(again)).status, 'received', 'the case came back through the gate');
      t.equal(await onHand(lot), 4);
    },
  );

  await t.test(
    'a pack the store took out before it shipped its case on is the store’s, the case back without it and gone again',
    async (t) => {
      const first = 2000;
      const utc = (minute: number) => `2026-06-01T19:${String(minute).padStart(2, '0')}:00.000Z`;
      const { lot, packs } = await packsOf(6, first);
      const cases = [await newCase(processor, packs.slice(0, 2)), await newCase(processor, packs.slice(2, 4))];
      at(utc(0));
      const arrival = await shipCases(processor, store, [cases[0].code, cases[1].code], utc(0));
      at(utc(11));
      await zebra([0, 1, 2, 3].map((n) => ({ idHex: tag(first + n), hour: 27, minute: 10 })));
      await drain();
      t.equal((await shipment(arrival)).status, 'received', 'both cases came through the gate');
      // the store keeps pack 0 and ships the case on with pack 1; it comes back, and goes again
      at(utc(15));
      await world.ok(store.event({ type: 'disaggregate', eventTime: utc(15), parentCode: cases[0].code, children: [lot] }));
      at(utc(16));
      await world.ok(
        store.event({ type: 'aggregate', eventTime: utc(16), parent: { containerCode: cases[0].code }, itemCodes: [packs[1]] }),
      );
      at(utc(20));
      await shipCases(store, processor, [cases[0].code], utc(20));
      at(utc(25));
      await receive(processor, await onwardWith(cases[0].code));
      at(utc(30));
      const back = await shipCases(processor, store, [cases[0].code], utc(30));
      at(utc(35));
      await receive(store, back);
      at(utc(40));
      await shipCases(store, processor, [cases[0].code], utc(40));
      t.equal(await onHand(lot), 3, 'the store holds pack 0 loose and case 1');
      at(utc(50));
      const fresh = await ship(processor, store, lot, 1);
      at(utc(56));
      await zebra([{ idHex: tag(first), hour: 27, minute: 55 }]);
      await drain();
      const stayed = await latest(first);
      t.match(stayed, { outcome: 'observed', detail: null }, 'pack 0, on the store’s shelf all along, is the store’s');
      t.not(stayed.eventId, null);
      t.equal((await shipment(fresh)).status, 'open', 'the fresh shipment is not received on a pack that never left');
    },
  );

  await t.test(
    'received back and unpacked in one EPCIS document, a pack kept and the case shipped on: the pack is the store’s',
    async (t) => {
      const first = 2200;
      const utc = (minute: number) => `2026-06-01T21:${String(minute).padStart(2, '0')}:00.000Z`;
      const { lot, packs } = await packsOf(6, first);
      const cases = [await newCase(processor, packs.slice(0, 2)), await newCase(processor, packs.slice(2, 4))];
      at(utc(0));
      const arrival = await shipCases(processor, store, [cases[0].code, cases[1].code], utc(0));
      at(utc(11));
      await zebra([0, 1, 2, 3].map((n) => ({ idHex: tag(first + n), hour: 29, minute: 10 })));
      await drain();
      t.equal((await shipment(arrival)).status, 'received');
      at(utc(20));
      await shipCases(store, processor, [cases[0].code], utc(20));
      at(utc(25));
      await receive(processor, await onwardWith(cases[0].code));
      at(utc(30));
      const back = await shipCases(processor, store, [cases[0].code], utc(30));
      at(utc(35));
      t.match(
        await capture(store.key, [
          {
            type: 'ObjectEvent',
            eventTime: utc(35),
            eventTimeZoneOffset: '+00:00',
            action: 'OBSERVE',
            bizStep: 'receiving',
            epcList: [`https://id.gs1.org/00/${cases[0].sscc}`],
          },
          {
            type: 'AggregationEvent',
            eventTime: utc(36),
            eventTimeZoneOffset: '+00:00',
            action: 'DELETE',
            bizStep: 'unpacking',
            parentID: `https://id.gs1.org/00/${cases[0].sscc}`,
          },
        ]),
        { success: true, captured: 2 },
      );
      t.equal((await shipment(back)).status, 'received', 'the case is back');
      at(utc(40));
      await world.ok(
        store.event({ type: 'aggregate', eventTime: utc(40), parent: { containerCode: cases[0].code }, itemCodes: [packs[1]] }),
      );
      at(utc(45));
      await shipCases(store, processor, [cases[0].code], utc(45));
      t.equal(await onHand(lot), 3, 'the store holds pack 0 loose and case 1');
      at(utc(50));
      const fresh = await ship(processor, store, lot, 1);
      at(utc(56));
      await zebra([{ idHex: tag(first), hour: 29, minute: 55 }]);
      await drain();
      t.match(await latest(first), { outcome: 'observed', detail: null }, 'pack 0, on the store’s shelf, is the store’s');
      t.equal((await shipment(fresh)).status, 'open', 'the fresh shipment is not received on a pack that never left');
    },
  );

  await t.test(
    'another party packs the store’s pack into the crate and sends it back, the store ships the crate again: the pack is the store’s',
    async (t) => {
      const first = 2300;
      const utc = (minute: number) => `2026-06-01T22:${String(minute).padStart(2, '0')}:00.000Z`;
      const { lot, packs } = await packsOf(6, first);
      at(utc(0));
      const arrival = await ship(processor, store, lot, 3);
      at(utc(11));
      await zebra([0, 1, 2].map((n) => ({ idHex: tag(first + n), hour: 30, minute: 10 })));
      await drain();
      t.equal((await shipment(arrival)).status, 'received');
      at(utc(15));
      const crate = await newCase(store, [packs[0]], utc(15));
      at(utc(20));
      await shipCases(store, processor, [crate.code], utc(20));
      at(utc(25));
      await receive(processor, await onwardWith(crate.code));
      // the processor, holding loose stock of the lot, records the store's pack 1 (never shipped) into the crate
      await world.ok(
        processor.event({ type: 'aggregate', eventTime: utc(25), parent: { containerCode: crate.code }, itemCodes: [packs[1]] }),
      );
      at(utc(30));
      const back = await shipCases(processor, store, [crate.code], utc(30));
      at(utc(35));
      await receive(store, back);
      at(utc(40));
      await shipCases(store, processor, [crate.code], utc(40));
      at(utc(45));
      const fresh = await ship(processor, store, lot, 1);
      at(utc(56));
      await zebra([{ idHex: tag(first + 1), hour: 30, minute: 55 }]);
      await drain();
      t.match(await latest(first + 1), { outcome: 'observed', detail: null }, 'pack 1, on the store’s shelf all along, is the store’s');
      t.equal((await shipment(fresh)).status, 'open', 'the fresh shipment is not received on a pack that never left');
    },
  );

  await t.test(
    'the processor re-packs the case by quantity (EPCIS childQuantityList) before sending it back: a pack the store then kept is the store’s',
    async (t) => {
      const first = 2500;
      const utc = (minute: number) => `2026-06-01T23:${String(minute).padStart(2, '0')}:00.000Z`;
      const { lot, packs } = await packsOf(6, first);
      const cases = [await newCase(processor, packs.slice(0, 2)), await newCase(processor, packs.slice(2, 4))];
      at(utc(0));
      const arrival = await shipCases(processor, store, [cases[0].code, cases[1].code], utc(0));
      at(utc(11));
      await zebra([0, 1, 2, 3].map((n) => ({ idHex: tag(first + n), hour: 31, minute: 10 })));
      await drain();
      t.equal((await shipment(arrival)).status, 'received');
      at(utc(20));
      await shipCases(store, processor, [cases[0].code], utc(20));
      at(utc(25));
      await receive(processor, await onwardWith(cases[0].code));
      at(utc(26));
      await world.ok(processor.event({ type: 'disaggregate', eventTime: utc(26), parentCode: cases[0].code, children: [lot] }));
      at(utc(27));
      t.match(
        await capture(processor.key, [
          {
            type: 'AggregationEvent',
            eventTime: utc(27),
            eventTimeZoneOffset: '+00:00',
            action: 'ADD',
            bizStep: 'packing',
            parentID: `https://id.gs1.org/00/${cases[0].sscc}`,
            childQuantityList: [{ epcClass: `${TEST_BASE_URL}/lots/${lot}`, quantity: 2, uom: 'H87' }],
          },
        ]),
        { success: true, captured: 1 },
      );
      at(utc(30));
      const back = await shipCases(processor, store, [cases[0].code], utc(30));
      at(utc(35));
      await receive(store, back);
      // the store takes pack 0 out and keeps it, and ships the case on with one pack
      at(utc(40));
      await world.ok(store.event({ type: 'disaggregate', eventTime: utc(40), parentCode: cases[0].code, children: [lot] }));
      at(utc(41));
      await world.ok(
        store.event({
          type: 'aggregate',
          eventTime: utc(41),
          parent: { containerCode: cases[0].code },
          children: [{ lotCode: lot, quantity: 1 }],
        }),
      );
      at(utc(45));
      await shipCases(store, processor, [cases[0].code], utc(45));
      t.equal(await onHand(lot), 3, 'the store holds one pack loose and case 1');
      at(utc(50));
      const fresh = await ship(processor, store, lot, 1);
      at(utc(56));
      await zebra([{ idHex: tag(first), hour: 31, minute: 55 }]);
      await drain();
      t.match(await latest(first), { outcome: 'observed', detail: null }, 'pack 0, on the store’s shelf, is the store’s');
      t.equal((await shipment(fresh)).status, 'open', 'the fresh shipment is not received on a pack that never left');
    },
  );

  /** How the processor may have put pack 0 back into the case; what the store unpacks to keep it (and re-packs by quantity). */
  const mayHavePutBack: [string, (caseCode: string, lot: string, packs: string[], utc: (minute: number) => string) => Promise<string>][] = [
    [
      'by quantity',
      async (caseCode, lot, _packs, utc) => {
        await world.ok(
          processor.event({
            type: 'aggregate',
            eventTime: utc(27),
            parent: { containerCode: caseCode },
            children: [{ lotCode: lot, quantity: 2 }],
          }),
        );
        return lot;
      },
    ],
    [
      'in a case of its own, packed into it with pack 1 named',
      async (caseCode, _lot, packs, utc) => {
        const inner = await newCase(processor, [packs[0]]);
        await world.ok(
          processor.event({
            type: 'aggregate',
            eventTime: utc(27),
            parent: { containerCode: caseCode },
            children: [{ lotCode: inner.code, quantity: 1 }],
            itemCodes: [packs[1]],
          }),
        );
        return inner.code;
      },
    ],
  ];
  for (const [index, [how, putBack]] of mayHavePutBack.entries()) {
    await t.test(
      `the processor took the pack out and may have put it back ${how}: a pack the store then kept is the store’s`,
      async (t) => {
        const hour = 26 + index;
        const first = 2600 + index * 10;
        let kept = '';
        const { utc, lot, caseBack } = await caseOpenedAndBack(t, hour, first, returns[0][1], async (caseCode, lot, packs, utc) => {
          at(utc(26));
          await world.ok(processor.event({ type: 'disaggregate', eventTime: utc(26), parentCode: caseCode, children: [lot] }));
          at(utc(27));
          kept = await putBack(caseCode, lot, packs, utc);
        });
        // the store takes pack 0 out and keeps it, and ships the case on without it
        at(utc(40));
        await world.ok(store.event({ type: 'disaggregate', eventTime: utc(40), parentCode: caseBack.code, children: [kept] }));
        // out of a case of its own too: a pack lying in a case in no shipment would be observed whatever the gate judged
        if (kept !== lot) await world.ok(store.event({ type: 'disaggregate', eventTime: utc(40), parentCode: kept, children: [lot] }));
        else
          await world.ok(
            store.event({
              type: 'aggregate',
              eventTime: utc(40),
              parent: { containerCode: caseBack.code },
              children: [{ lotCode: lot, quantity: 1 }],
            }),
          );
        at(utc(45));
        await shipCases(store, processor, [caseBack.code], utc(45));
        at(utc(50));
        const fresh = await ship(processor, store, lot, 1);
        at(utc(56));
        await zebra([{ idHex: tag(first), hour: hour + 8, minute: 55 }]);
        await drain();
        t.match(await latest(first), { outcome: 'observed', detail: null }, 'pack 0, on the store’s shelf, is the store’s');
        t.equal((await shipment(fresh)).status, 'open', 'the fresh shipment is not received on a pack that never left');
      },
    );
  }

  await t.test(
    'a read the service had before the store shipped its case on is the store’s, whichever batch brought its earliest read',
    async (t) => {
      const first = 1700;
      const { lot, packs } = await packsOf(4, first);
      const cases = [await newCase(processor, packs.slice(0, 2)), await newCase(processor, packs.slice(2))];
      at('2026-06-01T14:00:00Z');
      const arrival = await shipCases(processor, store, [cases[0].code, cases[1].code], '2026-06-01T14:00:00Z');
      at('2026-06-01T14:01:00Z');
      await zebra([0, 1, 2, 3].map((n) => ({ idHex: tag(first + n), hour: 22, minute: 0 })));
      await drain();
      t.equal((await shipment(arrival)).status, 'received', 'both cases came through the gate');
      // pack 0 is read at the door again; its window is not yet turned into events when the store ships its case on
      at('2026-06-01T14:10:21Z');
      await zebra([{ idHex: tag(first), hour: 22, minute: 10, second: 20 }]);
      at('2026-06-01T14:15:00Z');
      await shipCases(store, processor, [cases[0].code], '2026-06-01T14:15:00Z');
      t.equal(await onHand(lot), 2, 'the store still holds the other case of the lot');
      at('2026-06-01T14:16:00Z');
      await receive(processor, await onwardWith(cases[0].code));
      at('2026-06-01T14:17:00Z');
      const back = await shipCases(processor, store, [cases[0].code], '2026-06-01T14:17:00Z');
      // a later batch brings an earlier read of the same window
      at('2026-06-01T14:18:00Z');
      await zebra([{ idHex: tag(first), hour: 22, minute: 10, second: 5 }]);
      await drain();
      const read = await latest(first);
      t.match(read, { outcome: 'observed', detail: null }, 'read before the store shipped its case on, the pack was the store’s');
      t.not(read.eventId, null);
      t.equal((await shipment(back)).status, 'open');
    },
  );

  await t.test('a case shipped on a pallet: its packs count towards the pallet coming back', async (t) => {
    const first = 1600;
    const { lot, packs } = await packsOf(4, first);
    const cases = [await newCase(processor, packs.slice(0, 2)), await newCase(processor, packs.slice(2))];
    at('2026-06-01T13:00:00Z');
    const arrival = await shipCases(processor, store, [cases[0].code, cases[1].code], '2026-06-01T13:00:00Z');
    at('2026-06-01T13:11:00Z');
    await zebra([0, 1, 2, 3].map((n) => ({ idHex: tag(first + n), hour: 21, minute: 10 })));
    await drain();
    t.equal((await shipment(arrival)).status, 'received', 'both cases came through the gate');
    at('2026-06-01T13:15:00Z');
    const palletSscc = completeGs1(`0690123450008${String(++serial).padStart(4, '0')}`);
    const pallet = (
      await world.ok(
        store.event({
          type: 'aggregate',
          eventTime: '2026-06-01T13:15:00Z',
          parent: { sscc: palletSscc },
          children: [{ lotCode: cases[0].code, quantity: 1 }],
        }),
      )
    ).createdLotCodes[0] as string;
    at('2026-06-01T13:20:00Z');
    await shipCases(store, processor, [pallet], '2026-06-01T13:20:00Z');
    t.equal(await onHand(lot), 2, 'the store still holds the other case of the lot');
    at('2026-06-01T13:25:00Z');
    await receive(processor, await onwardWith(pallet));
    at('2026-06-01T13:30:00Z');
    const back = await shipCases(processor, store, [pallet], '2026-06-01T13:30:00Z');
    at('2026-06-01T13:41:00Z');
    await zebra([0, 1, 2].map((n) => ({ idHex: tag(first + n), hour: 21, minute: 40 })));
    await drain();
    for (const n of [0, 1])
      t.match(
        await latest(first + n),
        { outcome: 'received', detail: back },
        'the packs of the case on the pallet count towards it coming back',
      );
    t.equal((await shipment(back)).status, 'received', 'the pallet came back through the gate');
    t.match(await latest(first + 2), { outcome: 'observed', detail: null }, 'a pack of the case the store kept is the store’s');
    t.equal(await onHand(lot), 4);
  });
});

t.test('reads of one batch are judged in the order they were read, ties in the order of the batch', async (t) => {
  const { world, drain, processor, store, reader, shipment, at, ship, lotOf, latest, rowsOf } = await storeOnTheClock(
    t,
    '冷库 8 号门',
    '2026-06-01T05:00:00Z',
  );
  await readPoint(world, store, 'exit', [{ readerId: reader.id, antenna: 3 }], { name: '冷库 8 号门 出口' });
  type Read = { n: number; antenna: number; time: string };
  const generic = (reads: Read[]) =>
    world.ok(
      reader.api.post('/rfid/reads', {
        reads: reads.map((read) => ({ reader: reader.hostName, antenna: read.antenna, epc: tag(read.n), time: read.time })),
      }),
      202,
    );
  const impinj = (reads: Read[]) =>
    world.ok(
      reader.api.post(
        '/rfid/impinj',
        reads.map((read) =>
          impinjTagInventory({
            epcHex: tag(read.n),
            hostname: reader.hostName,
            antennaPort: read.antenna,
            timestamp: read.time,
            lastSeenTime: read.time,
          }),
        ),
      ),
      202,
    );
  /** SIMPLE reports without a time: each is read when the batch is posted. */
  const zebraUntimed = (reads: Omit<Read, 'time'>[]) =>
    world.ok(
      reader.api.post(
        '/rfid/zebra',
        reads.map((read) => {
          const { timestamp: _, ...event } = zebraEvent({ idHex: tag(read.n), antenna: read.antenna, hostName: reader.hostName });
          return event;
        }),
      ),
      202,
    );

  await t.test('an exit listed before the entry read before it: the pack came in, then left (generic)', async (t) => {
    const lot = await lotOf(2, 920);
    const first = await ship(processor, store, lot, 1);
    at('2026-06-01T05:00:40Z');
    await generic([
      { n: 920, antenna: 3, time: '2026-06-01T05:00:25Z' },
      { n: 920, antenna: 1, time: '2026-06-01T05:00:21Z' },
    ]);
    await drain();
    t.equal((await shipment(first)).status, 'received', 'the entry read receives the shipment');
    at('2026-06-01T05:10:00Z');
    const back = await ship(processor, store, lot, 1);
    at('2026-06-01T05:10:40Z');
    await generic([{ n: 920, antenna: 1, time: '2026-06-01T05:10:20Z' }]);
    await drain();
    t.match(await latest(920), { outcome: 'received', detail: back }, 'it left after it came: read again, it receives the next');
  });

  await t.test('an entry listed before the exit read before it: the pack left, then came back (Impinj)', async (t) => {
    const lot = await lotOf(2, 930);
    at('2026-06-01T05:20:00Z');
    const first = await ship(processor, store, lot, 1);
    at('2026-06-01T05:21:00Z');
    await impinj([{ n: 930, antenna: 1, time: '2026-06-01T05:20:10.000000000Z' }]);
    await drain();
    t.equal((await shipment(first)).status, 'received');
    at('2026-06-01T05:25:00Z');
    const back = await ship(processor, store, lot, 1);
    at('2026-06-01T05:30:40Z');
    await impinj([
      { n: 930, antenna: 1, time: '2026-06-01T05:30:25.000000000Z' },
      { n: 930, antenna: 3, time: '2026-06-01T05:30:05.000000000Z' },
    ]);
    await drain();
    t.match(await latest(930), { outcome: 'received', detail: back }, 'read coming in after it was read leaving, it receives the shipment');
  });

  await t.test('reads of one Zebra batch without a time are taken in the batch’s order', async (t) => {
    const lot = await lotOf(3, 940);
    at('2026-06-01T05:40:00Z');
    const first = await ship(processor, store, lot, 1);
    at('2026-06-01T05:40:10Z');
    await zebraUntimed([
      { n: 940, antenna: 1 },
      { n: 940, antenna: 3 },
    ]);
    at('2026-06-01T05:40:40Z');
    await drain();
    t.equal((await shipment(first)).status, 'received', 'in, then out');
    at('2026-06-01T05:45:00Z');
    const second = await ship(processor, store, lot, 1);
    at('2026-06-01T05:45:10Z');
    await zebraUntimed([
      { n: 940, antenna: 3 },
      { n: 940, antenna: 1 },
    ]);
    at('2026-06-01T05:45:40Z');
    await drain();
    t.equal((await shipment(second)).status, 'received', 'it had left: out, then in, it receives the next shipment');
    at('2026-06-01T05:50:00Z');
    const third = await ship(processor, store, lot, 1);
    at('2026-06-01T05:51:00Z');
    await zebraUntimed([{ n: 940, antenna: 1 }]);
    at('2026-06-01T05:51:40Z');
    await drain();
    t.equal((await shipment(third)).status, 'open', 'it came in last: the store has it, and it brings nothing of the third');
  });

  await t.test('a later batch that brings a window an earlier read: the window is taken as of that read, in that batch', async (t) => {
    const lot = await lotOf(2, 970);
    at('2026-06-01T06:00:00Z');
    const first = await ship(processor, store, lot, 1);
    at('2026-06-01T06:00:22Z');
    await generic([{ n: 970, antenna: 1, time: '2026-06-01T06:00:20Z' }]);
    // the reader's buffer, posted after: the pack read leaving, then coming in, before the read posted already
    at('2026-06-01T06:00:24Z');
    await generic([
      { n: 970, antenna: 3, time: '2026-06-01T06:00:03Z' },
      { n: 970, antenna: 1, time: '2026-06-01T06:00:05Z' },
    ]);
    at('2026-06-01T06:00:40Z');
    await drain();
    t.equal((await shipment(first)).status, 'received');
    at('2026-06-01T06:05:00Z');
    const second = await ship(processor, store, lot, 1);
    at('2026-06-01T06:05:40Z');
    await generic([{ n: 970, antenna: 1, time: '2026-06-01T06:05:20Z' }]);
    await drain();
    t.equal((await shipment(second)).status, 'open', 'its last read was coming in: the store has it, and it brings nothing of the next');
  });

  await t.test('a late earlier read of an entry window already received leaves the receipt where it was, before the exit', async (t) => {
    const lot = await lotOf(2, 975);
    at('2026-06-01T06:10:00Z');
    const first = await ship(processor, store, lot, 1);
    at('2026-06-01T06:10:22Z');
    await generic([{ n: 975, antenna: 1, time: '2026-06-01T06:10:20Z' }]);
    at('2026-06-01T06:10:40Z');
    await drain();
    t.equal((await shipment(first)).status, 'received');
    at('2026-06-01T06:11:12Z');
    await generic([{ n: 975, antenna: 3, time: '2026-06-01T06:11:05Z' }]);
    at('2026-06-01T06:11:40Z');
    await drain();
    // the entry reader's buffer, posted after the exit read: an earlier read of the window received
    at('2026-06-01T06:11:50Z');
    await generic([{ n: 975, antenna: 1, time: '2026-06-01T06:10:10Z' }]);
    at('2026-06-01T06:12:00Z');
    const back = await ship(processor, store, lot, 1);
    at('2026-06-01T06:12:22Z');
    await generic([{ n: 975, antenna: 1, time: '2026-06-01T06:12:20Z' }]);
    at('2026-06-01T06:12:40Z');
    await drain();
    t.equal((await shipment(back)).status, 'received', 'it came in, left through the exit and came back: it brings the shipment back');
    const received = (await rowsOf(`tag=${tag(975)}`)).find((row: { firstSeen: string }) => row.firstSeen.startsWith('2026-06-01T06:10:'));
    t.match(received, { outcome: 'received', firstSeen: '2026-06-01T06:10:20.000Z', readCount: 2 }, 'the late read only adds to its count');
  });

  await t.test('a late earlier read of an exit window already judged leaves the departure before the receipt after it', async (t) => {
    const lot = await lotOf(3, 985);
    at('2026-06-01T06:20:00Z');
    const first = await ship(processor, store, lot, 1);
    at('2026-06-01T06:20:22Z');
    await generic([{ n: 985, antenna: 1, time: '2026-06-01T06:20:20Z' }]);
    at('2026-06-01T06:20:40Z');
    await drain();
    t.equal((await shipment(first)).status, 'received');
    at('2026-06-01T06:21:22Z');
    await generic([{ n: 985, antenna: 3, time: '2026-06-01T06:21:20Z' }]);
    at('2026-06-01T06:21:40Z');
    await drain();
    at('2026-06-01T06:22:00Z');
    const second = await ship(processor, store, lot, 1);
    at('2026-06-01T06:22:22Z');
    await generic([{ n: 985, antenna: 1, time: '2026-06-01T06:22:20Z' }]);
    at('2026-06-01T06:22:40Z');
    await drain();
    t.equal((await shipment(second)).status, 'received', 'out, then in: it brings the second');
    // the exit reader's buffer, late: an earlier read of the exit window already judged
    at('2026-06-01T06:23:10Z');
    await generic([{ n: 985, antenna: 3, time: '2026-06-01T06:21:05Z' }]);
    at('2026-06-01T06:24:00Z');
    const third = await ship(processor, store, lot, 1);
    at('2026-06-01T06:24:22Z');
    await generic([{ n: 985, antenna: 1, time: '2026-06-01T06:24:20Z' }]);
    at('2026-06-01T06:24:40Z');
    await drain();
    t.equal((await shipment(third)).status, 'open', 'in since the second receipt, it never left: it brings nothing of the third');
  });
});

const onPostgres = await postgresOnly();

t.test(
  'two windows of one loose line turned into events at once by two workers: the line is received (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres', { rfidTickMs: 0 });
    const gates = world.app.services.gates;
    const processor = await world.party('processor');
    const store = await world.party('cold_storage');
    const product = await processor.product('piece');
    const reader = await registerReader(world, store);
    await readPoint(world, store, 'entry', [{ readerId: reader.id, antenna: 1 }], { name: '冷库 3 号门' });
    const lot = await processor.commission(product, 2);
    const packs = await issuePacks(world, processor, lot, 2);
    for (const [index, pack] of packs.entries())
      await world.ok(processor.api.post('/rfid/tags', { tags: [{ epc: tag(700 + index), code: pack }] }), 201);
    const shipmentId = await processor.ship(store, [{ lotCode: lot, quantity: 2 }]);
    await reader.api.post(
      '/rfid/zebra',
      [readTime(55, 5), readTime(57, 5)].map((timestamp, index) =>
        zebraEvent({ idHex: tag(700 + index), antenna: 1, hostName: reader.hostName, timestamp }),
      ),
    );
    // each worker takes one window (the other's is locked and skipped) and plans it; both are held
    // up recording what became of their reads, so neither has committed when the other plans
    const recording = await holdLocked(world, sql`lock table rfid_reads in share mode`);
    const workers = Promise.all([gates.processChunk(1), gates.processChunk(1)]);
    await waitersReach(world, 2, workers);
    recording.release();
    await recording.done;
    t.same(await workers, [1, 1], 'a window each');
    await gates.drain();
    const shipments = (await store.api.get('/shipments?status=received')).body.items;
    t.ok(
      shipments.some((s: { id: string }) => s.id === shipmentId),
      'both packs of the line were read: it is received',
    );
    const rows = (await store.api.get('/rfid/reads')).body.items;
    t.same(
      rows.map((row: { outcome: string }) => row.outcome),
      ['received', 'received'],
    );
  },
);

/** What a reads' party is shown of a failure that is no refusal of a rule. */
const FAILED = 'the service failed while turning these reads into events; the cause is logged';

t.test('a window the gate cannot turn into events does not hold back the windows after it', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const gates = world.app.services.gates;
  const store = await world.party('cold_storage');
  const product = await store.product('kg');
  const lot = await store.commission(product, 10);
  await world.ok(store.api.post('/rfid/tags', { tags: [{ epc: tag(1), code: lot }] }), 201);
  const reader = await registerReader(world, store);
  const aisle = await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 1 }], { name: '过道' });
  const hall = await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 2 }], { name: '大厅' });
  const post = (antenna: number, minute: number) =>
    reader.api.post('/rfid/zebra', [zebraEvent({ idHex: tag(1), antenna, hostName: reader.hostName, timestamp: readTime(minute) })]);
  expectStatus(t, await post(1, 1), 202, 'a read in the aisle');
  // the aisle's read point is taken out of the database by hand: its stored windows name a read point no longer there
  await world.database.db.execute(sql`delete from rfid_antennas where read_point_id = ${aisle.readPointId}`);
  await world.database.db.execute(sql`delete from rfid_read_points where id = ${aisle.readPointId}`);
  expectStatus(t, await post(2, 2), 202, 'reads in the hall after it');
  expectStatus(t, await post(2, 3), 202, 'and a minute later');

  await gates.drain();
  const rows = (await store.api.get(`/rfid/reads?tag=${tag(1)}`)).body.items as {
    readPointId: string;
    outcome: string;
    detail: string;
    attempts: number;
    retryAt: string | null;
  }[];
  const poison = rows.find((row) => row.readPointId === aisle.readPointId);
  t.match(poison, { outcome: 'failed', attempts: 1, detail: FAILED }, 'the failure is recorded on the window');
  t.ok(poison?.retryAt && new Date(poison.retryAt) > new Date(), 'and it waits before it is tried again');
  t.same(
    rows.filter((row) => row.readPointId === hall.readPointId).map((row) => row.outcome),
    ['observed', 'observed'],
    'the windows after it became events',
  );
  const listed = (await world.regulator.get(`/rfid/reads?partyCode=${store.code}&outcome=failed`)).body.items;
  t.equal(listed.length, 1, 'a regulator sees the failed window');
  const activity = (await store.api.get('/rfid/activity')).body.items;
  t.match(
    activity.find((row: { outcome: string }) => row.outcome === 'failed'),
    { readPointId: aisle.readPointId, windows: 1 },
    'and the gate activity counts it',
  );

  // time passes: it is tried again, fails again, waits longer; after eight tries it is given up
  const due = () => world.database.db.execute(sql`update rfid_reads set retry_at = now() - interval '1 second' where outcome = 'failed'`);
  await due();
  await gates.drain();
  const [again] = (await store.api.get(`/rfid/reads?readPointId=${aisle.readPointId}`)).body.items;
  t.match(again, { outcome: 'failed', attempts: 2 });
  t.ok(new Date(again.retryAt).getTime() - Date.now() > 15_000, 'waiting twice as long');
  for (let attempt = 3; attempt <= 8; attempt++) {
    await due();
    await gates.drain();
  }
  const [givenUp] = (await store.api.get(`/rfid/reads?readPointId=${aisle.readPointId}`)).body.items;
  t.match(givenUp, { outcome: 'failed', attempts: 8, retryAt: null }, 'given up after eight tries');
  await due();
  t.equal(await gates.processChunk(), 0, 'and not taken up again');
});

t.test('a failed window shows its party that the service failed, never the SQL that did; the cause is logged', async (t) => {
  const logged: string[] = [];
  const world = await createWorld(t, undefined, {
    rfidTickMs: 0,
    logger: { level: 'error', stream: { write: (line: string) => logged.push(line) } },
  });
  const store = await world.party('cold_storage');
  const lot = await store.commission(await store.product('kg'), 10);
  await world.ok(store.api.post('/rfid/tags', { tags: [{ epc: tag(1), code: lot }] }), 201);
  const reader = await registerReader(world, store);
  const aisle = await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 1 }]);
  // the database refuses every event from here on, with an error drizzle reports with the statement and its parameters
  await world.database.db.execute(
    sql.raw(`create function refuse_events() returns trigger language plpgsql as $$ begin raise exception 'events are refused'; end $$`),
  );
  await world.database.db.execute(sql`create trigger refuse_events before insert on events execute function refuse_events()`);
  const read = zebraEvent({ idHex: tag(1), antenna: 1, hostName: reader.hostName, timestamp: readTime(1) });
  expectStatus(t, await reader.api.post('/rfid/zebra', [read]), 202, 'a read in the aisle');
  await world.app.services.gates.drain();

  const [failed] = (await store.api.get(`/rfid/reads?readPointId=${aisle.readPointId}`)).body.items;
  t.match(failed, { outcome: 'failed', attempts: 1, detail: FAILED }, 'the party is told the service failed');
  const listed = JSON.stringify((await world.regulator.get(`/rfid/reads?partyCode=${store.code}&outcome=failed`)).body);
  t.same(
    ['insert into', 'events are refused', 'Failed query', 'params'].filter((text) => listed.includes(text)),
    [],
    'neither the statement, its parameters nor the database error is shown',
  );
  t.ok(
    logged.some((line) => line.includes('turning RFID observations into events failed') && line.includes('events are refused')),
    'the cause is logged',
  );
});
