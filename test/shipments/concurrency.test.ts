// A shipment's state changes racing each other on PostgreSQL, whose pool runs them side by side
// (PGlite runs one transaction at a time). The shipment's row is held by a transaction of the
// test's own while the requests line up behind it, so they meet in the same order every run.

import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import type { WriteRequest } from '../../src/events/writer/index.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { holdLocked, meetInOrder, waitBlockedBy } from '../fixtures/locks.js';
import { at, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

/**
 * Writes one request through the writer in a transaction of its own, as another instance of the
 * service, or another door to the writer (EPCIS capture, an RFID gate), does beside the native API.
 */
async function writeAlone(world: World, request: WriteRequest) {
  const writer = eventWriterOn(world.database);
  const [outcome] = await world.database.db.transaction((tx) => writer.write(tx as never, [request], 'proceed'));
  return outcome;
}

/** Holds a shipment's row: a write that takes the shipment waits there, holding what it locked before. */
const holdShipment = (world: World, shipmentId: string) =>
  holdLocked(world, sql`select 1 from shipments where id = ${shipmentId} for update`);

/** A farm's shipment of two lots of ten pigs to a slaughterhouse, on PostgreSQL. */
async function twoLotsShipped(t: Test) {
  const world = await createWorld(t, 'postgres');
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const pigs = await farm.product('head');
  const first = await farm.commission(pigs, 10);
  const second = await farm.commission(pigs, 10);
  const shipmentId = await farm.ship(plant, [{ lotCode: first }, { lotCode: second }]);
  return { world, farm, plant, first, second, shipmentId };
}

t.test(
  'a ship event corrected while a part of its shipment is being received is refused once the receipt is in (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, farm, plant, first, shipmentId } = await twoLotsShipped(t);
    const [shipment] = (await world.regulator.get(`/shipments?partyCode=${farm.code}`)).body.items;

    const [receipt, correction] = await meetInOrder(
      world,
      holdShipment(world, shipmentId),
      () => plant.event({ type: 'receive', shipmentId, partial: true, lines: [{ lotCode: first, quantity: 10 }] }),
      () => farm.event({ type: 'correction', correctsEventId: shipment.shipEventId, reason: '发错了' }),
    );

    expectStatus(t, receipt, 201, 'the receipt, first in line, books the pigs in');
    const refused = expectStatus(t, correction, 409, 'the correction then finds the shipment received in part');
    t.match(refused.body.detail, /already received/);
    const [after] = (await world.regulator.get(`/shipments?partyCode=${farm.code}`)).body.items;
    t.equal(after.status, 'open', 'the rest of the shipment is still on its way');
    t.match(
      (await world.regulator.get(`/lots/${first}`)).body.massBalance,
      { produced: 10, onHand: 10, unaccounted: 0 },
      'ten pigs, not twenty',
    );
  },
);

t.test('a whole receipt behind a partial one takes only the lines still on their way (PostgreSQL)', onPostgres, async (t) => {
  const { world, farm, plant, first, second, shipmentId } = await twoLotsShipped(t);

  const [part, whole] = await meetInOrder(
    world,
    holdShipment(world, shipmentId),
    () =>
      writeAlone(world, {
        actor: plant.code,
        action: { type: 'receive', shipmentId, partial: true, lines: [{ lotCode: first, quantity: 10 }] },
        context: { eventTime: at(500) },
      }),
    () => writeAlone(world, { actor: plant.code, action: { type: 'receive', shipmentId }, context: { eventTime: at(501) } }),
  );

  t.match(part, { ok: true }, 'the partial receipt books in the first lot');
  t.match(whole, { ok: true }, 'the whole receipt books in what is left');
  t.same(whole.ok ? whole.event.lots.map((lot) => lot.lotCode) : null, [second], 'it takes the second lot only');
  const [after] = (await world.regulator.get(`/shipments?partyCode=${farm.code}`)).body.items;
  t.equal(after.status, 'received', 'every line is in');
  t.match(
    (await world.regulator.get(`/lots/${first}`)).body.massBalance,
    { produced: 10, onHand: 10, unaccounted: 0 },
    'ten pigs, not twenty',
  );
});

t.test(
  'two partial receipts of the two lines of a shipment, one behind the other, leave it received (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, farm, plant, first, second, shipmentId } = await twoLotsShipped(t);

    const receipt = (lotCode: string, hour: number) =>
      writeAlone(world, {
        actor: plant.code,
        action: { type: 'receive', shipmentId, partial: true, lines: [{ lotCode, quantity: 10 }] },
        context: { eventTime: at(hour) },
      });
    const [one, other] = await meetInOrder(
      world,
      holdShipment(world, shipmentId),
      () => receipt(first, 500),
      () => receipt(second, 501),
    );

    t.match(one, { ok: true }, 'the first lot is booked in');
    t.match(other, { ok: true }, 'the second lot is booked in');
    const [after] = (await world.regulator.get(`/shipments?partyCode=${farm.code}`)).body.items;
    t.equal(after.status, 'received', 'every line is in, so the shipment is received');
  },
);

