// Coverage, activity and pass rates on a small world, checked against figures worked out by hand,
// and the anomaly lists of the same world.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { chinaDay } from '../../src/codes/timestamp.js';
import { byTownship, periodScope } from '../../src/figures/service.js';
import { signInToDashboard } from '../fixtures/dashboard.js';
import { captured, epcisDocument, observation } from '../fixtures/epcis.js';
import { sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { type Actor, at, BRANDS_REGISTERED, createWorld, expectStatus, randomUscc, settableClock } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('figures of a small county world', async (t) => {
  const world = await createWorld(t);
  const { ok, regulator } = world;
  const farmA = await world.party('farm', '甲养殖场');
  const farmB = await world.party('farm', '乙养殖场');
  const plant = await world.party('slaughterhouse', '屠宰厂');
  const idle = await world.party('processor', '未上线加工厂');
  const retailer = await world.party('retailer', '零售店');
  const lab = await world.party('lab', '检测中心');
  // an enterprise in Beijing (Dongcheng), outside the county
  const beijing = await ok(
    world.admin.post('/parties', { kind: 'processor', name: '北京加工厂', uscc: randomUscc('110101'), regionCode: '110101' }),
  );
  const beijingApi = client(world.app, (await ok(world.admin.post('/api-keys', { role: 'operator', partyCode: beijing.code }))).key);
  const beijingProduct = await ok(
    beijingApi.post('/products', { partyCode: beijing.code, name: '外地腊肉', category: 'cured_meat', unit: 'kg' }),
  );
  await ok(
    beijingApi.post('/events', {
      type: 'commission',
      eventTime: '2026-03-02T08:00:00+08:00',
      lots: [{ productCode: beijingProduct.code, quantity: 5 }],
    }),
  );

  const carcass = await plant.product('kg', { marks: ['geographical_indication'] });
  const offal = await plant.product('kg');
  await idle.product('kg', { marks: ['green_food'] });

  // farm A's pigs carry their quarantine certificate on the lot; farm B's first lot has none, its second one on the shipment
  const pigsA = await farmA.commission(await farmA.product('head'), 10, { attributes: { quarantineCertificate: 'QC-A-1' } });
  const pigsB = await farmB.commission(await farmB.product('head'), 5);
  const pigsB2 = await farmB.commission(await farmB.product('head'), 4);
  await world.handOver(farmA, plant, pigsA);
  await world.handOver(farmB, plant, pigsB);
  const shipped = await ok(
    farmB.event({
      type: 'ship',
      toPartyCode: plant.code,
      lines: [{ lotCode: pigsB2 }],
      referenceDocuments: [{ type: 'quarantine_certificate', number: 'QC-B-2' }],
    }),
  );
  await plant.receive(shipped.shipmentId);

  const [c1] = await plant.transform(
    [{ lotCode: pigsA, quantity: 10 }],
    [{ productCode: carcass, quantity: 800, expiryDate: '2026-03-10' }],
  );
  const [c2] = await plant.transform([{ lotCode: pigsB, quantity: 5 }], [{ productCode: carcass, quantity: 400 }]);
  const [c4] = await plant.transform([{ lotCode: pigsB2, quantity: 4 }], [{ productCode: carcass, quantity: 300 }]);
  const c3 = await plant.commission(offal, 50);
  for (const lot of [c1, c3]) {
    const job = await ok(plant.api.post(`/lots/${lot}/items`, { count: lot === c1 ? 4 : 2 }), 202);
    t.ok(job.id);
  }
  await world.app.services.items.idle();
  for (const lot of [c1, c2, c3, c4]) await ok(plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 10 }] }));
  // some of C1 leaves for a shop that never books it in
  await plant.ship(retailer, [{ lotCode: c1, quantity: 100 }]);

  const inspect = (actor: typeof plant, lotCode: string, inspection: Record<string, unknown>) =>
    ok(actor.event({ type: 'inspect', lotCodes: [lotCode], inspection }));
  await inspect(plant, c1, {
    kind: 'self',
    result: 'pass',
    items: [
      { name: '瘦肉精', result: 'pass' },
      { name: '水分', result: 'pass' },
    ],
  });
  await inspect(plant, c2, {
    kind: 'self',
    result: 'fail',
    reportNumber: 'SELF-2',
    items: [
      { name: '瘦肉精', result: 'pass' },
      { name: '水分', result: 'fail' },
    ],
  });
  await inspect(lab, c1, { kind: 'third_party', labPartyCode: lab.code, result: 'pass', items: [{ name: '瘦肉精', result: 'pass' }] });
  await inspect(plant, c3, { kind: 'rapid', result: 'pass' });
  // an inspection declared in error counts for nothing
  const wrong = await inspect(plant, c3, { kind: 'rapid', result: 'fail' });
  await ok(plant.event({ type: 'correction', correctsEventId: wrong.event.id, reason: 'wrong lot keyed in' }));

  await t.test('traceability rate: sold lots and their codes that reach a certified farm lot', async (t) => {
    const figures = expectStatus(t, await regulator.get('/regulator/figures/traceability?by=product'), 200, 'by product').body;
    // C1 (lot certificate) and C4 (certificate on the shipment) reach a certified farm lot; C2 and C3 do not
    t.strictSame(figures.overall, { lots: 4, tracedLots: 2, lotRate: 0.5, items: 6, tracedItems: 4, itemRate: 0.6666 });
    t.equal(figures.target, 1);
    const byProduct = Object.fromEntries(
      figures.groups.map((group: any) => [group.key, [group.lots, group.tracedLots, group.items, group.tracedItems]]),
    );
    t.strictSame(byProduct, { [carcass]: [3, 2, 4, 4], [offal]: [1, 0, 2, 0] });
    const byKind = (await regulator.get('/regulator/figures/traceability?by=partyKind')).body;
    t.strictSame(
      byKind.groups.map((group: any) => [group.key, group.name, group.lots, group.tracedLots]),
      [['slaughterhouse', '屠宰', 4, 2]],
      'a kind of party named as the party codes name it',
    );
    const byEnterprise = (await regulator.get('/regulator/figures/traceability')).body;
    t.match(byEnterprise.groups, [{ key: plant.code, name: '屠宰厂', lotRate: 0.5 }]);
    const byRegion = (await regulator.get('/regulator/figures/traceability?by=region&region=500236')).body;
    t.strictSame(
      byRegion.groups.map((group: any) => [group.key, group.name, group.lots]),
      [['500236', '重庆市奉节县', 4]],
      'a region named as the township figures name it',
    );
    const noTownship = (await regulator.get('/regulator/figures/traceability?by=township')).body;
    t.strictSame(
      noTownship.groups.map((group: any) => [group.key, group.name, group.lots, group.tracedLots]),
      [['500236', '重庆市奉节县（未注明乡镇）', 4, 2]],
      'an owner whose address names no township counts under its county',
    );
    await world.database.db.execute(sql`update parties set address = '重庆市奉节县永乐镇大坝村3组' where code = ${plant.code}`);
    const byTownship = (await regulator.get('/regulator/figures/traceability?by=township&region=500236')).body;
    t.strictSame(
      byTownship.groups.map((group: any) => [group.key, group.name, group.lots, group.tracedLots, group.items, group.tracedItems]),
      [['500236131', '重庆市奉节县永乐镇', 4, 2, 6, 4]],
      'by the township its address names',
    );
    t.strictSame(byTownship.overall, figures.overall, 'the same total');
    const before = (await regulator.get('/regulator/figures/traceability?from=2025-01-01&to=2025-12-31')).body;
    t.strictSame(
      before.overall,
      { lots: 0, tracedLots: 0, lotRate: null, items: 0, tracedItems: 0, itemRate: null },
      'nothing sold in 2025',
    );
  });

  await t.test('activity rate: enterprises that recorded events, and the certified ones', async (t) => {
    // registered before March (the figures of a period count the enterprises registered by its last day)
    await world.database.db.execute(sql`update parties set created_at = '2026-02-01T09:00:00+08:00'`);
    const figures = expectStatus(t, await regulator.get('/regulator/figures/activity?from=2026-03-01&to=2026-03-31'), 200, 'activity').body;
    // seven enterprises (labs and regulators are not enterprises): the idle processor and the retailer recorded nothing
    t.strictSame(figures.overall.all, { registered: 6, active: 4, rate: 0.6666 });
    // the idle processor's product declares the green-food mark, which declaring does not earn: it holds no certification
    t.strictSame(figures.overall.greenFood, { registered: 0, active: 0, rate: null });
    // the plant's product declares the GI mark, but the plant is in no GI brand and holds no GI use permit
    t.strictSame(figures.overall.geographicalIndication, { registered: 0, active: 0, rate: null });
    t.strictSame(figures.overall.organic, { registered: 0, active: 0, rate: null });
    t.strictSame(
      figures.byRegion.map((row: any) => [row.regionCode, row.name, row.all.registered, row.all.active]),
      [
        ['110101', '北京市东城区', 1, 1],
        ['500236', '重庆市奉节县', 5, 3],
      ],
    );
    t.strictSame(
      figures.byKind.map((row: any) => [row.kind, row.name, row.all.registered, row.all.active]),
      [
        ['farm', '种养殖', 2, 2],
        ['processor', '加工', 2, 1],
        ['retailer', '零售', 1, 0],
        ['slaughterhouse', '屠宰', 1, 1],
      ],
    );
    // a certification held today (declared, with its validity, on an approved application to join) counts,
    // as it earns the mark on the consumer page; one expired, or not yet valid, does not
    await world.database.db.execute(
      sql`insert into registrations (id, ticket_hash, status, kind, name, uscc, region_code, address, contact, licences, certifications, ip_hash, party_code)
        values ('r1', 'h', 'approved', 'retailer', '零售店', ${randomUscc()}, '500236', '奉节', '{}', '[]',
          '[{"type": "organic", "number": "OF-1", "validUntil": "9999-12-31"},
            {"type": "green_food", "number": "GF-1", "validUntil": "2020-12-31"},
            {"type": "gi_use_permit", "number": "GI-1", "validFrom": "9999-01-01", "validUntil": "9999-12-31"}]', 'ip', ${retailer.code})`,
    );
    const certified = (await regulator.get('/regulator/figures/activity?from=2026-03-01&to=2026-03-31')).body;
    t.strictSame(certified.overall.organic, { registered: 1, active: 0, rate: 0 }, 'the retailer is certified organic');
    t.strictSame(certified.overall.greenFood, { registered: 0, active: 0, rate: null }, 'its green-food certification has expired');
    t.strictSame(certified.overall.geographicalIndication, { registered: 0, active: 0, rate: null }, 'its GI use permit is not valid yet');
    const county = (await regulator.get('/regulator/figures/activity?region=500236&from=2026-04-01')).body;
    t.strictSame(county.overall.all, { registered: 5, active: 0, rate: 0 }, 'nobody active after March');
  });

  await t.test('pass rates by kind and test item against 96 %', async (t) => {
    const figures = expectStatus(t, await regulator.get('/regulator/figures/pass-rates'), 200, 'pass rates').body;
    t.equal(figures.target, 0.96);
    t.strictSame(figures.overall, { total: 4, passed: 3, failed: 1, rate: 0.75, meetsTarget: false });
    t.strictSame(
      figures.byKind.map((row: any) => [row.kind, row.total, row.passed, row.rate, row.meetsTarget]),
      [
        ['rapid', 1, 1, 1, true],
        ['self', 2, 1, 0.5, false],
        ['third_party', 1, 1, 1, true],
      ],
    );
    t.strictSame(
      figures.byItem.map((row: any) => [row.item, row.total, row.passed, row.rate]),
      [
        ['水分', 2, 1, 0.5],
        ['瘦肉精', 3, 3, 1],
      ],
    );
    const elsewhere = (await regulator.get('/regulator/figures/pass-rates?region=11')).body;
    t.strictSame(elsewhere.overall, { total: 0, passed: 0, failed: 0, rate: null, meetsTarget: false }, 'no tests of Beijing lots');
    expectStatus(
      t,
      await regulator.get('/regulator/figures/pass-rates?from=2026-03-02&to=2026-03-01'),
      400,
      'a period that ends before it starts',
    );
    for (const [from, detail] of [
      ['2026-13-01', 'must be a calendar date YYYY-MM-DD'],
      ['2026-02-30', 'must be a calendar date YYYY-MM-DD'],
      ['0999-01-01', 'must lie in the years 1900–9999'],
    ]) {
      const refused = expectStatus(t, await regulator.get(`/regulator/figures/traceability?from=${from}`), 400, `from=${from}`);
      t.strictSame(refused.body.errors, [{ in: 'querystring', pointer: '/from', detail }], 'one error, saying what is wrong');
    }
    expectStatus(t, await plant.api.get('/regulator/figures/pass-rates'), 403, 'not for operators');
  });

  await t.test('anomalies', async (t) => {
    // a shipment of nothing beside the real one (lines of 0, as the writer stored some before it
    // refused them): no receipt can take it, so it is no delivery waiting to be booked in
    const nothing = randomUUID();
    await world.database.db.execute(
      sql`insert into shipments (id, ship_event_id, from_party_code, to_party_code, status, shipped_at)
        select ${nothing}, ship_event_id, from_party_code, to_party_code, 'open', shipped_at from shipments
        where to_party_code = ${retailer.code} and status = 'open'`,
    );
    await world.database.db.execute(
      sql`insert into shipment_lines (shipment_id, lot_code, quantity, party_code, position) values (${nothing}, ${c1}, 0, ${plant.code}, 0)`,
    );
    const anomalies = expectStatus(t, await regulator.get('/regulator/anomalies'), 200, 'anomalies').body;
    t.match(anomalies.unreceivedShipments, [
      { fromPartyCode: plant.code, toPartyCode: retailer.code, lines: [{ lotCode: c1, quantity: 100 }] },
    ]);
    t.equal(anomalies.unreceivedShipments.length, 1, 'received shipments and shipments of nothing are not listed');
    t.ok(anomalies.unreceivedShipments[0].daysOpen > 3);
    t.strictSame(
      anomalies.expiredLots.map((lot: any) => [lot.lotCode, lot.expiryDate, lot.onHand]),
      [[c1, '2026-03-10', 690]],
      'C1 expired on 10 March with 690 kg left at the plant (800 made, 10 sold, 100 on the road)',
    );
    t.strictSame(
      anomalies.failedInspectionsWithoutHold.map((row: any) => [row.lotCode, row.kind, row.reportNumber]),
      [[c2, 'self', 'SELF-2']],
      'the failed test of C2; the one declared in error is not listed',
    );
    expectStatus(t, await plant.api.post('/holds', { lotCodes: [c2], reason: '自检不合格，待复检' }), 201, 'the plant holds C2');
    const held = (await regulator.get('/regulator/anomalies')).body;
    t.strictSame(held.failedInspectionsWithoutHold, [], 'a held lot is no longer a failed test without a hold');
    expectStatus(t, await plant.api.post('/holds/release', { lotCodes: [c2], reason: '复检合格' }), 201, 'and releases it');
    t.strictSame(
      (await regulator.get('/regulator/anomalies')).body.failedInspectionsWithoutHold.map((row: any) => row.lotCode),
      [c2],
      'released, its failed test is listed again',
    );
    const far = (await regulator.get('/regulator/anomalies?shipmentDays=365')).body;
    t.equal(far.unreceivedShipments.length, 0, 'not open for a year');
    const beijingOnly = (await regulator.get('/regulator/anomalies?region=110101')).body;
    t.strictSame(beijingOnly, {
      unreceivedShipments: [],
      expiredLots: [],
      failedInspectionsWithoutHold: [],
      suspiciousCodes: [],
      salesAfterExpiry: [],
      counts: { unreceivedShipments: 0, expiredLots: 0, failedInspectionsWithoutHold: 0, suspiciousCodes: 0, salesAfterExpiry: 0 },
    });
  });
});

