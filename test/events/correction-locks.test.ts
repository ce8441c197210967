// A correction whose replacement is a receipt, racing a recall opening over the open shipments and
// lots it reaches, and a correction of a case's event racing a receipt of the lot packed in the case,
// on PostgreSQL (PGlite runs one transaction at a time). A lot the correction locks (or the events
// table it writes) is held by a transaction of the test's own while the other request lines up behind
// the correction, so they meet in the same order every run: the correction must hold every shipment
// it will take before it waits for a lot, or the two deadlock.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { queryRows } from '../../src/db/client.js';
import { holdLocked, meetInOrder, waitBlockedBy, waitersReach } from '../fixtures/locks.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

/** On PostgreSQL, a farm with two lots of pigs (10 and 20 head), a plant it ships to, and a regulator of a party of its own. */
async function farmAndPlant(t: Test) {
  const world = await createWorld(t, 'postgres');
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const regulator = await world.partyRegulator();
  const pigs = await farm.product('head');
  return { world, farm, plant, regulator, first: await farm.commission(pigs, 10), other: await farm.commission(pigs, 20) };
}

t.test(
  'a correction whose replacement receives a shipment, a lot of which is also on another open shipment, meets a recall of that lot without a deadlock (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, farm, plant, regulator, first, other } = await farmAndPlant(t);
    const receipt = await plant.receive(await farm.ship(plant, [{ lotCode: first }]));
    // two shipments of the other lot: the replacement receives the later in id order, the recall takes the earlier first
    const [earlier, later] = [
      await farm.ship(plant, [{ lotCode: other, quantity: 10 }]),
      await farm.ship(plant, [{ lotCode: other, quantity: 10 }]),
    ].sort();

    // the correction locks its shipments, then waits for the other lot (booked in by its replacement);
    // the recall of the other lot locks the open shipments carrying it, the earlier first
    const [correction, opened] = await meetInOrder(
      world,
      holdLocked(world, sql`select 1 from lots where code = ${other} for update`),
      () =>
        plant.event({
          type: 'correction',
          correctsEventId: receipt.event.id,
          reason: '收错了车',
          replacement: { type: 'receive', eventTime: at(500), shipmentId: later },
        }),
      () => regulator.post('/recalls', { lotCodes: [other], level: 1, reason: '检出致病菌', hazard: '非洲猪瘟' }),
      'on the hold',
    );

    expectStatus(t, correction, 201, 'the correction and its replacement receipt are stored');
    expectStatus(t, opened, 201, 'the recall is opened');
    const shipments = (await world.regulator.get(`/shipments?partyCode=${farm.code}`)).body.items as { id: string; status: string }[];
    t.match(Object.fromEntries(shipments.map((s) => [s.id, s.status])), { [later]: 'received', [earlier]: 'open' });
    t.equal((await world.regulator.get(`/lots/${other}`)).body.status, 'recalled', 'the other lot is recalled');
  },
);

t.test(
  'a correction of a receipt whose shipment lines carry no receipt (stored before lines did) meets a recall of a lot the reversal puts back on its way without a deadlock (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, farm, plant, regulator, first, other } = await farmAndPlant(t);
    const shipmentId = await farm.ship(plant, [{ lotCode: first }, { lotCode: other, quantity: 10 }]);
    expectStatus(
      t,
      await plant.event({ type: 'receive', shipmentId, partial: true, lines: [{ lotCode: other, quantity: 10 }] }),
      201,
      'the plant receives the other lot first',
    );
    const receipt = await plant.receive(shipmentId);
    // as a database written before receipts were recorded per line holds them
    await queryRows(world.database.db, sql`update shipment_lines set receive_event_id = null where shipment_id = ${shipmentId}`);
    // more of the other lot on its way on another shipment
    await farm.ship(plant, [{ lotCode: other, quantity: 10 }]);

    // the correction locks its shipments, then waits for the first lot; the recall locks the open
    // shipment carrying the other lot, then waits for the lots
    const [correction, opened] = await meetInOrder(
      world,
      holdLocked(world, sql`select 1 from lots where code = ${first} for update`),
      () =>
        plant.event({
          type: 'correction',
          correctsEventId: receipt.event.id,
          reason: '时间记错了',
          replacement: { type: 'receive', eventTime: receipt.event.eventTime, shipmentId },
        }),
      () => regulator.post('/recalls', { lotCodes: [first, other], level: 1, reason: '检出致病菌', hazard: '非洲猪瘟' }),
      'on the hold',
    );

    expectStatus(t, correction, 201, 'the correction and its replacement receipt are stored');
    expectStatus(t, opened, 201, 'the recall is opened');
  },
);

t.test(
  'a correction of an observation of a case meets a receipt of a shipment carrying the lot packed in the case without a deadlock (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const farm = await world.party('farm');
    const shop = await world.party('retailer');
    const kg = await farm.product('kg');
    const lot = await farm.commission(kg, 10);
    const caseCode = (await world.ok(farm.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 4 }] })))
      .createdLotCodes[0] as string;
    const shipmentId = await farm.ship(shop, [{ lotCode: lot, quantity: 6 }]);
    const observed = await world.ok(farm.event({ type: 'observe', lotCodes: [caseCode] }));

    // the correction locks the case and the lot in it, then waits to store its event
    const hold = await holdLocked(world, sql`lock table events in share mode`);
    const correction = farm.event({ type: 'correction', correctsEventId: observed.event.id, reason: '扫错了箱' });
    await waitBlockedBy(world, hold.pid, correction);
    // the receipt locks the shipment carrying the lot, then waits for the lot (or for the shipment, held by the correction)
    const receipt = shop.event({ type: 'receive', shipmentId });
    await waitersReach(world, 2, receipt);
    hold.release();
    await hold.done;

    // the statuses' refresh takes the open shipments carrying what is packed in the case: taken
    // only then, after the lot, the receipt holding one while waiting for the lot deadlocked with it
    expectStatus(t, await correction, 201, 'the correction is stored');
    expectStatus(t, await receipt, 201, 'the shop receives the shipment');
    t.match(
      (await world.regulator.get(`/shipments?partyCode=${farm.code}`)).body.items,
      [{ id: shipmentId, status: 'received' }],
      'the shipment is received',
    );
  },
);
