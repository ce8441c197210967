// A recall opened while a lot of its scope is packed, unpacked or transformed, on PostgreSQL (PGlite
// runs one transaction at a time). The packing, unpacking or transformation waits, holding the lots
// it names, on a row the test holds; the recall lines up behind it, and the test lets go once it
// waits. The recall then records its scope as it is once the other write is stored: a root case's
// contents, and what was made of or packed with any lot of its scope.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { type AppOptions, buildApp } from '../../src/app.js';
import { completeGs1 } from '../../src/codes/gs1.js';
import { LOCK_ROUNDS } from '../../src/events/writer/repository.js';
import { EPCIS_CONTEXT, epcisRequests } from '../fixtures/epcis.js';
import {
  actOnCaseWhilePackingFarmLot,
  holdLocked,
  holdStock,
  meetInOrder,
  recallRace,
  waitBlockedBy,
  waitersBehindWaiterOf,
  waitersReach,
} from '../fixtures/locks.js';
import { type Actor, at, createWorld, expectStatus } from '../fixtures/world.js';
import { client, postgresOnly, type Reply, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

/**
 * A plant's pork and the bacon made of 6 kg of it, on PostgreSQL, and a regulator's recall of the
 * pork (its scope reaching the bacon) sent once a write of the bacon's stock, loose or in
 * `containerCode`, waits: the recall lines up behind the write.
 */
async function porkAndBacon(t: Test, options?: Partial<AppOptions>) {
  const world = await createWorld(t, 'postgres', options);
  const regulator = await world.partyRegulator();
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const pork = await plant.commission(kg, 10);
  const [bacon] = await plant.transform([{ lotCode: pork, quantity: 6 }], [{ productCode: kg, quantity: 4 }]);
  const recallPorkWhile = (write: () => Promise<Reply>, containerCode: string | null = null) =>
    meetInOrder(world, holdStock(world, bacon, plant.code, containerCode), write, () =>
      regulator.post('/recalls', { lotCodes: [pork], level: 1, reason: '非洲猪瘟', hazard: 'ASFV' }),
    );
  return { world, regulator, plant, kg, pork, bacon, recallPorkWhile };
}

t.test('a recall of a case opened while a lot is packed into it recalls that lot with the case (PostgreSQL)', onPostgres, async (t) => {
  const { world, regulator, plant, kg } = await recallRace(t);
  const [packedBefore, packedMeanwhile] = [await plant.commission(kg, 10), await plant.commission(kg, 10)];
  const caseCode = await plant.pack([{ lotCode: packedBefore, quantity: 4 }]);

  // the packing locks the case and the lot, then waits to book the lot's loose stock
  const [packing, opened] = await meetInOrder(
    world,
    holdStock(world, packedMeanwhile, plant.code, null),
    () =>
      plant.event({
        type: 'aggregate',
        parent: { containerCode: caseCode },
        children: [{ lotCode: packedMeanwhile, quantity: 4 }],
      }),
    () => regulator.post('/recalls', { lotCodes: [caseCode], level: 2, reason: '检出致病菌', hazard: '沙门氏菌' }),
  );

  expectStatus(t, packing, 201, 'the packing is stored');
  const recall = expectStatus(t, opened, 201, 'the recall is opened').body;
  t.same(recall.scope, { lots: 2, containers: 1, items: 0 }, 'the case with both lots in it');
  t.equal((await plant.lot(packedMeanwhile)).status, 'recalled', 'the lot packed while the recall waited is recalled');
  t.equal((await plant.lot(packedBefore)).status, 'recalled');
  const report = (await regulator.get(`/recalls/${recall.id}/report`)).body;
  t.same(report.lots.map((lot: { code: string }) => lot.code).sort(), [caseCode, packedBefore, packedMeanwhile].sort());
});

t.test(
  'an operator’s recall of its case opened while another party’s lot is packed into it is refused as the case holds that lot (PostgreSQL)',
  onPostgres,
  async (t) => {
    const {
      farm,
      apples,
      caseCode,
      packing,
      acted: opened,
    } = await actOnCaseWhilePackingFarmLot(t, (plant, caseCode) =>
      plant.api.post('/recalls', { lotCodes: [caseCode], level: 3, reason: '包装破损', hazard: '污染' }),
    );

    expectStatus(t, packing, 201, 'the packing is stored');
    const refused = expectStatus(t, opened, 403, 'the plant does not recall its case, which now holds the farm’s apples');
    t.match(refused.body, {
      detail: `only a regulator or the owner of lot ${apples} may recall ${caseCode}, which holds it`,
      errors: [{ pointer: '/lotCodes/0' }],
    });
    t.equal((await farm.lot(apples)).status, 'active', 'the apples stay on sale');
  },
);

t.test(
  'an operator’s recall of its case holding another party’s lot is refused before it waits for any lot (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const farm = await world.party('farm');
    const plant = await world.party('processor');
    const apples = await farm.commission(await farm.product('piece'), 10);
    await world.handOver(farm, plant, apples, 6);
    const caseCode = await plant.pack([{ lotCode: apples, quantity: 6 }]);

    // another party's write holds the farm's lot: a refused recall must not line up behind it
    const farmWrite = await holdLocked(world, sql`select 1 from lots where code = ${apples} for update`);
    let answered = false;
    const opened = plant.api.post('/recalls', { lotCodes: [caseCode], level: 3, reason: '包装破损', hazard: '污染' }).finally(() => {
      answered = true;
    });
    await waitersReach(world, 1, opened);
    t.ok(answered, 'the refusal is answered while the farm’s lot is still locked');
    farmWrite.release();
    await farmWrite.done;
    expectStatus(t, await opened, 403, 'the plant does not recall its case, which holds the farm’s apples');
  },
);

