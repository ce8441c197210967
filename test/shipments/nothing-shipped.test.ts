// Shipments of nothing (every line a quantity of 0), as the writer stored them before it refused
// them, are still in databases: they make no trading partners, and send their addressee no lot.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
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
    sql`insert into shipment_lines (shipment_id, lot_code, quantity, received_quantity, party_code)
      values (${id}, ${shipment.lotCode}, 0, ${shipment.received ? 0 : null}, ${shipment.from})`,
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
