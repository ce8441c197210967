// A correction with a replacement racing another party's event over the same lots, on PostgreSQL,
// whose pool runs them side by side (PGlite runs one transaction at a time). A row the correction
// writes is held by a transaction of the test's own while the other request lines up behind the
// correction, so they meet in the same order every run.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { EPCIS_CONTEXT } from '../fixtures/epcis.js';
import { holdLocked, holdStock, meetInOrder } from '../fixtures/locks.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

t.test(
  'a correction whose replacement uses a lot another party is using meanwhile: both are answered, neither is a 500 (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const farm = await world.party('farm');
    const plant = await world.party('processor');
    const shop = await world.party('retailer');
    const pork = await farm.product('kg');
    // lots are locked in code order: the replacement's lot sorts before the one the corrected event used
    const [earlier, later] = [await farm.commission(pork, 100), await farm.commission(pork, 100)].sort();
    for (const party of [plant, shop]) {
      await party.receive(
        await farm.ship(party, [
          { lotCode: earlier, quantity: 40 },
          { lotCode: later, quantity: 40 },
        ]),
      );
    }
    const bacon = await plant.product('kg');
    const made = await plant.event({
      type: 'transform',
      inputs: [{ lotCode: later, quantity: 10 }],
      outputs: [{ productCode: bacon, quantity: 8 }],
    });
    expectStatus(t, made, 201, 'the plant cures 10 kg of the later lot');

    // the correction locks the later lot, then waits to book its reversal in the plant's balance; the
    // shop takes the earlier lot, then waits for the later one the correction holds
    const [corrected, sold] = await meetInOrder(
      world,
      holdStock(world, later, plant.code),
      () =>
        plant.event({
          type: 'correction',
          correctsEventId: made.body.event.id,
          reason: '用错了批次',
          replacement: {
            type: 'transform',
            eventTime: made.body.event.eventTime,
            inputs: [{ lotCode: earlier, quantity: 10 }],
            outputs: [{ productCode: bacon, quantity: 8 }],
          },
        }),
      () =>
        shop.event({
          type: 'sell',
          lines: [
            { lotCode: earlier, quantity: 5 },
            { lotCode: later, quantity: 5 },
          ],
        }),
    );
    expectStatus(t, corrected, 201, 'the correction and its replacement are stored');
    expectStatus(t, sold, 201, "the shop's sale is stored");
    t.match((await world.regulator.get(`/lots/${earlier}`)).body.massBalance, { produced: 100, consumed: 10, sold: 5, onHand: 85 });
    t.match((await world.regulator.get(`/lots/${later}`)).body.massBalance, { produced: 100, consumed: 0, sold: 5, onHand: 95 });
  },
);

t.test(
  "a lot's last stock sold loose by one party while another destroys the case holding the rest ends destroyed or sold, not active (PostgreSQL)",
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const shop = await world.party('retailer');
    const bacon = await plant.commission(await plant.product('kg'), 10);
    const packed = await plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: bacon, quantity: 4 }] });
    expectStatus(t, packed, 201, 'the plant packs 4 kg in a case');
    const caseCode = packed.body.createdLotCodes[0];
    await shop.receive(await plant.ship(shop, [{ lotCode: caseCode }]));

    // the plant's sale of its last 6 kg waits to book them, having read the shop's 4 kg as still
    // there; the shop destroys the case, with the 4 kg in it, meanwhile (from another process: this
    // one's native events wait for the sale's transaction)
    const writer = eventWriterOn(world.database);
    const [sale, destruction] = await meetInOrder(
      world,
      holdStock(world, bacon, plant.code),
      () => plant.event({ type: 'sell', lines: [{ lotCode: bacon }] }),
      () =>
        world.database.db.transaction((tx) =>
          writer.write(
            tx as never,
            [
              {
                actor: shop.code,
                action: { type: 'destroy', reason: '破损', lines: [{ lotCode: caseCode }] },
                context: { eventTime: at(500) },
              },
            ],
            'proceed',
          ),
        ),
    );

    expectStatus(t, sale, 201, 'the sale is stored');
    t.match(destruction, [{ ok: true }], 'the destruction is stored');
    const lot = (await world.regulator.get(`/lots/${bacon}`)).body;
    t.match(lot.massBalance, { produced: 10, sold: 6, destroyed: 4, onHand: 0 });
    t.ok(['sold', 'destroyed'].includes(lot.status), `nothing of the lot is left: its status is ${lot.status}`);
  },
);

t.test(
  'a correction of a sale from a lot still on its way to another party, while a third party sells from it: both are answered, neither is a 500 (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const farm = await world.party('farm');
    const plant = await world.party('processor');
    const shop = await world.party('retailer');
    const pork = await farm.product('kg');
    const lot = await farm.commission(pork, 100);
    await shop.receive(await farm.ship(shop, [{ lotCode: lot, quantity: 40 }]));
    // on its way to the plant: every event using the lot locks this open shipment
    await farm.ship(plant, [{ lotCode: lot, quantity: 20 }]);
    const sold = await farm.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 5 }] });
    expectStatus(t, sold, 201, 'the farm sells 5 kg');

    // the correction locks the lot, then waits to book its reversal in the farm's balance; the shop's
    // sale locks the open shipment carrying the lot, then waits for the lot
    const [corrected, shopSold] = await meetInOrder(
      world,
      holdStock(world, lot, farm.code),
      () =>
        farm.event({
          type: 'correction',
          correctsEventId: sold.body.event.id,
          reason: '数量录错',
          replacement: { type: 'sell', eventTime: sold.body.event.eventTime, lines: [{ lotCode: lot, quantity: 3 }] },
        }),
      () => shop.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 5 }] }),
    );
    expectStatus(t, corrected, 201, 'the correction and its replacement are stored');
    expectStatus(t, shopSold, 201, "the shop's sale is stored");
    t.match((await world.regulator.get(`/lots/${lot}`)).body.massBalance, { produced: 100, sold: 8 });
  },
);

