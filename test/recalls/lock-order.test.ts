// A recall opening's locks against other writers' on PostgreSQL (PGlite runs one transaction at a
// time). Every writer takes its lots in code order; an opening whose scope grew while it waited
// takes the lots it newly reached after those it holds. A writer holding such a lot while it waits
// for one the opening holds would deadlock with it. And the open shipments carrying its scope's lots
// (its roots' aside) it does not lock: a receipt of one, racing it, is serialised by the lots alone.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { newLotCode } from '../../src/codes/service-codes.js';
import type { WriteRequest } from '../../src/events/writer/index.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { answeredYet, holdLocked, holdStock, recallRace, waitBlockedBy, waitersReach } from '../fixtures/locks.js';
import { at, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { type Client, client, postgresOnly, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

/** Writes one request through the writer in a transaction of its own, as another door to it (EPCIS capture) does. */
async function writeAlone(world: World, request: WriteRequest) {
  const writer = eventWriterOn(world.database);
  const [outcome] = await world.database.db.transaction((tx) => writer.write(tx as never, [request], 'proceed'));
  return outcome;
}

/**
 * The plant adds `root` as an input to its lot `joined` (through another door, the writer alone),
 * and waits, holding the root, where it books the root's stock, which `stock` holds locked.
 */
async function rootAddedWaitingOnStock(world: World, plantCode: string, root: string, joined: string) {
  const stock = await holdStock(world, root, plantCode);
  const transforming = writeAlone(world, {
    actor: plantCode,
    action: { type: 'transform', inputs: [{ lotCode: root, quantity: 1 }], outputs: [{ lotCode: joined }] },
    context: { eventTime: at(900) },
  });
  await waitBlockedBy(world, stock.pid, transforming);
  return { stock, transforming };
}

/** Who the recall recorded holding a lot: each holding's type (loose `holding`, or `in_transit`), holder, quantity and shipment. */
async function holdingsOf(regulator: Client, recallId: string, lotCode: string) {
  const csv = (await regulator.get(`/recalls/${recallId}/scope?format=csv`)).body as string;
  const [header, ...rows] = csv.slice(1).trim().split('\r\n');
  const columns = header.split(',');
  return rows
    .map((row) => Object.fromEntries(row.split(',').map((cell, index) => [columns[index], cell])))
    .filter((row) => ['holding', 'in_transit'].includes(row.type) && row.lot_code === lotCode)
    .map((row) => ({ type: row.type, holder: row.holder, quantity: Number(row.quantity), shipmentId: row.shipment_id || null }));
}

/**
 * A recall of `root` whose scope grows, while it waits for the root, to a lot (`below`) that sorts
 * below the root and that a sale holds while it waits for the root behind the recall: the sale
 * would deadlock with a recall that waited for `below` holding the root. Lot codes are random: of
 * two lots each made into another, a lot made of one (`below`, made of `joined`) sorts below a lot
 * of the other pair (`root`), whichever way they fall.
 */
async function scopeGrowsToALotASaleHolds(t: Test, options: { recallScopeRounds?: number } = {}) {
  const world = await createWorld(t, 'postgres', options);
  const regulator = await world.partyRegulator();
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const kg = await plant.product('kg');
  const raws = [await plant.commission(kg, 10), await plant.commission(kg, 10)];
  const made: string[] = [];
  for (const raw of raws) made.push((await plant.transform([{ lotCode: raw, quantity: 4 }], [{ productCode: kg, quantity: 4 }]))[0]);
  const pairs = [0, 1].flatMap((k) => [raws[1 - k], made[1 - k]].map((root) => ({ joined: raws[k], below: made[k], root })));
  const { joined, below, root } = pairs.find((pair) => pair.below < pair.root) as (typeof pairs)[number];
  const rootScope = made.includes(root) ? [root] : [root, made[raws.indexOf(root)]];
  await world.handOver(plant, shop, below, 1);
  await world.handOver(plant, shop, root, 1);

  // the plant (through another door) adds an input to its lot `joined`: the root, which brings
  // `joined` and what was made of it (`below`) into the recall's scope; it waits, holding the root,
  // where it books the root's stock
  const { stock, transforming } = await rootAddedWaitingOnStock(world, plant.code, root, joined);
  // the recall of the root waits for it behind the transformation
  const opened = regulator.post('/recalls', { lotCodes: [root], level: 1, reason: '检出致病菌', hazard: '沙门氏菌' });
  await waitersReach(world, 2, opened);
  // the shop's sale of both, sent to another instance of the service, locks `below` (first in code
  // order), then waits for the root behind the recall
  const second = await buildApp({ database: world.database, publicBaseUrl: TEST_BASE_URL });
  t.teardown(() => second.close());
  const sale = client(second, shop.key).post('/events', {
    type: 'sell',
    eventTime: at(1000),
    lines: [
      { lotCode: below, quantity: 1 },
      { lotCode: root, quantity: 1 },
    ],
  });
  await waitersReach(world, 3, sale);
  // the transformation is stored: the recall, holding the root, reaches `below`, which the sale holds
  stock.release();
  await stock.done;
  return { regulator, plant, shop, root, joined, below, rootScope, transforming, opened, sale };
}

t.test(
  'a recall whose scope grows to a lot another writer holds while it waits for a lot the recall holds: neither deadlocks, both are stored (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { plant, shop, root, joined, below, rootScope, transforming, opened, sale } = await scopeGrowsToALotASaleHolds(t);

    t.match(await transforming, { ok: true }, 'the transformation is stored');
    const recall = expectStatus(t, await opened, 201, 'the recall is opened').body;
    t.same(recall.scope, { lots: rootScope.length + 2, containers: 0, items: 0 }, 'with the lot joined and what was made of it');
    // the recall let its locks go rather than wait for `below` while holding the root: the sale,
    // then first, is stored before it, not failed as the loser of a deadlock
    expectStatus(t, await sale, 201, 'the sale is stored');
    for (const code of [root, joined, below]) t.equal((await plant.lot(code)).status, 'recalled', `${code} is recalled`);
    t.match((await shop.lot(below)).massBalance, { sold: 1 }, 'the shop sold what it had before the recall was stored');
  },
);

t.test(
  'a recall that took its lots afresh at its last round reads its scope once more, holding them all: nothing new to take, it is stored after the sale (PostgreSQL)',
  onPostgres,
  async (t) => {
    // two rounds: the first takes the root, the second lets it go to take the grown scope afresh
    const { plant, shop, root, joined, below, rootScope, sale, opened } = await scopeGrowsToALotASaleHolds(t, { recallScopeRounds: 2 });

    expectStatus(t, await sale, 201, 'the sale is stored');
    const recall = expectStatus(t, await opened, 201, 'the recall is opened').body;
    t.same(recall.scope, { lots: rootScope.length + 2, containers: 0, items: 0 }, 'with the lot joined and what was made of it');
    for (const code of [root, joined, below]) t.equal((await plant.lot(code)).status, 'recalled', `${code} is recalled`);
    t.match((await shop.lot(below)).massBalance, { sold: 1 }, 'the shop sold what it had before the recall was stored');
  },
);

t.test(
  'a receipt of a lot of a recall’s scope on its way, waited for by the recall: the recall records it received (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t);
    const shop = await world.party('retailer');
    const raw = await plant.commission(kg, 10);
    const [sausage] = await plant.transform([{ lotCode: raw, quantity: 10 }], [{ productCode: kg, quantity: 8 }]);
    await world.handOver(plant, shop, sausage, 2);
    const shipmentId = await plant.ship(shop, [{ lotCode: sausage, quantity: 6 }]);

    // the receipt locks the shipment and the sausage, then waits to book the sausage into the shop's stock
    const stock = await holdStock(world, sausage, shop.code);
    const receipt = shop.event({ type: 'receive', shipmentId });
    await waitBlockedBy(world, stock.pid, receipt);
    // the recall of the raw lot (the shipment carries no root of it) waits for the sausage behind it
    const opened = regulator.post('/recalls', { lotCodes: [raw], level: 1, reason: '检出致病菌', hazard: '沙门氏菌' });
    await waitersReach(world, 2, opened);
    stock.release();
    await stock.done;

    expectStatus(t, await receipt, 201, 'the shop books the sausage in');
    const recall = expectStatus(t, await opened, 201, 'the recall is opened').body;
    t.same(
      await holdingsOf(regulator, recall.id, sausage),
      [{ type: 'holding', holder: shop.code, quantity: 8, shipmentId: null }],
      'the recall records the shop holding all it received, nothing on its way',
    );
    t.equal((await shop.lot(sausage)).status, 'recalled', 'the sausage is recalled');
    expectStatus(t, await shop.event({ type: 'sell', lines: [{ lotCode: sausage, quantity: 1 }] }), 422, 'and not sold');
  },
);

