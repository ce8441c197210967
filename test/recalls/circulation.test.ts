// A recalled lot leaves circulation: it goes back to its maker or is destroyed, at every door.
// Several recalls of one lot each see what was recovered since they opened; a recall of a lot
// already destroyed reaches what was made of it.
import { completeGs1 } from '../../src/codes/gs1.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { endedLot } from '../fixtures/recalls.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a recalled lot, held or not, is shipped only back to its maker, at every door and at every packing level', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const market = await world.party('retailer');
  const gtin = completeGs1('0690123477788');
  const piece = await farm.product('piece', { gtin });
  const lot = await farm.commission(piece, 30, { lotNumber: 'RC-1' });
  const box = await farm.pack([{ lotCode: lot, quantity: 4 }]);
  const pallet = await farm.pack([{ lotCode: box }]);
  await world.handOver(farm, shop, lot, 10);
  await world.handOver(farm, shop, pallet);
  const recall = await world.ok(farm.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '农残超标', hazard: '毒死蜱' }));
  t.same(recall.scope, { lots: 1, containers: 2, items: 0 }, 'the case and the pallet it lies in are recalled with the lot');
  const namesIt = (code = lot) => new RegExp(`^lot ${code} is recalled \\(recall ${recall.id}\\)`);

  const toMarket = expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: market.code, lines: [{ lotCode: lot, quantity: 1 }] }),
    422,
    'not shipped on to another party',
  );
  t.match(toMarket.body, {
    type: /recalled-lot$/,
    detail: namesIt(),
    errors: [{ pointer: '/lines/0/lotCode', detail: 'recalled' }],
  });
  const sold = expectStatus(t, await shop.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] }), 422, 'nor sold');
  t.match(sold.body, { detail: namesIt(), errors: [{ pointer: '/lines/0/lotCode' }] });
  const packed = expectStatus(
    t,
    await shop.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 1 }] }),
    422,
    'nor packed',
  );
  t.match(packed.body, { detail: namesIt(), errors: [{ pointer: '/children/0/lotCode' }] });
  const palletOn = expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: market.code, lines: [{ lotCode: pallet }] }),
    422,
    'nor the pallet holding the case it lies in',
  );
  t.match(palletOn.body, { detail: namesIt(pallet), errors: [{ pointer: '/lines/0/lotCode', detail: 'recalled' }] });
  const makerOn = expectStatus(
    t,
    await farm.event({ type: 'ship', toPartyCode: market.code, lines: [{ lotCode: lot, quantity: 1 }] }),
    422,
    'the maker holding it sends it on to nobody either',
  );
  t.match(makerOn.body, { detail: namesIt() });

  const coded = expectStatus(t, await farm.api.post(`/lots/${lot}/items`, { count: 1 }), 422, 'nor given item codes');
  t.match(coded.body, { type: /recalled-lot$/, detail: `lot ${lot} is recalled (recall ${recall.id}); nobody may issue codes for it` });

  const { capture } = epcisRequests(world);
  const shipping = (to: string) => ({
    type: 'ObjectEvent',
    eventTime: '2026-03-20T08:00:00+08:00',
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'shipping',
    quantityList: [{ epcClass: `https://id.gs1.org/01/${gtin}/10/RC-1`, quantity: 1, uom: 'H87' }],
    destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${to}` }],
  });
  const job = await capture(shop.key, [shipping(market.code), shipping(farm.code)]);
  t.match(job, { success: false, captured: 1 }, 'EPCIS capture: the shipment to the farm is taken, the other not');
  t.match(job.errors, [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/quantityList/0/epcClass', message: /is recalled \(recall / }]);
  t.match(job.errors[0].message, recall.id, 'the capture job names the recall');

  expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: farm.code, lines: [{ lotCode: lot, quantity: 2 }] }),
    201,
    'shipped back to the farm',
  );
  expectStatus(t, await shop.event({ type: 'ship', toPartyCode: farm.code, lines: [{ lotCode: pallet }] }), 201, 'the pallet too');
  expectStatus(
    t,
    await shop.event({ type: 'destroy', reason: '召回销毁', lines: [{ lotCode: lot, quantity: 1 }] }),
    201,
    'destroying stays allowed',
  );
  const reported = expectStatus(
    t,
    await shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: lot, returned: 3 }] }),
    201,
    'a return reported to the recall is shipped back',
  );
  t.same(
    reported.body.progress.byUnit.map(({ unit, recovered }: { unit: string; recovered: number }) => [unit, recovered]),
    [['piece', 3]],
    'the product, not the case it came in',
  );
  t.match((await shop.lot(lot)).massBalance, { onHand: 3 }, '10 received, 3 + 1 shipped back (one through EPCIS), 1 destroyed, 3 returned');
});

t.test('with two recalls open on a lot, each counts what its holders recovered since it opened', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const lot = await farm.commission(await farm.product('piece'), 20);
  await world.handOver(farm, shop, lot);
  const open = async (reason: string, also: string[] = []) =>
    world.ok(farm.api.post('/recalls', { lotCodes: [lot, ...also], level: 2, reason, hazard: 'h' }));
  const report = (id: string, line: object) => shop.api.post(`/recalls/${id}/reports`, { lines: [{ lotCode: lot, ...line }] });
  const first = await open('标签错误');
  await world.ok(report(first.id, { destroyed: 4 }));
  const second = await open('农残超标', [await endedLot(world, farm)]);
  const shopLine = (recall: { holderDetails: { partyCode: string; lines: object[] }[] }) =>
    recall.holderDetails.find((holder) => holder.partyCode === shop.code)?.lines;
  t.match(shopLine(second), [{ lotCode: lot, affected: 16, returned: 0, destroyed: 0 }], 'the second asks the shop for the 16 it holds');

  await world.ok(report(first.id, { returned: 10 }));
  await world.ok(report(second.id, { destroyed: 6 }));
  const view = (id: string) => world.ok(farm.api.get(`/recalls/${id}`), 200);
  const [firstView, secondView] = [await view(first.id), await view(second.id)];
  t.match(
    firstView.progress.byUnit,
    [{ unit: 'piece', affected: 20, recovered: 20 }],
    'the first counts what was destroyed under the second',
  );
  t.match(shopLine(firstView), [{ lotCode: lot, affected: 20, returned: 10, destroyed: 10 }]);
  t.match(
    secondView.progress.byUnit,
    [{ unit: 'piece', affected: 16, recovered: 16 }],
    'the second counts what was returned under the first',
  );
  t.match(
    shopLine(secondView),
    [{ lotCode: lot, affected: 16, returned: 10, destroyed: 6 }],
    'but not what was destroyed before it opened',
  );
  const listed = (await world.ok(farm.api.get('/recalls'), 200)).items;
  t.match(
    listed.map((recall: { id: string; progress: { byUnit: object[] } }) => [recall.id, recall.progress.byUnit]),
    [
      [second.id, [{ unit: 'piece', affected: 16, recovered: 16 }]],
      [first.id, [{ unit: 'piece', affected: 20, recovered: 20 }]],
    ],
    'GET /recalls shows the same',
  );
  const final = await world.ok(farm.api.get(`/recalls/${second.id}/report`), 200);
  t.match(JSON.stringify(final), '"returned":10', 'so does the final report');
  const more = expectStatus(t, await report(second.id, { destroyed: 1 }), 422, 'nothing is left for the shop to recover under the second');
  t.match(more.body, { detail: /0 left to recover/, errors: [{ pointer: '/lines/0/destroyed' }] });
});

t.test('a recall of a destroyed lot reaches what was made of it and leaves the lot destroyed', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const kg = await farm.product('kg');
  const pork = await farm.commission(kg, 100);
  await world.handOver(farm, plant, pork, 60);
  const [bacon] = await plant.transform([{ lotCode: pork, quantity: 60 }], [{ productCode: await plant.product('kg'), quantity: 40 }]);
  await world.handOver(plant, shop, bacon, 30);
  await world.ok(farm.event({ type: 'destroy', reason: '病死', lines: [{ lotCode: pork, quantity: 40 }] }));
  t.equal((await farm.lot(pork)).status, 'destroyed', 'nothing of the pork is left');

  const recall = await world.ok(farm.api.post('/recalls', { lotCodes: [pork], level: 1, reason: '非洲猪瘟', hazard: 'ASFV' }));
  t.same(recall.scope, { lots: 2, containers: 0, items: 0 }, 'the pork and the bacon made of it');
  t.same(
    recall.holderDetails.map((holder: { partyCode: string; lines: object[] }) => [holder.partyCode, holder.lines]),
    [
      [plant.code, [{ lotCode: bacon, unit: 'kg', affected: 10, returned: 0, destroyed: 0 }]],
      [shop.code, [{ lotCode: bacon, unit: 'kg', affected: 30, returned: 0, destroyed: 0 }]],
    ].sort(),
    'the holders of the bacon, and nobody for the pork: none of it is left',
  );
  const status = async (code: string) => (await world.regulator.get(`/lots/${code}`)).body.status;
  t.equal(await status(pork), 'destroyed', 'the pork stays destroyed: the recall keeps how it ended');
  t.equal(await status(bacon), 'recalled');
  expectStatus(t, await shop.event({ type: 'sell', lines: [{ lotCode: bacon, quantity: 1 }] }), 422, 'the bacon is not sold');

  const lone = await farm.commission(kg, 5);
  await world.ok(farm.event({ type: 'destroy', reason: '病死', lines: [{ lotCode: lone }] }));
  const nothingLeft = await world.ok(farm.api.post('/recalls', { lotCodes: [lone], level: 1, reason: '非洲猪瘟', hazard: 'ASFV' }));
  t.match(
    nothingLeft,
    { holders: 0, progress: { share: 1, byUnit: [] }, scope: { lots: 1 }, holderDetails: [] },
    'a destroyed lot nothing was made of is recalled with nothing to recover',
  );
  t.equal(await status(lone), 'destroyed');
  const closed = await world.ok(farm.api.post(`/recalls/${nothingLeft.id}/close`, {}), 200);
  t.match(closed, { status: 'closed', overrideReason: null }, 'and closed at once: no holder is waited for');
});

t.test('a case another party packed goes back to the maker of the recalled lot in it; a recalled case to its packer', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const orchard = await world.party('farm');
  const dealer = await world.party('distributor');
  const shop = await world.party('retailer');
  const lot = await farm.commission(await farm.product('piece'), 20);
  const other = await orchard.commission(await orchard.product('piece'), 10);
  await world.handOver(farm, dealer, lot, 12);
  await world.handOver(orchard, dealer, other, 5);
  const [shipped, reported, mixed, named] = [
    await dealer.pack([{ lotCode: lot, quantity: 3 }]),
    await dealer.pack([{ lotCode: lot, quantity: 3 }]),
    await dealer.pack([
      { lotCode: lot, quantity: 3 },
      { lotCode: other, quantity: 5 },
    ]),
    await dealer.pack([{ lotCode: lot, quantity: 3 }]),
  ];
  for (const code of [shipped, reported, mixed, named]) await world.handOver(dealer, shop, code);
  await world.ok(orchard.api.post('/recalls', { lotCodes: [other], level: 2, reason: '标签错误', hazard: 'h' }));
  const recall = await world.ok(farm.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '农残超标', hazard: '毒死蜱' }));
  const regulator = await world.partyRegulator();
  const byDealer = await world.ok(
    regulator.post('/recalls', { lotCodes: [named, await endedLot(world, dealer)], level: 3, reason: '包装破损', hazard: 'h' }),
  );

  const toDealer = expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: dealer.code, lines: [{ lotCode: shipped }] }),
    422,
    'a case recalled through the lot in it does not go to its packer',
  );
  t.match(toDealer.body, { type: /recalled-lot$/, errors: [{ pointer: '/lines/0/lotCode' }] });
  expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: farm.code, lines: [{ lotCode: shipped }] }),
    201,
    'it goes back to the farm that made the lot',
  );
  const returned = expectStatus(
    t,
    await shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: reported, returned: 1 }] }),
    201,
    'a reported return of the case ships it to the farm',
  );
  t.match(returned.body.holderDetails, [{ partyCode: shop.code }], 'the shop reported it');
  t.match((await farm.api.get('/shipments')).body.items, [{ fromPartyCode: shop.code, toPartyCode: farm.code }]);

  const several = expectStatus(
    t,
    await shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: mixed, returned: 1 }] }),
    422,
    'a case holding recalled lots of two makers is not returned whole',
  );
  t.match(several.body, { detail: /unpack it/, errors: [{ pointer: '/lines/0/returned' }] });
  expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: farm.code, lines: [{ lotCode: mixed }] }),
    422,
    'nor shipped to one of them',
  );

  expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: farm.code, lines: [{ lotCode: named }] }),
    422,
    'a case recalled itself does not go to the maker of what it holds',
  );
  expectStatus(
    t,
    await shop.api.post(`/recalls/${byDealer.id}/reports`, { lines: [{ lotCode: named, returned: 1 }] }),
    201,
    'it goes back to its packer, with what it holds',
  );
});

t.test(
  'what a holder recovered under another recall counts up to what this one asked of it, never leaving less than nothing',
  async (t) => {
    const world = await createWorld(t);
    const farm = await world.party('farm');
    const shop = await world.party('retailer');
    const lot = await farm.commission(await farm.product('piece'), 30);
    await world.handOver(farm, shop, lot, 5);
    const open = async (reason: string, also: string[] = []) =>
      world.ok(farm.api.post('/recalls', { lotCodes: [lot, ...also], level: 2, reason, hazard: 'h' }));
    const farmLine = (recall: { holderDetails: { partyCode: string; lines: object[] }[] }) =>
      recall.holderDetails.find((holder) => holder.partyCode === farm.code)?.lines;
    const first = await open('标签错误');
    t.match(farmLine(first), [{ affected: 25 }], 'the first asks the farm for the 25 it keeps');
    await world.ok(shop.api.post(`/recalls/${first.id}/reports`, { lines: [{ lotCode: lot, returned: 5 }] }));
    const [returned] = (await world.ok(farm.api.get('/shipments'), 200)).items.filter(
      (shipment: { fromPartyCode: string }) => shipment.fromPartyCode === shop.code,
    );
    await world.ok(farm.event({ type: 'receive', shipmentId: returned.id, eventTime: returned.shippedAt }));
    const second = await open('农残超标', [await endedLot(world, farm)]);
    t.match(farmLine(second), [{ affected: 30 }], 'the second asks it for the 30 it holds with the 5 returned');
    await world.ok(farm.api.post(`/recalls/${second.id}/reports`, { lines: [{ lotCode: lot, destroyed: 30 }] }));
    const firstView = await world.ok(farm.api.get(`/recalls/${first.id}`), 200);
    t.match(
      farmLine(firstView),
      [{ lotCode: lot, affected: 25, returned: 0, destroyed: 25 }],
      'the first counts 25 of the 30, what it asked',
    );
    t.match(firstView.progress.byUnit, [{ unit: 'piece', affected: 30, recovered: 30 }]);
    const more = expectStatus(
      t,
      await farm.api.post(`/recalls/${first.id}/reports`, { lines: [{ lotCode: lot, destroyed: 1 }] }),
      422,
      'nothing is left for the farm to recover under the first',
    );
    t.match(more.body, { detail: /: 1 reported, 0 left to recover$/ });
  },
);

t.test('a case a lot was unpacked from before the recall opened is not recalled; one it still lies in is', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const piece = await plant.product('piece');
  const [lot, other] = [await plant.commission(piece, 20), await plant.commission(piece, 20)];
  const pack = () =>
    plant.pack([
      { lotCode: lot, quantity: 4 },
      { lotCode: other, quantity: 4 },
    ]);
  const [emptied, full] = [await pack(), await pack()];
  await world.ok(plant.event({ type: 'disaggregate', parentCode: emptied, children: [lot] }));

  const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '农残超标', hazard: '毒死蜱' }));
  t.same(recall.scope, { lots: 1, containers: 1, items: 0 }, 'the lot and the case it still lies in');
  const report = await world.ok(plant.api.get(`/recalls/${recall.id}/report`), 200);
  t.same(report.lots.map((one: { code: string }) => one.code).sort(), [lot, full].sort(), 'not the case it was taken out of');
  t.equal((await plant.lot(emptied)).status, 'active', 'the case emptied of the lot stays on sale');
  t.equal((await plant.lot(full)).status, 'recalled');
  t.equal((await plant.lot(other)).status, 'active', 'what lies beside the lot is not recalled');

  expectStatus(
    t,
    await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: emptied }] }),
    201,
    'the case the lot was taken out of is shipped to anyone',
  );
  const stopped = expectStatus(
    t,
    await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: full }] }),
    422,
    'the case the lot lies in is not',
  );
  t.match(stopped.body, { type: /recalled-lot$/, detail: new RegExp(`^lot ${full} is recalled \\(recall ${recall.id}\\)`) });

  const trace = await world.ok(plant.api.get(`/trace/${lot}?direction=forward&include=graph`), 200);
  t.ok(
    trace.edges.some((edge: { to: string; status: string | null }) => edge.to === emptied && edge.status === 'unpacked'),
    'the forward trace still shows the lot was packed in the case once',
  );
});

t.test('a case a recall named goes back to its packer also once that recall is closed: the rule outlives the recall', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const dealer = await world.party('distributor');
  const shop = await world.party('retailer');
  const lot = await farm.commission(await farm.product('piece'), 10);
  await world.handOver(farm, dealer, lot, 6);
  const caseCode = await dealer.pack([{ lotCode: lot, quantity: 3 }]);
  await world.handOver(dealer, shop, caseCode);
  const regulator = await world.partyRegulator();
  const recall = await world.ok(regulator.post('/recalls', { lotCodes: [caseCode], level: 3, reason: '包装破损', hazard: 'h' }));
  await world.ok(regulator.post(`/recalls/${recall.id}/close`, { overrideReason: '已核实' }), 200);

  expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: farm.code, lines: [{ lotCode: caseCode }] }),
    422,
    'not to the maker of the lot in it',
  );
  expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: dealer.code, lines: [{ lotCode: caseCode }] }),
    201,
    'back to the dealer that packed it, as while the recall was open',
  );
});