t.test('a failed test is superseded by a later standing pass of the same lot and kind, not by an earlier or withdrawn one', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const product = await plant.product('kg');
  const lots = [];
  for (let i = 0; i < 6; i++) lots.push(await plant.commission(product, 10));
  const [retested, otherKind, failedAfterPass, failedAgain, withdrawnPass, replacedPass] = lots;
  const inspect = (lotCode: string, kind: string, result: string, hour: number) =>
    world.ok(
      plant.event({ type: 'inspect', eventTime: at(hour), lotCodes: [lotCode], inspection: { kind, result, reportNumber: `R-${hour}` } }),
    );
  const listed = async () =>
    (await world.regulator.get('/regulator/anomalies')).body.failedInspectionsWithoutHold.map((row: any) => [
      row.lotCode,
      row.reportNumber,
    ]);

  await inspect(retested, 'self', 'fail', 500);
  await world.ok(plant.api.post('/holds', { lotCodes: [retested], reason: '自检不合格，待复检' }));
  await inspect(retested, 'self', 'pass', 501);
  await world.ok(plant.api.post('/holds/release', { lotCodes: [retested], reason: '复检合格' }));
  await inspect(otherKind, 'self', 'fail', 502);
  await inspect(otherKind, 'rapid', 'pass', 503);
  await inspect(failedAfterPass, 'self', 'pass', 504);
  await inspect(failedAfterPass, 'self', 'fail', 505);
  await inspect(failedAgain, 'self', 'fail', 506);
  await inspect(failedAgain, 'self', 'pass', 507);
  await inspect(failedAgain, 'self', 'fail', 508);
  await inspect(withdrawnPass, 'self', 'fail', 509);
  const withdrawn = await inspect(withdrawnPass, 'self', 'pass', 510);
  await world.ok(plant.event({ type: 'correction', correctsEventId: withdrawn.event.id, reason: 'the re-test was of another lot' }));
  await inspect(replacedPass, 'self', 'fail', 511);
  const replaced = await inspect(replacedPass, 'self', 'pass', 512);
  await world.ok(
    plant.event({
      type: 'correction',
      correctsEventId: replaced.event.id,
      reason: 'report number keyed in wrong',
      replacement: {
        type: 'inspect',
        eventTime: at(512),
        lotCodes: [replacedPass],
        inspection: { kind: 'self', result: 'pass', reportNumber: 'R-512b' },
      },
    }),
  );

  t.strictSame(
    await listed(),
    [
      [otherKind, 'R-502'],
      [failedAfterPass, 'R-505'],
      [failedAgain, 'R-508'],
      [withdrawnPass, 'R-509'],
    ],
    'a re-test passed and released clears the failure; a pass of another kind, an earlier pass or one declared in error does not; the replacement of a pass clears it',
  );

  // a lab's failure: the owner's own pass does not clear it, the lab's (or another lab's) re-test does
  const lab = await world.party('lab');
  const [ownerOverLab, labRetested, passRecordedFirst] = [
    await plant.commission(product, 10),
    await plant.commission(product, 10),
    await plant.commission(product, 10),
  ];
  const labInspect = (lotCode: string, result: string, hour: number) =>
    world.ok(
      lab.event({
        type: 'inspect',
        eventTime: at(hour),
        lotCodes: [lotCode],
        inspection: { kind: 'rapid', result, reportNumber: `L-${hour}` },
      }),
    );
  await labInspect(ownerOverLab, 'fail', 520);
  await inspect(ownerOverLab, 'rapid', 'pass', 521);
  await labInspect(labRetested, 'fail', 522);
  await labInspect(labRetested, 'pass', 523);
  // a pass recorded before the failure it would clear, which names an earlier time, is no re-test of it
  await labInspect(passRecordedFirst, 'pass', 525);
  await labInspect(passRecordedFirst, 'fail', 524);
  const laterLots = new Set([ownerOverLab, labRetested, passRecordedFirst]);
  t.strictSame(
    (await listed()).filter(([lotCode]: string[]) => laterLots.has(lotCode)),
    [
      [ownerOverLab, 'L-520'],
      [passRecordedFirst, 'L-524'],
    ],
    "the owner's pass leaves a lab's failure listed; the lab's re-test clears it; a pass recorded before the failure does not",
  );
});