t.test(
  'a recall of a case opened while a lot is unpacked from it recalls what stays in the case, not the lot taken out (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t);
    const [stays, takenOut] = [await plant.commission(kg, 10), await plant.commission(kg, 10)];
    const caseCode = await plant.pack([
      { lotCode: stays, quantity: 4 },
      { lotCode: takenOut, quantity: 4 },
    ]);

    // the unpacking locks the case and its lots, then waits to book the lot out of the case
    const [unpacking, opened] = await meetInOrder(
      world,
      holdStock(world, takenOut, plant.code, caseCode),
      () => plant.event({ type: 'disaggregate', parentCode: caseCode, children: [takenOut] }),
      () => regulator.post('/recalls', { lotCodes: [caseCode], level: 2, reason: '检出致病菌', hazard: '沙门氏菌' }),
    );

    expectStatus(t, unpacking, 201, 'the unpacking is stored');
    const recall = expectStatus(t, opened, 201, 'the recall is opened').body;
    t.same(recall.scope, { lots: 1, containers: 1, items: 0 }, 'the case and the lot left in it');
    t.equal((await plant.lot(stays)).status, 'recalled');
    t.equal((await plant.lot(takenOut)).status, 'active', 'the lot taken out before the recall was stored is not recalled');
  },
);

t.test(
  'a lot unpacked from a case while a recall of the case is being stored: both are answered, neither is a 500, and the lot is recalled (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t);
    const lot = await plant.commission(kg, 10);
    const caseCode = await plant.pack([{ lotCode: lot, quantity: 4 }]);

    // the recall locks the case and the lot, then waits to record the plant as a holder
    const [opened, unpacked] = await meetInOrder(
      world,
      holdLocked(world, sql`select 1 from parties where code = ${plant.code} for update`),
      () => regulator.post('/recalls', { lotCodes: [caseCode], level: 2, reason: '检出致病菌', hazard: '沙门氏菌' }),
      () => plant.event({ type: 'disaggregate', parentCode: caseCode }),
    );

    const recall = expectStatus(t, opened, 201, 'the recall is opened').body;
    t.same(recall.scope, { lots: 1, containers: 1, items: 0 }, 'the case and the lot in it');
    t.ok(unpacked.status < 500, `the unpacking is answered without a 500 (${unpacked.status})`);
    t.equal((await plant.lot(lot)).status, 'recalled', 'the lot in the case when the recall was stored is recalled');
  },
);

t.test(
  'a recall opened while a lot of its scope is transformed recalls what the transformation made (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { plant, kg, bacon, recallPorkWhile } = await porkAndBacon(t);

    // the transformation of the bacon (in the recall's scope, not its root) locks it, then waits to book its stock
    const [smoking, opened] = await recallPorkWhile(() =>
      plant.event({ type: 'transform', inputs: [{ lotCode: bacon, quantity: 2 }], outputs: [{ productCode: kg, quantity: 1 }] }),
    );

    const [smoked] = expectStatus(t, smoking, 201, 'the transformation is stored').body.createdLotCodes;
    const recall = expectStatus(t, opened, 201, 'the recall is opened').body;
    t.same(recall.scope, { lots: 3, containers: 0, items: 0 }, 'the pork, the bacon and what was made of the bacon meanwhile');
    t.equal((await plant.lot(smoked)).status, 'recalled', 'the lot made while the recall waited is recalled');
    expectStatus(t, await plant.event({ type: 'sell', lines: [{ lotCode: smoked, quantity: 1 }] }), 422, 'and not sold');
  },
);