t.test(
  'a recall opened upstream of a lot on its way, while the lot is being received: the lot stays recalled (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const shop = await world.party('retailer');
    const regulator = await world.partyRegulator();
    const kg = await plant.product('kg');
    const raw = await plant.commission(kg, 10);
    const made = await plant.event({
      type: 'transform',
      inputs: [{ lotCode: raw, quantity: 10 }],
      outputs: [{ productCode: kg, quantity: 8 }],
    });
    expectStatus(t, made, 201, 'the plant makes a lot out of the raw one');
    const [sausage] = made.body.createdLotCodes;
    const shipmentId = await plant.ship(shop, [{ lotCode: sausage }]);

    // the recall of the raw lot marks the sausage recalled (its row locked), then waits to record its
    // scope; the shop's receipt of the sausage waits for the recall's lock on the sausage
    const [opened, receipt] = await meetInOrder(
      world,
      holdLocked(world, sql`lock table recalls in share mode`),
      () => regulator.post('/recalls', { lotCodes: [raw], level: 1, reason: '检出致病菌', hazard: '沙门氏菌' }),
      () => shop.event({ type: 'receive', shipmentId }),
      'on the hold',
    );

    expectStatus(t, opened, 201, 'the recall is opened');
    expectStatus(t, receipt, 201, 'the shop books the sausage in');
    t.equal((await world.regulator.get(`/lots/${sausage}`)).body.status, 'recalled', 'the sausage is still recalled');
    const sale = await shop.event({ type: 'sell', lines: [{ lotCode: sausage, quantity: 1 }] });
    expectStatus(t, sale, 422, 'so the shop may not sell it');
  },
);

t.test(
  'a recall of a lot on its way, opened while the lot is being received: both are answered, neither is a 500 (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const shop = await world.party('retailer');
    const regulator = await world.partyRegulator();
    const sausage = await plant.commission(await plant.product('kg'), 10);
    const shipmentId = await plant.ship(shop, [{ lotCode: sausage }]);

    // first in line for the sausage, the recall then locks the shipment carrying it; the receipt
    // locks the shipment, then waits for the sausage behind the recall
    const [opened, receipt] = await meetInOrder(
      world,
      holdLocked(world, sql`select 1 from lots where code = ${sausage} for update`),
      () => regulator.post('/recalls', { lotCodes: [sausage], level: 1, reason: '检出致病菌', hazard: '沙门氏菌' }),
      () => shop.event({ type: 'receive', shipmentId }),
      'on the hold',
    );

    expectStatus(t, opened, 201, 'the recall is opened');
    expectStatus(t, receipt, 201, 'the shop books the sausage in');
    t.equal((await world.regulator.get(`/lots/${sausage}`)).body.status, 'recalled', 'the sausage is recalled');
  },
);

t.test(
  'a lot lost on its way, received at 0 while its shipper destroys what it kept: the lot ends destroyed, nothing of it in transit (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const farm = await world.party('farm');
    const plant = await world.party('slaughterhouse');
    const pigs = await farm.product('head');
    const lost = await farm.commission(pigs, 20);
    const other = await farm.commission(pigs, 10);
    const shipmentId = await farm.ship(plant, [
      { lotCode: lost, quantity: 10 },
      { lotCode: other, quantity: 10 },
    ]);

    // the receipt leaves the shipment open (the other lot is still on its way): only its lines change;
    // the farm's destruction (through another door) locks the open shipment carrying the lot, behind the receipt
    const [receipt, destruction] = await meetInOrder(
      world,
      holdShipment(world, shipmentId),
      () => plant.event({ type: 'receive', shipmentId, partial: true, lines: [{ lotCode: lost, quantity: 0 }] }),
      () =>
        writeAlone(world, {
          actor: farm.code,
          action: { type: 'destroy', reason: '病死', lines: [{ lotCode: lost, quantity: 10 }] },
          context: { eventTime: at(500) },
        }),
    );

    expectStatus(t, receipt, 201, 'the plant records the pigs lost on the way');
    t.match(destruction, { ok: true }, 'the farm destroys the pigs it kept');
    const lot = (await world.regulator.get(`/lots/${lost}`)).body;
    t.match(lot.massBalance, { produced: 20, destroyed: 10, inTransit: 0, transitLoss: 10, unaccounted: 0 });
    t.equal(lot.status, 'destroyed', 'none of it is left anywhere, the last of it destroyed');
  },
);

t.test(
  'a partial receipt locks only the lots it books in: another writer holding a line left on its way does not stop it (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, plant, first, second, shipmentId } = await twoLotsShipped(t);

    // the second lot, still on its way, is held as a writer of it (a receipt of another shipment
    // carrying it, waiting for a shipment this receipt's transaction takes next) would hold it
    const hold = await holdLocked(world, sql`select 1 from lots where code = ${second} for update`);
    let answered = false;
    const receipt = plant.event({ type: 'receive', shipmentId, partial: true, lines: [{ lotCode: first, quantity: 10 }] }).finally(() => {
      answered = true;
    });
    await waitBlockedBy(world, hold.pid, receipt);
    const answeredWhileHeld = answered;
    hold.release();
    await hold.done;

    t.ok(answeredWhileHeld, 'the receipt of the first lot did not wait for the second');
    expectStatus(t, await receipt, 201, 'the plant books the first lot in');
    t.equal((await world.regulator.get(`/lots/${second}`)).body.status, 'in_transit', 'the second is still on its way');
  },
);
