// Shipments of nothing (every line a quantity of 0), and lines of 0 in shipments that moved
// something else, as the writer stored them before it refused them, are still in databases: they
// make no trading partners, send their addressee no lot, and are shown only to regulators and admins.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { epcisRequests } from '../fixtures/epcis.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { createWorld, expectStatus, randomUscc, type World } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/**
 * Stores a shipment as the writer stored one that moved nothing (a line of 0, or with `lotCode`
 * null none at all); the event log is left as it is.
 */
async function storeShipmentOfNothing(
  world: World,
  shipment: { shipEventId: string; from: string; to: string; lotCode: string | null; received: boolean },
): Promise<string> {
  const id = randomUUID();
  const status = shipment.received ? 'received' : 'open';
  await world.database.db.execute(
    sql`insert into shipments (id, ship_event_id, from_party_code, to_party_code, status, shipped_at, received_at)
      values (${id}, ${shipment.shipEventId}, ${shipment.from}, ${shipment.to}, ${status}, now(), ${shipment.received ? sql`now()` : null})`,
  );
  if (shipment.lotCode === null) return id;
  await world.database.db.execute(
    sql`insert into shipment_lines (shipment_id, lot_code, quantity, received_quantity, party_code, position)
      values (${id}, ${shipment.lotCode}, 0, ${shipment.received ? 0 : null}, ${shipment.from}, 0)`,
  );
  return id;
}

t.test('a shipment of nothing makes no trading partners, sends no lot, and makes no holder or tag binder', async (t) => {
  const world = await createWorld(t);
  const registered = await world.ok(
    world.admin.post('/parties', {
      kind: 'farm',
      name: '奉节县高山生态养殖场',
      uscc: randomUscc(),
      regionCode: '500236',
      address: '重庆市奉节县草堂镇石马村5组',
      contact: { person: '谭明芳', phone: '023-56552318' },
    }),
  );
  const { key } = await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: registered.code }));
  const farm = { code: registered.code as string, api: client(world.app, key) };
  const site = await world.ok(
    farm.api.post('/locations', { partyCode: farm.code, name: '猪舍', kind: 'farm', regionCode: '500236', address: '石马村5组' }),
  );
  const pigs = await world.ok(farm.api.post('/products', { partyCode: farm.code, name: '生猪', category: 'live_animal', unit: 'head' }));
  const commissioned = await world.ok(
    farm.api.post('/events', {
      type: 'commission',
      eventTime: '2026-03-01T08:00:00+08:00',
      lots: [{ productCode: pigs.code, quantity: 10 }],
    }),
  );
  const [lot] = commissioned.createdLotCodes;
  const plant = await world.party('processor');

  await storeShipmentOfNothing(world, {
    shipEventId: commissioned.event.id,
    from: farm.code,
    to: plant.code,
    lotCode: lot,
    received: true,
  });
  const farmSeen = (await plant.api.get(`/parties/${farm.code}`)).body;
  t.match(farmSeen, { details: 'public', name: '奉节县高山生态养殖场', address: null }, 'the addressee sees the sender by name only');
  t.notMatch(JSON.stringify(farmSeen), '石马村', 'no address');
  t.notMatch(JSON.stringify(farmSeen), '谭明芳', 'no contact');
  t.equal((await plant.api.get(`/locations/${site.code}`)).body.address, null, 'nor its site address');
  t.equal((await farm.api.get(`/parties/${plant.code}`)).body.details, 'public', 'nor the other way');
  expectStatus(t, await plant.api.get(`/lots/${lot}`), 403, 'the lot was not sent to it: it may not read it');
  t.same((await plant.api.get('/shipments')).body.items, [], 'nor is it listed among its shipments');

  // one still open: its addressee holds nothing a recall must reach, and may not tag the lot
  const open = await world.ok(
    farm.api.post('/events', {
      type: 'commission',
      eventTime: '2026-03-01T09:00:00+08:00',
      lots: [{ productCode: pigs.code, quantity: 5 }],
    }),
  );
  const [openLot] = open.createdLotCodes;
  await storeShipmentOfNothing(world, { shipEventId: open.event.id, from: farm.code, to: plant.code, lotCode: openLot, received: false });
  expectStatus(t, await plant.api.post('/rfid/tags', { tags: [{ tid: 'E2003412DEADBEEF', code: openLot }] }), 403, 'no tags bound to it');
  const hold = expectStatus(t, await plant.api.post('/holds', { lotCodes: [openLot], reason: 'x' }), 403, 'nor holds it');
  t.notMatch(hold.body.detail, farm.code, 'and, as a party that may not read the lot, is not told whose it is');
  const recall = await world.ok(farm.api.post('/recalls', { lotCodes: [openLot], level: 3, reason: 'r', hazard: 'h' }));
  t.same(
    recall.holderDetails.map((holder: { partyCode: string }) => holder.partyCode),
    [farm.code],
    'the recall reaches the farm alone',
  );
  expectStatus(t, await plant.api.get(`/recalls/${recall.id}`), 403, 'the addressee is not reached by it');
});