t.test('a recall opened while a lot of its scope is packed into a new case recalls the case (PostgreSQL)', onPostgres, async (t) => {
  const { plant, bacon, recallPorkWhile } = await porkAndBacon(t);

  const [packing, opened] = await recallPorkWhile(() =>
    plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: bacon, quantity: 2 }] }),
  );

  const [caseCode] = expectStatus(t, packing, 201, 'the packing is stored').body.createdLotCodes;
  const recall = expectStatus(t, opened, 201, 'the recall is opened').body;
  t.same(recall.scope, { lots: 2, containers: 1, items: 0 }, 'the pork, the bacon and the case it was packed in meanwhile');
  t.equal((await plant.lot(caseCode)).status, 'recalled');
});

t.test('a recall opened while a lot of its scope is unpacked from a case leaves the case out of it (PostgreSQL)', onPostgres, async (t) => {
  const { world, plant, kg, bacon, recallPorkWhile } = await porkAndBacon(t);
  const shop = await world.party('retailer');
  const caseCode = await plant.pack([{ lotCode: bacon, quantity: 2 }]);

  // the unpacking locks the case and the bacon, then waits to book the bacon out of the case
  const [unpacking, opened] = await recallPorkWhile(
    () => plant.event({ type: 'disaggregate', parentCode: caseCode, children: [bacon] }),
    caseCode,
  );

  expectStatus(t, unpacking, 201, 'the unpacking is stored');
  const recall = expectStatus(t, opened, 201, 'the recall is opened').body;
  t.same(recall.scope, { lots: 2, containers: 0, items: 0 }, 'the pork and the bacon, not the case emptied meanwhile');
  t.equal((await plant.lot(caseCode)).status, 'active');
  // not recalled, the case goes on: refilled with a lot outside the recall (an empty one is not shipped), it is shipped
  const beef = await plant.commission(kg, 5);
  await world.ok(plant.event({ type: 'aggregate', parent: { containerCode: caseCode }, children: [{ lotCode: beef, quantity: 3 }] }));
  expectStatus(t, await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: caseCode }] }), 201, 'the case is shipped');
  t.match((await plant.lot(beef)).massBalance, { shipped: 3 }, 'with what it was refilled with');
});

t.test(
  'a recall whose scope grows while it waits keeps the lots it holds: a sale queued behind it is refused, not let in between (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t);
    const shop = await world.party('retailer');
    const pork = await plant.commission(kg, 10);
    const made = await plant.transform(
      [{ lotCode: pork, quantity: 6 }],
      [
        { productCode: kg, quantity: 2 },
        { productCode: kg, quantity: 2 },
      ],
    );
    // the recall locks its scope in code order: it holds the lower of the two while it waits for the higher
    const [sold, packed] = [...made].sort();
    await world.handOver(plant, shop, sold, 1);

    // the packing of the higher lot (in the recall's scope) locks it, then waits to book its stock
    const stock = await holdStock(world, packed, plant.code, null);
    const packing = plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: packed, quantity: 1 }] });
    await waitersReach(world, 1, packing);
    const opened = regulator.post('/recalls', { lotCodes: [pork], level: 1, reason: '非洲猪瘟', hazard: 'ASFV' });
    await waitersReach(world, 2, opened);
    // the shop's sale of the lower lot, sent to another instance of the service (this one records the
    // packing first: its events take turns), waits for the recall, which holds the lot
    const second = await buildApp({ database: world.database, publicBaseUrl: TEST_BASE_URL });
    t.teardown(() => second.close());
    const sale = client(second, shop.key).post('/events', { type: 'sell', eventTime: at(1000), lines: [{ lotCode: sold, quantity: 1 }] });
    await waitersReach(world, 3, sale);
    stock.release();
    await stock.done;

    const [caseCode] = expectStatus(t, await packing, 201, 'the packing is stored').body.createdLotCodes;
    const recall = expectStatus(t, await opened, 201, 'the recall is opened').body;
    t.same(recall.scope, { lots: 3, containers: 1, items: 0 }, 'the pork, both lots made of it and the case packed meanwhile');
    t.equal((await plant.lot(caseCode)).status, 'recalled', 'the case packed while the recall waited is recalled');
    // had the recall let its lots go to take its grown scope afresh, the sale would have been stored in between
    const refused = expectStatus(t, await sale, 422, 'the sale that waited behind the recall finds the lot recalled');
    t.match(refused.body, { type: /recalled-lot/ });
    t.match((await shop.lot(sold)).massBalance, { sold: 0 }, 'nothing of it sold');
  },
);