t.test(
  "a regulator's recall opening marking a lot downstream of its roots while the owner's event uses that lot and a root: both are answered, neither is a 500 (PostgreSQL)",
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const regulator = await world.partyRegulator();
    const kg = await plant.product('kg');
    const commissioned = await plant.event({
      type: 'commission',
      lots: Array.from({ length: 12 }, () => ({ productCode: kg, quantity: 100 })),
    });
    expectStatus(t, commissioned, 201, 'the plant commissions twelve lots');
    const lots: string[] = commissioned.body.createdLotCodes;
    // lots are locked in code order: two roots that sort after a lot blended from them (codes are random)
    let downstream = '';
    let roots: string[] = [];
    while (roots.length < 2) {
      const made = await plant.event({
        type: 'transform',
        inputs: lots.map((lotCode) => ({ lotCode, quantity: 1 })),
        outputs: [{ productCode: kg, quantity: 10 }],
      });
      expectStatus(t, made, 201, 'the plant blends them into one lot');
      downstream = made.body.createdLotCodes[0];
      roots = lots.filter((code) => code > downstream).sort();
    }
    const [root, lastRoot] = roots;

    // the recall locks the first root, then waits for the last one; the plant's observation locks the
    // downstream lot, then waits for the root the recall holds
    const writer = eventWriterOn(world.database);
    const [recall, observation] = await meetInOrder(
      world,
      holdLocked(world, sql`select 1 from lots where code = ${lastRoot} for update`),
      () => regulator.post('/recalls', { lotCodes: [root, lastRoot], level: 3, reason: '检出致病菌', hazard: '沙门氏菌' }),
      () =>
        world.database.db
          .transaction((tx) =>
            writer.write(
              tx as never,
              [{ actor: plant.code, action: { type: 'observe', lotCodes: [downstream, root] }, context: { eventTime: at(500) } }],
              'proceed',
            ),
          )
          .catch((error: Error) => String(error.cause ?? error)),
    );
    expectStatus(t, recall, 201, 'the recall is opened');
    t.match(observation, [{ ok: true }], 'the observation is stored');
    t.equal((await world.regulator.get(`/lots/${downstream}`)).body.status, 'recalled', 'the downstream lot is recalled');
  },
);

t.test(
  'a correction of an unpacking whose replacement unpacks the case again, while another party sells a lot the reversal puts back in the case: both are answered, neither is a 500 (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const shop = await world.party('retailer');
    const gtin = completeGs1('0690123488881');
    const kg = await plant.product('kg', { gtin });
    const commissioned = [
      { lotNumber: 'L1', code: await plant.commission(kg, 10, { lotNumber: 'L1' }) },
      { lotNumber: 'L2', code: await plant.commission(kg, 10, { lotNumber: 'L2' }) },
    ];
    // lots are locked in code order: the lot put back sorts before the one the correction books back
    const [putBack, bookedBack] = commissioned.sort((a, b) => (a.code < b.code ? -1 : 1));
    // the shop has all of the one and some of the other; the plant still owns both
    await shop.receive(
      await plant.ship(shop, [
        { lotCode: putBack.code, quantity: 10 },
        { lotCode: bookedBack.code, quantity: 3 },
      ]),
    );
    const sscc = completeGs1('06901234000000024');
    const caseCode = (
      await world.ok(plant.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: bookedBack.code, quantity: 4 }] }))
    ).createdLotCodes[0];
    // EPCIS lists the lot the plant no longer holds in the case too, with nothing of it packed
    const listed = await world.app.inject({
      method: 'POST',
      url: '/epcis/events',
      payload: {
        '@context': EPCIS_CONTEXT,
        type: 'AggregationEvent',
        eventTime: '2026-03-05T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        action: 'ADD',
        bizStep: 'packing',
        parentID: `https://id.gs1.org/00/${sscc}`,
        childQuantityList: [{ epcClass: `https://id.gs1.org/01/${gtin}/10/${putBack.lotNumber}` }],
      },
      headers: { authorization: `Bearer ${plant.key}` },
    });
    t.equal(listed.statusCode, 201, 'the case lists the lot through EPCIS');
    // after the EPCIS packing: an unpacking is not dated before a packing it undoes
    const unpacked = await plant.event({ type: 'disaggregate', eventTime: '2026-03-05T09:00:00+08:00', parentCode: caseCode });
    expectStatus(t, unpacked, 201, 'the plant unpacks the case');

    // the correction locks the lot it books back, then waits to book it back into the case; the shop
    // sells from both lots: it takes the lot put back, then waits for the one booked back
    const [corrected, sold] = await meetInOrder(
      world,
      holdStock(world, bookedBack.code, plant.code),
      () =>
        plant.event({
          type: 'correction',
          correctsEventId: unpacked.body.event.id,
          reason: '只拆了一个批次',
          replacement: {
            type: 'disaggregate',
            eventTime: unpacked.body.event.eventTime,
            parentCode: caseCode,
            children: [bookedBack.code],
          },
        }),
      () =>
        shop.event({
          type: 'sell',
          lines: [
            { lotCode: putBack.code, quantity: 1 },
            { lotCode: bookedBack.code, quantity: 1 },
          ],
        }),
    );
    expectStatus(t, corrected, 201, 'the correction and its replacement are stored');
    expectStatus(t, sold, 201, "the shop's sale is stored");
  },
);