t.test('GET /shipments lists shipments of nothing to regulators and admins, who oversee every record, not to either party', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const lot = await farm.commission(await farm.product('head'), 10);
  const shipped = await farm.ship(plant, [{ lotCode: lot, quantity: 2 }]);
  // stored as the writer stored them, each with a ship event of the farm's (the log is not what this test reads)
  const { event } = await world.ok(farm.event({ type: 'observe', lotCodes: [lot] }));
  const store = (lotCode: string | null, received: boolean) =>
    storeShipmentOfNothing(world, { shipEventId: event.id, from: farm.code, to: plant.code, lotCode, received });
  const received = await store(lot, true);
  const open = await store(lot, false);
  const lineless = await store(null, false);
  const ids = (reply: { body: { items: { id: string }[] } }) => reply.body.items.map((item) => item.id).sort();

  t.same(ids(await plant.api.get('/shipments')), [shipped], 'the addressee: only what was sent to it');
  t.same(ids(await farm.api.get('/shipments')), [shipped], 'the sender: only what moved, as a ship of nothing opens none now');
  const every = [shipped, received, open, lineless].sort();
  t.same(ids(await world.regulator.get(`/shipments?partyCode=${farm.code}`)), every, 'a regulator: every shipment of the farm');
  t.same(ids(await world.regulator.get(`/shipments?partyCode=${plant.code}`)), every, 'and of the plant');
  t.same(
    ids(await world.admin.get(`/shipments?partyCode=${plant.code}&status=open`)),
    [shipped, open, lineless].sort(),
    'an admin too, by status',
  );
  const listed = (await world.regulator.get(`/shipments?partyCode=${farm.code}`)).body.items;
  t.match(
    listed.find((item: { id: string }) => item.id === received),
    { status: 'received', fromPartyCode: farm.code, toPartyCode: plant.code, lines: [{ lotCode: lot, quantity: 0, receivedQuantity: 0 }] },
    'its line of 0 shows that it moved nothing',
  );
  t.same(listed.find((item: { id: string }) => item.id === lineless).lines, [], 'and one without lines shows none');
});

/** Adds a line of 0 to a shipment, as the writer stored one for a lot its ship event named but moved none of. */
async function storeLineOfNothing(world: World, shipmentId: string, lotCode: string, from: string): Promise<void> {
  await world.database.db.execute(
    sql`insert into shipment_lines (shipment_id, lot_code, quantity, received_quantity, party_code, position)
      values (${shipmentId}, ${lotCode}, 0, null, ${from}, (select count(*) from shipment_lines where shipment_id = ${shipmentId}))`,
  );
}