t.test(
  'a receipt of a lot of a recall’s scope on its way, waiting for the recall: the recall records it on its way, and the shop reports it all (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t);
    const shop = await world.party('retailer');
    const raw = await plant.commission(kg, 10);
    const [sausage] = await plant.transform([{ lotCode: raw, quantity: 10 }], [{ productCode: kg, quantity: 8 }]);
    await world.handOver(plant, shop, sausage, 2);
    const shipmentId = await plant.ship(shop, [{ lotCode: sausage, quantity: 6 }]);

    // the recall locks its scope, the sausage among it, then waits to record the shop as a holder
    const holder = await holdLocked(world, sql`select 1 from parties where code = ${shop.code} for update`);
    const opened = regulator.post('/recalls', { lotCodes: [raw], level: 1, reason: '检出致病菌', hazard: '沙门氏菌' });
    await waitBlockedBy(world, holder.pid, opened);
    // the receipt locks the shipment, then waits for the sausage behind the recall
    const receipt = shop.event({ type: 'receive', shipmentId });
    await waitersReach(world, 2, receipt);
    holder.release();
    await holder.done;

    const recall = expectStatus(t, await opened, 201, 'the recall is opened').body;
    expectStatus(t, await receipt, 201, 'the shop books the sausage in');
    t.same(
      (await holdingsOf(regulator, recall.id, sausage)).sort((a, b) => a.quantity - b.quantity),
      [
        { type: 'holding', holder: shop.code, quantity: 2, shipmentId: null },
        { type: 'in_transit', holder: shop.code, quantity: 6, shipmentId },
      ],
      'the recall records what the shop held and what was on its way to it',
    );
    t.equal((await shop.lot(sausage)).status, 'recalled', 'the sausage stays recalled once received');
    const reported = await shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: sausage, returned: 0, destroyed: 8 }] });
    expectStatus(t, reported, 201, 'the shop destroys all 8 it was recorded holding');
    t.match((await shop.lot(sausage)).massBalance, { destroyed: 8, inTransit: 0 });
  },
);