t.test(
  'a recall whose scope is still changing after its last round is refused with a 409 to send again, recalling nothing (PostgreSQL)',
  onPostgres,
  async (t) => {
    // one round only: the transformation stored while the recall waits is a change it may not take in
    const { regulator, plant, kg, pork, bacon, recallPorkWhile } = await porkAndBacon(t, { recallScopeRounds: 1 });

    const [smoking, opened] = await recallPorkWhile(() =>
      plant.event({ type: 'transform', inputs: [{ lotCode: bacon, quantity: 2 }], outputs: [{ productCode: kg, quantity: 1 }] }),
    );

    const [smoked] = expectStatus(t, smoking, 201, 'the transformation is stored').body.createdLotCodes;
    const refused = expectStatus(t, opened, 409, 'the recall is refused');
    t.match(refused.body, {
      type: /conflict/,
      detail: /still changing after 1 round of taking in the lots it newly reached.*send it again/,
    });
    for (const code of [pork, bacon, smoked]) t.equal((await plant.lot(code)).status, 'active', `${code} is not recalled`);
    t.same((await regulator.get('/recalls')).body.items, [], 'no recall is recorded');
  },
);

t.test(
  'a recall whose newly reached lot is transformed again at each of its five rounds, and once more at the read after, is refused with a 409 to send again, recalling nothing (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const regulator = await world.partyRegulator();
    const { post } = epcisRequests(world);
    // a chain of lots, each of its own maker; the next maker holds some of the lot before its own, and
    // names its own (already there) as the output of a transformation of that one: through EPCIS a
    // transformation may add inputs to a lot that exists, which a write can therefore wait for before
    // the recall reaches it
    const makers: Actor[] = [];
    const lots: string[] = [];
    const classes: string[] = [];
    for (let k = 0; k <= LOCK_ROUNDS + 1; k++) {
      const maker = await world.party('processor');
      const gtin = completeGs1(`06901234${String(k).padStart(5, '0')}`);
      const product = await maker.product('kg', { gtin });
      makers.push(maker);
      lots.push(await maker.commission(product, 10, { lotNumber: `CHAIN-${k}` }));
      classes.push(`https://id.gs1.org/01/${gtin}/10/CHAIN-${k}`);
      if (k > 0) await world.handOver(makers[k - 1], maker, lots[k - 1], 2);
    }
    // maker k transforms 1 kg of lot k − 1 into its lot k, waiting (holding both) where it books the input
    const transformation = async (k: number) => {
      const stock = await holdStock(world, lots[k - 1], makers[k].code, null);
      const sent = post(makers[k].key, '/epcis/events', {
        '@context': EPCIS_CONTEXT,
        type: 'TransformationEvent',
        eventTime: '2026-11-01T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        bizStep: 'commissioning',
        inputQuantityList: [{ epcClass: classes[k - 1], quantity: 1, uom: 'KGM' }],
        outputQuantityList: [{ epcClass: classes[k], quantity: 1, uom: 'KGM' }],
      });
      return { stock, sent };
    };

    const sent = [await transformation(1)];
    await waitBlockedBy(world, sent[0].stock.pid, sent[0].sent);
    const opened = regulator.post('/recalls', { lotCodes: [lots[0]], level: 1, reason: '检出致病菌', hazard: '沙门氏菌' });
    // the recall waits for lot 0 behind the first transformation
    await waitersBehindWaiterOf(world, sent[0].stock.pid, 1, opened);
    for (let k = 1; k <= LOCK_ROUNDS; k++) {
      // this one holds lots k − 1 and k, waiting at its stock: sent while it still waited for lot k − 1
      // behind the one before, the next could take lot k first and hold it up (and the recall with it)
      await waitBlockedBy(world, sent[k - 1].stock.pid, sent[k - 1].sent);
      // the next transformation lines up for lot k behind this one, before the recall reaches lot k
      sent.push(await transformation(k + 1));
      // and the recall waits behind this one for lot k − 1
      await waitersBehindWaiterOf(world, sent[k - 1].stock.pid, 2, opened);
      // this one is stored: the recall finds lot k newly reached and waits for it behind the next one
      sent[k - 1].stock.release();
      await sent[k - 1].stock.done;
    }

    // the read after its last round, which took everything afresh, finds lot 5 newly reached, held by the last one
    const refused = expectStatus(t, await opened, 409, 'the recall is refused');
    sent[LOCK_ROUNDS].stock.release();
    await sent[LOCK_ROUNDS].stock.done;
    for (const [index, { sent: reply }] of sent.entries()) {
      t.equal((await reply).statusCode, 201, `transformation ${index + 1} is stored`);
    }
    t.match(refused.body, {
      type: /conflict/,
      detail: new RegExp(`still changing after ${LOCK_ROUNDS} rounds of taking in the lots it newly reached.*send it again`),
    });
    for (const [k, code] of lots.entries()) t.not((await makers[k].lot(code)).status, 'recalled', `lot ${k} is not recalled`);
    t.same((await regulator.get('/recalls')).body.items, [], 'no recall is recorded');
  },
);