/** A farm's shipment of 4 of its pigs to a slaughterhouse, with a line of 0 of its piglets beside them. */
async function pigsShippedWithLineOfNothing(t: Parameters<typeof createWorld>[0]) {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const product = await farm.product('head');
  const pigs = await farm.commission(product, 10);
  const piglets = await farm.commission(product, 10);
  const shipped = await farm.ship(plant, [{ lotCode: pigs, quantity: 4 }]);
  await storeLineOfNothing(world, shipped, piglets, farm.code);
  return { world, farm, plant, pigs, piglets, shipped };
}

type Edge = { kind: string; from: string; toPartyCode: string | null; quantity: number | null };
const custodyOf = (reply: { body: { edges: Edge[] } }, lotCode: string) =>
  reply.body.edges.filter((edge) => edge.kind === 'custody' && edge.from === lotCode);

t.test('a shipment that moved something shows its lines of 0 to neither party, listed or traced; regulators see them', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  // the pigs were raised on the feed, so a trace of the pigs reaches the feed lot, which was never sent
  const feed = await farm.commission(await farm.product('kg'), 100);
  const [pigs] = await farm.transform([{ lotCode: feed, quantity: 50 }], [{ productCode: await farm.product('head'), quantity: 10 }]);
  const shipped = await farm.ship(plant, [{ lotCode: pigs, quantity: 4 }]);
  await storeLineOfNothing(world, shipped, feed, farm.code);

  const linesOf = async (api: typeof farm.api, query = '') =>
    (await api.get(`/shipments${query}`)).body.items.find((item: { id: string }) => item.id === shipped).lines;
  t.same(await linesOf(plant.api), [{ lotCode: pigs, quantity: 4, receivedQuantity: null }], 'the addressee: only what was sent to it');
  t.same(await linesOf(farm.api), [{ lotCode: pigs, quantity: 4, receivedQuantity: null }], 'the sender: only what moved');
  const everyLine = [
    { lotCode: pigs, quantity: 4, receivedQuantity: null },
    { lotCode: feed, quantity: 0, receivedQuantity: null },
  ].sort((a, b) => a.lotCode.localeCompare(b.lotCode));
  const sorted = (lines: { lotCode: string }[]) => [...lines].sort((a, b) => a.lotCode.localeCompare(b.lotCode));
  t.same(sorted(await linesOf(world.regulator, `?partyCode=${plant.code}`)), everyLine, 'a regulator: every line, its line of 0 too');
  t.same(sorted(await linesOf(world.admin, `?partyCode=${farm.code}`)), everyLine, 'an admin too');

  const backward = await plant.api.get(`/trace/${pigs}?direction=backward`);
  t.ok(
    backward.body.nodes.some((node: { code: string }) => node.code === feed),
    'the addressee’s trace of the pigs reaches the feed',
  );
  t.same(custodyOf(backward, feed), [], 'but shows no hand-over of the feed to it');
  t.match(custodyOf(backward, pigs), [{ toPartyCode: plant.code, quantity: 4 }], 'only that of the pigs');
  t.same(custodyOf(await farm.api.get(`/trace/${feed}?direction=forward`), feed), [], 'nor does the sender’s trace of the feed');
  t.match(
    custodyOf(await world.regulator.get(`/trace/${feed}?direction=forward`), feed),
    [{ toPartyCode: plant.code, quantity: 0 }],
    'a regulator’s does, of 0',
  );
  expectStatus(t, await plant.api.get(`/lots/${feed}`), 403, 'the addressee still may not read the feed');

  // once the shipment is received, its line of 0 is still one no receipt took
  const receipt = await world.ok(plant.event({ type: 'receive', shipmentId: shipped }));
  const traced = await world.regulator.get(`/trace/${feed}?direction=forward`);
  t.match(
    custodyOf(traced, feed),
    [
      {
        quantity: 0,
        eventId: (await world.regulator.get(`/shipments?partyCode=${plant.code}`)).body.items[0].shipEventId,
        status: 'nothing-shipped',
      },
    ],
    'a regulator sees it by the ship event that named it, as nothing shipped',
  );
  t.match(
    custodyOf(await world.regulator.get(`/trace/${pigs}?direction=backward`), pigs),
    [{ quantity: 4, eventId: receipt.event.id, status: 'received' }],
    'the line that moved something is received by the receipt',
  );
});