t.test('a sale after the expiry date is recorded, and listed among the anomalies whatever the lot became since', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const beijingShop = await world.party('retailer', '北京零售店', '110101');
  const lot = await plant.commission(await plant.product('kg'), 10, { expiryDate: '2026-12-01' });
  await world.handOver(plant, shop, lot, 6);
  await world.handOver(plant, beijingShop, lot, 4);
  const sell = async (seller: typeof shop, quantity: number, eventTime: string) => {
    const sold = expectStatus(
      t,
      await seller.event({ type: 'sell', eventTime, lines: [{ lotCode: lot, quantity }] }),
      201,
      `${quantity} kg sold at ${eventTime}`,
    );
    return sold.body.event.id as string;
  };
  const anomalies = async (query = '') =>
    expectStatus(t, await world.regulator.get(`/regulator/anomalies${query}`), 200, `anomalies${query}`).body;
  const listed = (body: any) => body.salesAfterExpiry.map((row: any) => [row.soldBy, row.quantity, row.eventTime]);

  await sell(shop, 1, '2026-12-01T23:30:00+08:00');
  // half past midnight in China is still 1 December in UTC: the day is China's
  const first = await sell(shop, 2, '2026-12-02T00:30:00+08:00');
  const midway = await anomalies();
  t.strictSame(
    listed(midway),
    [[shop.code, 2, '2026-12-01T16:30:00.000Z']],
    'a sale on the expiry day is not listed; one the day after is',
  );
  t.strictSame(
    midway.expiredLots.map((row: any) => row.lotCode),
    [lot],
    'the lot, not sold out, is an expired lot still in circulation too',
  );
  await sell(shop, 3, '2026-12-02T10:00:00+08:00');
  await sell(beijingShop, 4, '2026-12-03T10:00:00+08:00');
  t.equal((await plant.lot(lot)).status, 'sold', 'sold out');

  const after = await anomalies();
  t.strictSame(after.expiredLots, [], 'a lot sold out is no longer in circulation');
  t.strictSame(
    listed(after),
    [
      [shop.code, 2, '2026-12-01T16:30:00.000Z'],
      [shop.code, 3, '2026-12-02T02:00:00.000Z'],
      [beijingShop.code, 4, '2026-12-03T02:00:00.000Z'],
    ],
    'every sale after the expiry date, the earliest first, though the lot is sold out',
  );
  t.match(after.salesAfterExpiry[0], {
    eventId: first,
    lotCode: lot,
    partyCode: plant.code,
    expiryDate: '2026-12-01',
    unit: 'kg',
    status: 'sold',
  });
  t.equal(after.counts.salesAfterExpiry, 3);
  const document = await servedOpenApi(world.app);
  sentAsDeclared(t, document, ['GET', '/regulator/anomalies'], await world.regulator.get('/regulator/anomalies'), 200);

  const page = await anomalies('?limit=1&offset=1');
  t.strictSame(listed(page), [[shop.code, 3, '2026-12-02T02:00:00.000Z']], 'a page of the list');
  t.equal(page.counts.salesAfterExpiry, 3, 'counted past the page');
  t.strictSame(
    listed(await anomalies('?region=110101')),
    [[beijingShop.code, 4, '2026-12-03T02:00:00.000Z']],
    "Beijing's: the sale by its shop of a Fengjie lot",
  );
  t.equal((await anomalies('?region=500236')).counts.salesAfterExpiry, 3, "Fengjie's: every sale of its lot, wherever it was sold");
  t.equal((await anomalies('?region=5002')).counts.salesAfterExpiry, 3, 'by a prefix');
  t.equal((await anomalies('?region=510000')).counts.salesAfterExpiry, 0, 'none in Sichuan');

  await world.ok(shop.event({ type: 'correction', correctsEventId: first, reason: '录错日期' }));
  t.equal((await anomalies()).counts.salesAfterExpiry, 2, 'a sale declared in error is no sale');
  const regulator = { keyId: 'county', role: 'regulator' as const, partyCode: null };
  t.match(
    (await world.app.services.dashboard.view(regulator, {})).anomalyCounts,
    { salesAfterExpiry: 2, expiredLots: 1 },
    'the dashboard counts, and the 2 kg that sale no longer took are back on the shelf past expiry',
  );
  t.match(
    (await world.app.services.dashboard.view(regulator, { region: '110101' })).anomalyCounts,
    { salesAfterExpiry: 1 },
    "and Beijing's",
  );
});