/**
 * Holds, until `release`, a row that references the lot (an ear tag of it, inserted and not yet
 * committed): the insert's foreign-key check locks the lot FOR KEY SHARE, as any insert referencing
 * a lot does (an ear tag, a tag binding, a code job), which a write changing no key need not wait for.
 */
const holdReference = (world: World, lotCode: string, partyCode: string) =>
  holdLocked(
    world,
    sql`insert into lot_identifiers (kind, value, lot_code, party_code) values ('ear_tag', ${`156${String(Date.now()).slice(-12)}`}, ${lotCode}, ${partyCode})`,
  );

/** Whether `sent` is answered before any of its statements waits for the server process `pid` (see waitBlockedBy). */
async function answeredWithoutWaitingFor(world: World, pid: number, sent: Promise<unknown>) {
  const answered = answeredYet(sent);
  await waitBlockedBy(world, pid, sent);
  return answered();
}

t.test(
  'a recall of a lot that a transaction still inserting a row referencing it locks only by key: the recall does not wait for it (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t);
    const root = await plant.commission(kg, 10);

    const reference = await holdReference(world, root, plant.code);
    const opened = regulator.post('/recalls', { lotCodes: [root], level: 1, reason: '检出致病菌', hazard: '沙门氏菌' });
    t.ok(await answeredWithoutWaitingFor(world, reference.pid, opened), 'the recall is answered while the insert is still open');
    reference.release();
    await reference.done;

    expectStatus(t, await opened, 201, 'the recall is opened');
    t.equal((await plant.lot(root)).status, 'recalled', 'the lot is recalled');
  },
);