t.test('a receipt does not take a line of 0: its lot is not in the shipment, and a shipment of nothing else is none', async (t) => {
  const { world, farm, plant, pigs, piglets, shipped } = await pigsShippedWithLineOfNothing(t);

  const named = expectStatus(
    t,
    await plant.event({ type: 'receive', shipmentId: shipped, partial: true, lines: [{ lotCode: piglets, quantity: 1 }] }),
    422,
    'a partial receipt of the line of 0',
  );
  t.match(
    named.body,
    { type: /not-in-shipment/, errors: [{ pointer: '/lines/0/lotCode', detail: 'not in the shipment' }] },
    'names it as no lot of the shipment',
  );
  const part = await world.ok(
    plant.event({ type: 'receive', shipmentId: shipped, partial: true, lines: [{ lotCode: pigs, quantity: 4 }] }),
  );
  t.match(part.event.details, { partial: true, linesInTransit: 0 }, 'a partial receipt of what was sent leaves nothing in transit');
  t.match(
    (await plant.api.get('/shipments')).body.items,
    [{ id: shipped, status: 'received' }],
    'and the shipment is received, its line of 0 awaiting nothing',
  );

  const again = await farm.ship(plant, [{ lotCode: pigs, quantity: 3 }]);
  await storeLineOfNothing(world, again, piglets, farm.code);
  const whole = await world.ok(plant.event({ type: 'receive', shipmentId: again }));
  t.same(
    whole.event.details.lines.map((line: { lotCode: string }) => line.lotCode),
    [pigs],
    'a whole receipt takes what was sent, not the line of 0',
  );
  t.same(
    whole.event.lots.map((lot: { lotCode: string }) => lot.lotCode),
    [pigs],
    'and names only that lot',
  );
  const listed = (await world.regulator.get(`/shipments?partyCode=${plant.code}`)).body.items;
  t.match(listed, [{ id: again, status: 'received', receiveEventId: whole.event.id }, { id: shipped }], 'the shipment is received');
  t.same(
    listed.map((shipment: { lines: { lotCode: string; receivedQuantity: number | null }[] }) =>
      shipment.lines.find((line) => line.lotCode === piglets),
    ),
    [
      { lotCode: piglets, quantity: 0, receivedQuantity: null },
      { lotCode: piglets, quantity: 0, receivedQuantity: null },
    ],
    'its line of 0 received by no receipt, as a regulator sees',
  );
  expectStatus(t, await plant.api.get(`/lots/${piglets}`), 403, 'the addressee may not read the lot it was not sent');

  const { event } = await world.ok(farm.event({ type: 'observe', lotCodes: [piglets] }));
  const ofNothing = await storeShipmentOfNothing(world, {
    shipEventId: event.id,
    from: farm.code,
    to: plant.code,
    lotCode: piglets,
    received: false,
  });
  // received after it was stored (now), so that only the shipment itself is in question
  const receipt = { type: 'receive', shipmentId: ofNothing, eventTime: new Date().toISOString() };
  const refused = expectStatus(t, await plant.event(receipt), 422, 'a shipment of nothing');
  t.match(refused.body, { type: /unknown-shipment/, errors: [{ pointer: '/shipmentId' }] }, 'is no shipment to receive, as an unknown id');
});