t.test('a sold lot is traced only when it reaches a farm lot and every farm lot it reaches carries its certificate', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const processor = await world.party('processor');
  const pigs = await farm.product('head');
  const certified = await farm.commission(pigs, 2, { attributes: { quarantineCertificate: 'QC-1' } });
  const uncertified = await farm.commission(pigs, 8);
  const alsoCertified = await farm.commission(pigs, 3, { attributes: { quarantineCertificate: 'QC-2' } });
  const shipmentId = await farm.ship(processor, [{ lotCode: certified }, { lotCode: uncertified }, { lotCode: alsoCertified }]);
  await processor.receive(shipmentId);
  const [mixed, pure, allCertified, own] = [
    await processor.product('kg'),
    await processor.product('kg'),
    await processor.product('kg'),
    await processor.product('kg'),
  ];
  const made = async (inputs: { lotCode: string; quantity: number }[], productCode: string) => {
    const [lot] = await processor.transform(inputs, [{ productCode, quantity: 100 }]);
    await world.ok(processor.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 10 }] }));
  };
  await made(
    [
      { lotCode: certified, quantity: 2 },
      { lotCode: uncertified, quantity: 7 },
    ],
    mixed,
  );
  await made([{ lotCode: uncertified, quantity: 1 }], pure);
  await made([{ lotCode: alsoCertified, quantity: 3 }], allCertified);
  const ownLot = await processor.commission(own, 50);
  await world.ok(processor.event({ type: 'sell', lines: [{ lotCode: ownLot, quantity: 5 }] }));

  const figures = expectStatus(t, await world.regulator.get('/regulator/figures/traceability?by=product'), 200, 'by product').body;
  t.strictSame(
    Object.fromEntries(figures.groups.map((group: any) => [group.key, [group.lots, group.tracedLots]])),
    { [mixed]: [1, 0], [pure]: [1, 0], [allCertified]: [1, 1], [own]: [1, 0] },
    'a lot of certified and uncertified pigs is not traced, nor one of uncertified pigs alone, nor one that reaches no farm lot',
  );
  t.match(figures.overall, { lots: 4, tracedLots: 1, lotRate: 0.25 });
  const regulator = { keyId: 'county', role: 'regulator' as const, partyCode: null };
  const dashboard = await world.app.services.dashboard.view(regulator, {});
  t.match(dashboard.coverage.overall, { lots: 4, tracedLots: 1 }, "the dashboard's panel reads the same");
});