t.test(
  'a recall whose scope grows to a lot that a transaction inserting a row referencing it locks only by key: taken in its next round, not afresh, so two rounds suffice (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t, { recallScopeRounds: 2 });
    const [root, joined] = [await plant.commission(kg, 10), await plant.commission(kg, 10)];
    const [below] = await plant.transform([{ lotCode: joined, quantity: 4 }], [{ productCode: kg, quantity: 4 }]);

    // the plant adds an input to `joined`: the root, which brings `joined` and `below` into the
    // recall's scope; it waits, holding the root, where it books the root's stock
    const { stock, transforming } = await rootAddedWaitingOnStock(world, plant.code, root, joined);
    // an ear tag of `below` is being inserted, in a transaction still open
    const reference = await holdReference(world, below, plant.code);
    // the recall of the root waits behind the transformation for the root
    const opened = regulator.post('/recalls', { lotCodes: [root], level: 1, reason: '检出致病菌', hazard: '沙门氏菌' });
    await waitersReach(world, 2, opened);
    stock.release();
    await stock.done;

    t.ok(await answeredWithoutWaitingFor(world, reference.pid, opened), 'the recall is answered while the insert is still open');
    reference.release();
    await reference.done;
    t.match(await transforming, { ok: true }, 'the transformation is stored');
    const recall = expectStatus(t, await opened, 201, 'the recall is opened in two rounds').body;
    t.same(recall.scope, { lots: 3, containers: 0, items: 0 }, 'with the lot joined and what was made of it');
    t.equal((await plant.lot(below)).status, 'recalled', 'the lot referenced meanwhile is recalled');
  },
);

t.test(
  'a recall naming a lot that is made while it waits for its other root takes the new lot in code order, not after the root: a writer holding the new lot then taking the root does not deadlock with it (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t);
    const farm = await world.party('farm');
    const pork = await farm.product('kg');
    const root = await plant.commission(kg, 10);
    // lot codes are random: the one made meanwhile is given one sorting below the root
    let made = newLotCode();
    while (made >= root) made = newLotCode();

    // the plant transforms some of the root (a new lot in the recall's scope), waiting, holding the
    // root, where it books the root's stock; the recall of the root and of a lot not made yet waits for the root
    const stock = await holdStock(world, root, plant.code);
    const transforming = plant.event({
      type: 'transform',
      inputs: [{ lotCode: root, quantity: 1 }],
      outputs: [{ productCode: kg, quantity: 1 }],
    });
    await waitBlockedBy(world, stock.pid, transforming);
    const opened = regulator.post('/recalls', { lotCodes: [root, made], level: 1, reason: '检出致病菌', hazard: '沙门氏菌' });
    await waitersReach(world, 2, opened);
    // the farm makes the lot the recall names; a writer then holds it
    t.match(
      await writeAlone(world, {
        actor: farm.code,
        action: { type: 'commission', lots: [{ code: made, productCode: pork, quantity: 10 }] },
        context: { eventTime: at(900) },
      }),
      { ok: true },
      'the lot named is made',
    );
    // a writer holding the new lot, then taking the root as every writer takes them (in code order)
    const lockLot = (code: string) => sql`select 1 from lots where code = ${code} for no key update`;
    const writer = await holdLocked(world, lockLot(made), lockLot(root));
    // the transformation is stored: the recall, holding the root, stages again and reaches the new lot
    stock.release();
    await stock.done;
    await waitBlockedBy(world, writer.pid, opened);
    // the writer takes the root after the new lot
    writer.release();
    await t.resolves(writer.done, 'the writer holding the new lot takes the root: the recall holds it no longer');

    expectStatus(t, await transforming, 201, 'the transformation is stored');
    const recall = expectStatus(t, await opened, 201, 'the recall is opened').body;
    t.same(recall.scope, { lots: 3, containers: 0, items: 0 }, 'both roots and the lot made of the first');
    t.equal((await farm.lot(made)).status, 'recalled', 'the lot made meanwhile is recalled');
  },
);