t.test('an EPCIS receipt naming the lot of a line of 0 does not take its shipment', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { capture } = epcisRequests(world);
  const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-1';
  const CURED = 'https://id.gs1.org/01/06901234000023/10/CURED-1';
  const day = (n: number) => ({ eventTime: `2026-03-0${n}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
  const object = (n: number, action: string, bizStep: string, epcClass: string) => ({
    type: 'ObjectEvent',
    ...day(n),
    action,
    bizStep,
    quantityList: [{ epcClass, quantity: 10, uom: 'KGM' }],
  });
  t.match(
    await capture(plant.key, [object(1, 'ADD', 'commissioning', MEAT), object(1, 'ADD', 'commissioning', CURED)]),
    { success: true },
    'the plant made both lots',
  );
  const lotOf = async (uri: string) => (await world.regulator.get(`/trace/${encodeURIComponent(uri)}?depth=0`)).body.query.lotCodes[0];
  const [meat, cured] = [await lotOf(MEAT), await lotOf(CURED)];
  const shipped = await plant.ship(store, [{ lotCode: meat, quantity: 10 }]);
  await storeLineOfNothing(world, shipped, cured, plant.code);

  // the first names only the cured lot, never sent; the second what was sent
  const job = await capture(store.key, [object(5, 'OBSERVE', 'receiving', CURED), object(6, 'OBSERVE', 'receiving', MEAT)]);
  t.match(
    job,
    {
      captured: 1,
      errors: [{ eventIndex: 0, message: /neither owns nor holds lot https:\/\/id.gs1.org\/01\/06901234000023\/10\/CURED-1/ }],
    },
    'the receipt of the cured lot receives nothing: it names a lot the store does not hold, as it wrote it',
  );
  t.equal(job.errors.length, 1, 'and the receipt of the meat receives the shipment');
  const listed = (await world.regulator.get(`/shipments?partyCode=${store.code}`)).body.items[0];
  t.equal(listed.status, 'received', 'the shipment is received');
  const receipt = (await store.api.get(`/events/${encodeURIComponent(listed.receiveEventId)}`)).body;
  t.same(
    receipt.lots.map((lot: { lotCode: string }) => lot.lotCode),
    [meat],
    'by the event that named the meat',
  );
  expectStatus(t, await store.api.get(`/lots/${cured}`), 403, 'the store may not read the cured lot');
});

t.test('migration 0031 receives the shipments the writer before it left open for a line of 0 alone', async (t) => {
  const { world, farm, plant, pigs, piglets, shipped: booked } = await pigsShippedWithLineOfNothing(t);
  const receipt = await world.ok(
    plant.event({ type: 'receive', shipmentId: booked, partial: true, lines: [{ lotCode: pigs, quantity: 4 }] }),
  );
  const waiting = await farm.ship(plant, [{ lotCode: pigs, quantity: 3 }]);
  await storeLineOfNothing(world, waiting, piglets, farm.code);
  const { event } = await world.ok(farm.event({ type: 'observe', lotCodes: [piglets] }));
  const ofNothing = await storeShipmentOfNothing(world, {
    shipEventId: event.id,
    from: farm.code,
    to: plant.code,
    lotCode: piglets,
    received: false,
  });

  // as the writer before it left the first: open, its line of 0 waiting
  await world.database.db.execute(
    sql`update shipments set status = 'open', receive_event_id = null, received_at = null where id = ${booked}`,
  );
  for (const statement of migrationStatements('0031_shipments_received_without_lines_of_nothing.sql'))
    await world.database.db.execute(sql.raw(statement));
  const shipments = (await world.regulator.get(`/shipments?partyCode=${plant.code}`)).body.items as {
    id: string;
    status: string;
    receiveEventId: string | null;
    receivedAt: string | null;
  }[];
  const byId = new Map(shipments.map((shipment) => [shipment.id, shipment]));
  t.match(
    byId.get(booked),
    { status: 'received', receiveEventId: receipt.event.id, receivedAt: receipt.event.eventTime },
    'every line that sent something was booked in: received, by that receipt',
  );
  t.match(byId.get(waiting), { status: 'open', receiveEventId: null }, 'one still waiting for what it sent stays open');
  t.match(byId.get(ofNothing), { status: 'open' }, 'a shipment of nothing, which no receipt took, is left as it is');
});