t.test(
  'the certificate a farm lot needs follows its product: quarantine for animals and their meat, the commitment certificate for produce',
  async (t) => {
    const world = await createWorld(t);
    const orchard = await world.party('farm', '脐橙园');
    const pigFarm = await world.party('farm', '生猪养殖场');
    const retailer = await world.party('retailer');
    const processor = await world.party('processor');
    // produce has no category of its own: an orchard's oranges and a farm's vegetables are registered as `other`
    const oranges = await orchard.product('kg', { name: '奉节脐橙', category: 'other' });
    const vegetables = await orchard.product('kg', { name: '青菜', category: 'other' });
    const uncertifiedOranges = await orchard.product('kg', { name: '无证脐橙', category: 'other' });
    const pigs = await pigFarm.product('head', { category: 'live_animal' });
    const [pork, quarantinedPork] = [
      await processor.product('kg', { category: 'fresh_meat' }),
      await processor.product('kg', { category: 'fresh_meat' }),
    ];

    const sold = async (seller: Actor, lotCode: string) => world.ok(seller.event({ type: 'sell', lines: [{ lotCode, quantity: 1 }] }));
    // oranges with the commitment certificate on the lot; vegetables with it on their shipment's documents; oranges with none
    const certifiedOranges = await orchard.commission(oranges, 100, { attributes: { commitmentCertificate: 'CN500236-1' } });
    await world.handOver(orchard, retailer, certifiedOranges);
    await sold(retailer, certifiedOranges);
    const greens = await orchard.commission(vegetables, 50);
    const shipped = await world.ok(
      orchard.event({
        type: 'ship',
        toPartyCode: retailer.code,
        lines: [{ lotCode: greens }],
        referenceDocuments: [{ type: 'commitment_certificate', number: 'CN500236-2' }],
      }),
    );
    await retailer.receive(shipped.shipmentId);
    await sold(retailer, greens);
    const bareOranges = await orchard.commission(uncertifiedOranges, 100);
    await sold(orchard, bareOranges);

    // pigs with only a commitment certificate are not traced; quarantined ones are
    const promised = await pigFarm.commission(pigs, 2, { attributes: { commitmentCertificate: 'CN500236-3' } });
    const quarantined = await pigFarm.commission(pigs, 2, { attributes: { quarantineCertificate: 'QC-9' } });
    const shipmentId = await pigFarm.ship(processor, [{ lotCode: promised }, { lotCode: quarantined }]);
    await processor.receive(shipmentId);
    const [porkLot] = await processor.transform([{ lotCode: promised, quantity: 2 }], [{ productCode: pork, quantity: 150 }]);
    const [quarantinedPorkLot] = await processor.transform(
      [{ lotCode: quarantined, quantity: 2 }],
      [{ productCode: quarantinedPork, quantity: 150 }],
    );
    await sold(processor, porkLot);
    await sold(processor, quarantinedPorkLot);

    const figures = expectStatus(t, await world.regulator.get('/regulator/figures/traceability?by=product'), 200, 'by product').body;
    t.strictSame(
      Object.fromEntries(figures.groups.map((group: any) => [group.key, [group.lots, group.tracedLots]])),
      {
        [oranges]: [1, 1],
        [vegetables]: [1, 1],
        [uncertifiedOranges]: [1, 0],
        [pork]: [1, 0],
        [quarantinedPork]: [1, 1],
      },
      'produce is traced by its commitment certificate, meat by its quarantine certificate alone',
    );
    t.match(figures.overall, { lots: 5, tracedLots: 3 });
  },
);

