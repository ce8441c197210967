// A shipment's state changes racing each other on PostgreSQL, whose pool runs them side by side
// (PGlite runs one transaction at a time). The shipment's row is held by a transaction of the
// test's own while the requests line up behind it, so they meet in the same order every run.
import { sql } from 'drizzle-orm';
import type { WriteRequest } from '../../src/events/writer/index.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { holdLocked, waitersReach } from '../fixtures/locks.js';
import { at, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { postgresReachable } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const postgresUp = await postgresReachable();

/**
 * Writes one request through the writer in a transaction of its own, as another instance of the
 * service, or another door to the writer (EPCIS capture, an RFID gate), does beside the native API.
 */
async function writeAlone(world: World, request: WriteRequest) {
  const writer = eventWriterOn(world.database);
  const [outcome] = await world.database.db.transaction((tx) => writer.write(tx as never, [request], 'proceed'));
  return outcome;
}

t.test(
  'a ship event corrected while a part of its shipment is being received is refused once the receipt is in (PostgreSQL)',
  { skip: postgresUp ? false : 'no PostgreSQL at DATABASE_URL or 127.0.0.1:5432 (PGlite runs one transaction at a time)' },
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const farm = await world.party('farm');
    const plant = await world.party('slaughterhouse');
    const pigs = await farm.product('head');
    const first = await farm.commission(pigs, 10);
    const second = await farm.commission(pigs, 10);
    const shipmentId = await farm.ship(plant, [{ lotCode: first }, { lotCode: second }]);
    const [shipment] = (await world.regulator.get(`/shipments?partyCode=${farm.code}`)).body.items;

    const hold = await holdLocked(world, sql`select 1 from shipments where id = ${shipmentId} for update`);
    const receipt = plant.event({ type: 'receive', shipmentId, partial: true, lines: [{ lotCode: first, quantity: 10 }] });
    await waitersReach(world, 1, receipt);
    const correction = farm.event({ type: 'correction', correctsEventId: shipment.shipEventId, reason: '发错了' });
    await waitersReach(world, 2, correction);
    hold.release();
    await hold.done;

    expectStatus(t, await receipt, 201, 'the receipt, first in line, books the pigs in');
    const refused = expectStatus(t, await correction, 409, 'the correction then finds the shipment received in part');
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

t.test(
  'a whole receipt behind a partial one takes only the lines still on their way (PostgreSQL)',
  { skip: postgresUp ? false : 'no PostgreSQL at DATABASE_URL or 127.0.0.1:5432 (PGlite runs one transaction at a time)' },
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const farm = await world.party('farm');
    const plant = await world.party('slaughterhouse');
    const pigs = await farm.product('head');
    const first = await farm.commission(pigs, 10);
    const second = await farm.commission(pigs, 10);
    const shipmentId = await farm.ship(plant, [{ lotCode: first }, { lotCode: second }]);

    const hold = await holdLocked(world, sql`select 1 from shipments where id = ${shipmentId} for update`);
    const part = writeAlone(world, {
      actor: plant.code,
      action: { type: 'receive', shipmentId, partial: true, lines: [{ lotCode: first, quantity: 10 }] },
      context: { eventTime: at(500) },
    });
    await waitersReach(world, 1, part);
    const rest = writeAlone(world, { actor: plant.code, action: { type: 'receive', shipmentId }, context: { eventTime: at(501) } });
    await waitersReach(world, 2, rest);
    hold.release();
    await hold.done;

    t.match(await part, { ok: true }, 'the partial receipt books in the first lot');
    const whole = await rest;
    t.match(whole, { ok: true }, 'the whole receipt books in what is left');
    t.same(whole.ok ? whole.event.lots.map((lot) => lot.lotCode) : null, [second], 'it takes the second lot only');
    const [after] = (await world.regulator.get(`/shipments?partyCode=${farm.code}`)).body.items;
    t.equal(after.status, 'received', 'every line is in');
    t.match(
      (await world.regulator.get(`/lots/${first}`)).body.massBalance,
      { produced: 10, onHand: 10, unaccounted: 0 },
      'ten pigs, not twenty',
    );
  },
);

t.test(
  'two partial receipts of the two lines of a shipment, one behind the other, leave it received (PostgreSQL)',
  { skip: postgresUp ? false : 'no PostgreSQL at DATABASE_URL or 127.0.0.1:5432 (PGlite runs one transaction at a time)' },
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const farm = await world.party('farm');
    const plant = await world.party('slaughterhouse');
    const pigs = await farm.product('head');
    const first = await farm.commission(pigs, 10);
    const second = await farm.commission(pigs, 10);
    const shipmentId = await farm.ship(plant, [{ lotCode: first }, { lotCode: second }]);

    const hold = await holdLocked(world, sql`select 1 from shipments where id = ${shipmentId} for update`);
    const receipt = (lotCode: string, hour: number) =>
      writeAlone(world, {
        actor: plant.code,
        action: { type: 'receive', shipmentId, partial: true, lines: [{ lotCode, quantity: 10 }] },
        context: { eventTime: at(hour) },
      });
    const one = receipt(first, 500);
    await waitersReach(world, 1, one);
    const other = receipt(second, 501);
    await waitersReach(world, 2, other);
    hold.release();
    await hold.done;

    t.match(await one, { ok: true }, 'the first lot is booked in');
    t.match(await other, { ok: true }, 'the second lot is booked in');
    const [after] = (await world.regulator.get(`/shipments?partyCode=${farm.code}`)).body.items;
    t.equal(after.status, 'received', 'every line is in, so the shipment is received');
  },
);