t.test('by product, lots of no registered product are a group of their own, not taken for the total', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('kg');
  const packedLot = await processor.commission(product, 10);
  const looseLot = await processor.commission(product, 10);
  // a case has no product: sold, it counts as the lot packed in it
  const packed = await world.ok(
    processor.event({
      type: 'aggregate',
      parent: { sscc: completeGs1('06901234500000777') },
      children: [{ lotCode: packedLot, quantity: 4 }],
    }),
  );
  await world.ok(processor.event({ type: 'sell', lines: [{ lotCode: packed.createdLotCodes[0] }] }));
  await world.ok(processor.event({ type: 'sell', lines: [{ lotCode: looseLot, quantity: 2 }] }));
  // a lot captured under a GTIN no product registers: a lot of no registered product
  const unknownGtin = 'https://id.gs1.org/01/06901234000993/10/X-1';
  const { job } = await captured(
    world,
    processor.key,
    epcisDocument([
      observation(1, { action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: unknownGtin, quantity: 5, uom: 'KGM' }] }),
      observation(2, { bizStep: 'retail_selling', quantityList: [{ epcClass: unknownGtin, quantity: 5, uom: 'KGM' }] }),
    ]),
  );
  t.match(job, { success: true, captured: 2 });
  const byEnterprise = (await world.regulator.get('/regulator/figures/traceability?by=enterprise')).body;
  const byProduct = (await world.regulator.get('/regulator/figures/traceability?by=product')).body;
  t.equal(byEnterprise.overall.lots, 3);
  t.strictSame(byProduct.overall, byEnterprise.overall, 'the same total whichever the grouping');
  t.same(
    byProduct.groups.map((group: { key: string; lots: number }) => [group.key, group.lots]),
    [
      ['', 1],
      [product, 2],
    ],
    'every sold lot in one group',
  );
});

t.test('enterprise rows summed by township: two in one township, one in another, one naming none', async (t) => {
  const row = (key: string | null, address: string | null, lots: number, tracedLots: number, items: number, tracedItems: number) => ({
    key,
    name: key,
    regionCode: key && '500236',
    address,
    lots,
    tracedLots,
    items,
    tracedItems,
  });
  const rows = byTownship([
    row(null, null, 10, 6, 100, 50),
    row('A', '奉节县草堂镇石马村5组', 3, 3, 40, 40),
    row('B', '奉节县永乐镇大坝村', 2, 1, 20, 5),
    row('C', '重庆市奉节县草堂镇', 4, 2, 30, 5),
    row('D', null, 1, 0, 10, 0),
  ]);
  t.strictSame(
    rows.map((r) => [r.key, r.name, r.lots, r.tracedLots, r.items, r.tracedItems]),
    [
      [null, null, 10, 6, 100, 50],
      ['500236', '重庆市奉节县（未注明乡镇）', 1, 0, 10, 0],
      ['500236118', '重庆市奉节县草堂镇', 7, 5, 70, 45],
      ['500236131', '重庆市奉节县永乐镇', 2, 1, 20, 5],
    ],
  );
});

t.test('a pass rate just short of 96 % does not meet the target, though it reads 0.96 to four places', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const lot = await plant.commission(await plant.product('kg'), 10);
  // 791 of 824 test items passed: 95.995 %, a hair under the target
  const sizes = [200, 200, 200, 200, 24];
  let failed = 0;
  for (const size of sizes) {
    const items = Array.from({ length: size }, () => ({ name: '瘦肉精', result: failed++ < 33 ? 'fail' : 'pass' }));
    // an inspection with a failed item failed
    const result = items.some((item) => item.result === 'fail') ? 'fail' : 'pass';
    await world.ok(plant.event({ type: 'inspect', lotCodes: [lot], inspection: { kind: 'rapid', result, items } }));
  }
  const figures = expectStatus(t, await world.regulator.get('/regulator/figures/pass-rates'), 200, 'pass rates').body;
  t.match(figures.byItem, [{ item: '瘦肉精', total: 824, passed: 791, failed: 33, meetsTarget: false }], '791 / 824 is below 96 %');
  t.match(figures.overall, { total: 5, passed: 4, meetsTarget: false }, 'the inspection holding the 33 failed items failed');
});

t.test('a shipment received in part is listed as not received with what of each line was booked in', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const pigs = await farm.product('head');
  const first = await farm.commission(pigs, 10);
  const second = await farm.commission(pigs, 6);
  const shipmentId = await farm.ship(plant, [{ lotCode: first }, { lotCode: second }]);
  expectStatus(
    t,
    await plant.event({ type: 'receive', shipmentId, partial: true, lines: [{ lotCode: first, quantity: 9 }] }),
    201,
    'nine of the first ten pigs booked in, the second lot still on its way',
  );
  const anomalies = expectStatus(t, await world.regulator.get('/regulator/anomalies?shipmentDays=0'), 200, 'anomalies').body;
  const [listed] = anomalies.unreceivedShipments;
  t.equal(listed?.shipmentId, shipmentId, 'the shipment is still not received');
  t.same(
    [...listed.lines].sort((a: { quantity: number }, b: { quantity: number }) => b.quantity - a.quantity),
    [
      { lotCode: first, quantity: 10, receivedQuantity: 9 },
      { lotCode: second, quantity: 6, receivedQuantity: null },
    ],
    'each line says what was booked in of it',
  );
});

t.test('an enterprise whose only event in the period was declared in error did not record in it', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const product = await farm.product('head');
  await world.database.db.execute(sql`update parties set created_at = '2026-11-01T09:00:00+08:00' where code = ${farm.code}`);
  const active = async () =>
    (await world.regulator.get('/regulator/figures/activity?from=2026-11-25&to=2026-11-25')).body.overall.all.active;
  t.equal(await active(), 0, 'nobody recorded on 25 November');
  const commissioned = await world.ok(
    farm.event({ type: 'commission', eventTime: '2026-11-25T10:00:00+08:00', lots: [{ productCode: product, quantity: 3 }] }),
  );
  t.equal(await active(), 1, 'the farm commissioned a lot that day');
  await world.ok(farm.event({ type: 'correction', correctsEventId: commissioned.event.id, reason: 'keyed in on the wrong farm' }));
  t.equal(await active(), 0, 'its only event that day was declared in error');
  const regulator = { keyId: 'county', role: 'regulator' as const, partyCode: null };
  const dashboard = await world.app.services.dashboard.view(regulator, periodScope({ from: '2026-11-25', to: '2026-11-25' }));
  t.equal(dashboard.activity.overall.all.active, 0, "and the dashboard's activity panel reads the same");
});

t.test("a past period's activity is as of its last day: parties registered, certifications held and GI members then", async (t) => {
  const clock = settableClock();
  const world = await createWorld(t, undefined, { now: clock.now });
  const { ok, regulator } = world;
  const before = await world.party('farm', '早注册养殖场');
  const lastEvening = await world.party('farm', '月末晚间注册养殖场');
  const after = await world.party('farm', '期后注册养殖场');
  const idleAfter = await world.party('farm', '期后注册未记录养殖场');
  const registeredAt = (code: string, moment: string) =>
    world.database.db.execute(sql`update parties set created_at = ${moment}::timestamptz where code = ${code}`);
  await registeredAt(before.code, '2026-02-15T10:00:00+08:00');
  // the period's last day is a day in China: 23:30 there is still 31 March, 00:30 on 1 April is after it (yet 31 March in UTC)
  await registeredAt(lastEvening.code, '2026-03-31T23:30:00+08:00');
  await registeredAt(after.code, '2026-04-01T00:30:00+08:00');
  await registeredAt(idleAfter.code, '2026-04-01T00:30:00+08:00');
  // each records an event in March, the late one's entered after the fact
  for (const party of [before, lastEvening, after]) await party.commission(await party.product('head'), 1);
  // the early farm's organic certification lapsed after March, its green-food one started after March
  await world.database.db.execute(
    sql`insert into registrations (id, ticket_hash, status, kind, name, uscc, region_code, address, contact, licences, certifications, ip_hash, party_code)
      values ('r-before', 'h', 'approved', 'farm', '早注册养殖场', ${randomUscc()}, '500236', '奉节', '{}', '[]',
        '[{"type": "organic", "number": "OF-1", "validFrom": "2025-01-01", "validUntil": "2026-04-30"},
          {"type": "green_food", "number": "GF-1", "validFrom": "2026-04-15", "validUntil": "9999-12-31"}]', 'ip', ${before.code})`,
  );
  // a member of a GI brand from 1 January, exited today
  const office = client(world.app, (await ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const branded = await before.product('kg');
  await clock.on(BRANDS_REGISTERED, () =>
    world.brand(
      office,
      { code: 'GI-1', kind: 'gi', nameZh: '奉节腊肉', nameEn: 'Fengjie Cured Pork', products: [branded] },
      { registeredNow: true },
    ),
  );
  await ok(
    office.post('/brands/GI-1/authorizations', { partyCode: before.code, tier: 'authorized', validFrom: '2026-01-01', reason: '准入' }),
  );
  await ok(office.post(`/brands/GI-1/authorizations/${before.code}/state`, { state: 'exited', reason: '退出' }), 200);

  const march = expectStatus(t, await regulator.get('/regulator/figures/activity?from=2026-03-01&to=2026-03-31'), 200, 'March').body;
  t.equal(march.asOf, '2026-03-31', 'as of the last day of March');
  t.strictSame(
    march.overall.all,
    { registered: 3, active: 3, rate: 1 },
    'the farm approved after March that recorded in March is counted (entered after the fact); the one idle in March is not',
  );
  t.strictSame(
    march.byKind.map((row: any) => [row.kind, row.all.registered]),
    [['farm', 3]],
    'two farms registered by the end of March, one registered after it with its March records',
  );
  t.strictSame(march.overall.organic, { registered: 1, active: 1, rate: 1 }, 'the organic certification held then counts, lapsed since');
  t.strictSame(march.overall.greenFood, { registered: 0, active: 0, rate: null }, 'the green-food one started after March');
  t.strictSame(march.overall.geographicalIndication, { registered: 1, active: 1, rate: 1 }, 'a GI member then, exited since');

  const today = chinaDay(new Date());
  const now = expectStatus(t, await regulator.get('/regulator/figures/activity'), 200, 'no period').body;
  t.equal(now.asOf, today, 'without a period, as of today');
  t.strictSame(now.overall.all, { registered: 4, active: 3, rate: 0.75 }, 'today the farm idle in March is registered too');
  t.strictSame(now.overall.organic, { registered: 0, active: 0, rate: null });
  t.strictSame(now.overall.greenFood, { registered: 1, active: 1, rate: 1 });
  t.strictSame(now.overall.geographicalIndication, { registered: 0, active: 0, rate: null });
  const ongoing = expectStatus(t, await regulator.get('/regulator/figures/activity?from=2026-03-01&to=2099-12-31'), 200, 'ongoing').body;
  t.equal(ongoing.asOf, today, 'a period not yet over: as of today');
  t.strictSame(ongoing.overall, now.overall);

  const { open } = await signInToDashboard(world);
  const page = (await open('/regulator/dashboard?from=2026-03-01&to=2026-03-31&lang=en')).body;
  t.match(page, /<section id="activity">.*As of 2026-03-31/s, 'the dashboard says the day its activity is as of');
  t.match(page, /<section id="activity">(?:(?!<\/section>).)*· 3\/3(?!\d)/s, 'and counts as of it');
});
