// Selling, destroying or transforming a container takes what is packed in it out of the ledger too,
// as shipping one moves its contents: through POST /events and EPCIS capture alike, since both use
// the writer.
import { completeGs1 } from '../../src/codes/gs1.js';
import { captured, epcisDocument } from '../fixtures/epcis.js';
import { balanceDifferences } from '../fixtures/ledger.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** An EPCIS event time on a day of March 2026, China time. */
const day = (n: number) => ({ eventTime: `2026-03-0${n}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
/** EPCIS: 10 kg of `meat` commissioned on day 1. */
const commissioned = (meat: string) => ({
  type: 'ObjectEvent',
  ...day(1),
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass: meat, quantity: 10, uom: 'KGM' }],
});
/** EPCIS: 10 kg of `meat` commissioned on day 1, `kg` of it packed onto `pallet` on day 2. */
const commissionedAndPacked = (meat: string, pallet: string, kg: number) => [
  commissioned(meat),
  {
    type: 'AggregationEvent',
    ...day(2),
    action: 'ADD',
    bizStep: 'packing',
    parentID: pallet,
    childQuantityList: [{ epcClass: meat, quantity: kg, uom: 'KGM' }],
  },
];

t.test('a sold case sells the lot packed in it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('kg');
  const lot = await plant.commission(product, 10);
  const packed = await world.ok(
    plant.event({ type: 'aggregate', parent: { sscc: completeGs1('06901234500000111') }, children: [{ lotCode: lot, quantity: 4 }] }),
  );
  const box = packed.createdLotCodes[0] as string;

  const sold = expectStatus(t, await plant.event({ type: 'sell', buyer: '老王店', lines: [{ lotCode: box }] }), 201, 'the case is sold');
  t.same(
    sold.body.event.details.lines,
    [
      { lotCode: box, quantity: 1 },
      { lotCode: lot, quantity: 4, containerCode: box },
    ],
    'the sale names the case and what it held',
  );
  t.match(
    sold.body.event.lots,
    [
      { lotCode: box, role: 'subject', quantity: 1 },
      { lotCode: lot, role: 'subject', quantity: 4 },
    ],
    'both are subjects of the sale',
  );
  const sample = await plant.lot(lot);
  t.equal(sample.status, 'active', 'the 6 kg left loose keep the lot active');
  t.match(sample.massBalance, { produced: 10, sold: 4, onHand: 6, unaccounted: 0 }, 'the 4 kg in the case are sold');
  t.same(sample.holders, [{ partyCode: plant.code, onHand: 6 }], 'the plant holds only what was not in the case');
  t.match(await plant.lot(box), { status: 'sold', massBalance: { produced: 1, sold: 1, onHand: 0 } });

  expectStatus(t, await plant.event({ type: 'sell', lines: [{ lotCode: box }] }), 409, 'a sold case is not sold again');
  expectStatus(t, await plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 7 }] }), 409, 'nor more than the 6 kg left');
  expectStatus(t, await plant.event({ type: 'sell', lines: [{ lotCode: lot }] }), 201, 'the rest is sold loose');
  t.match(await plant.lot(lot), { status: 'sold', massBalance: { produced: 10, sold: 10, onHand: 0, unaccounted: 0 } });
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');

  const figures = (await world.regulator.get('/regulator/figures/traceability?by=product')).body;
  t.same(
    figures.groups.map((group: { key: string; lots: number }) => [group.key, group.lots]),
    [[product, 1]],
    'the regulator counts the lot sold, not the case it was sold in',
  );
});

t.test('a destroyed pallet destroys the cases on it and the lots in them', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const lot = await farm.commission(await farm.product('piece'), 12);
  const first = await farm.pack([{ lotCode: lot, quantity: 5 }]);
  const second = await farm.pack([{ lotCode: lot, quantity: 7 }]);
  const pallet = await farm.pack([{ lotCode: first }, { lotCode: second }]);

  const destroyed = expectStatus(
    t,
    await farm.event({ type: 'destroy', reason: '冷链断链', lines: [{ lotCode: pallet }] }),
    201,
    'the pallet is destroyed',
  );
  // the cases on a pallet come in no set order
  const byPlace = (lines: { lotCode: string; quantity: number; containerCode?: string }[]) =>
    [...lines].sort((a, b) => `${a.containerCode}|${a.lotCode}`.localeCompare(`${b.containerCode}|${b.lotCode}`));
  t.same(
    byPlace(destroyed.body.event.details.lines),
    byPlace([
      { lotCode: pallet, quantity: 1 },
      { lotCode: first, quantity: 1, containerCode: pallet },
      { lotCode: lot, quantity: 5, containerCode: first },
      { lotCode: second, quantity: 1, containerCode: pallet },
      { lotCode: lot, quantity: 7, containerCode: second },
    ]),
    'with every case on it and what each held',
  );
  t.equal(destroyed.body.event.lots.length, 4, 'the pallet, its two cases and the lot are its subjects');
  t.match(
    destroyed.body.event.lots.find((link: { lotCode: string }) => link.lotCode === lot),
    { role: 'subject', quantity: 12 },
    'the lot in both cases is one subject, with all 12 pieces',
  );
  t.match(await farm.lot(lot), {
    status: 'destroyed',
    holders: [],
    massBalance: { produced: 12, destroyed: 12, onHand: 0, unaccounted: 0 },
  });
  for (const code of [first, second, pallet]) t.match(await farm.lot(code), { status: 'destroyed' }, `${code} is destroyed`);
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');
});

t.test('a case sold through EPCIS capture sells the lot packed in it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-7';
  const pallet = 'urn:epc:id:sscc:6901234.0000000017';
  const { job } = await captured(
    world,
    plant.key,
    epcisDocument([
      ...commissionedAndPacked(meat, pallet, 4),
      { type: 'ObjectEvent', ...day(3), action: 'OBSERVE', bizStep: 'retail_selling', epcList: [pallet] },
    ]),
  );
  t.match(job, { success: true, captured: 3 });
  const lotCode = (await world.regulator.get(`/trace/${encodeURIComponent(meat)}?depth=0`)).body.query.lotCodes[0];
  const lot = await plant.lot(lotCode);
  t.match(lot.massBalance, { produced: 10, sold: 4, onHand: 6, unaccounted: 0 }, 'the 4 kg on the pallet are sold');
  t.same(lot.holders, [{ partyCode: plant.code, onHand: 6 }]);
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');
});

t.test('a sale of a case declared in error puts the case and its lot back on hand', async (t) => {
  const world = await createWorld(t);
  const shop = await world.party('retailer');
  const lot = await shop.commission(await shop.product('piece'), 10);
  const packed = await world.ok(shop.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 6 }] }));
  const box = packed.createdLotCodes[0] as string;
  const sold = await world.ok(shop.event({ type: 'sell', lines: [{ lotCode: box }] }));
  expectStatus(t, await shop.event({ type: 'correction', correctsEventId: sold.event.id, reason: '未售出' }), 201, 'the sale is corrected');
  t.match(await shop.lot(lot), { status: 'active', massBalance: { produced: 10, sold: 0, onHand: 10, unaccounted: 0 } });
  t.match(await shop.lot(box), { status: 'active', massBalance: { sold: 0, onHand: 1 } });
  expectStatus(t, await shop.event({ type: 'disaggregate', parentCode: box }), 201, 'the case can be unpacked again');
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');
});

t.test('a case unpacked into a smoking batch consumes the lot packed in it, and the smoked lot traces back to it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const cured = await plant.product('kg');
  const smoked = await plant.product('kg');
  const lot = await plant.commission(cured, 10);
  const packed = await world.ok(plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 4 }] }));
  const box = packed.createdLotCodes[0] as string;

  const made = expectStatus(
    t,
    await plant.event({
      type: 'transform',
      process: { kind: 'smoking' },
      inputs: [{ lotCode: box, quantity: 1 }],
      outputs: [{ productCode: smoked, lotNumber: 'SMOKE-1', quantity: 3 }],
    }),
    201,
    'the case is smoked',
  );
  const output = made.body.createdLotCodes[0] as string;
  t.match(
    made.body.event.details.inputs,
    [
      { lotCode: box, quantity: 1 },
      { lotCode: lot, quantity: 4, unit: 'kg', containerCode: box },
    ],
    'the transform names the case and what it held',
  );
  t.match(
    made.body.event.lots.find((link: { lotCode: string }) => link.lotCode === lot),
    { role: 'input', quantity: 4 },
    'the packed lot is an input',
  );
  const sample = await plant.lot(lot);
  t.equal(sample.status, 'active', 'the 6 kg left loose keep the lot active');
  t.match(sample.massBalance, { produced: 10, consumed: 4, onHand: 6, unaccounted: 0 }, 'the 4 kg in the case are used');
  t.same(sample.holders, [{ partyCode: plant.code, onHand: 6 }], 'the plant holds only what was not in the case');
  t.match(await plant.lot(box), { status: 'consumed', massBalance: { produced: 1, consumed: 1, onHand: 0 } });
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');

  const back = (await world.regulator.get(`/trace/${output}?direction=backward`)).body;
  const reached = back.nodes.map((node: { code: string }) => node.code);
  t.ok(reached.includes(lot), 'a backward trace of the smoked lot reaches the cured lot in the case');
  t.ok(
    back.edges.some(
      (edge: { from: string; to: string; kind: string }) => edge.from === lot && edge.to === output && edge.kind === 'transform',
    ),
    'by a transform edge from the cured lot to the smoked one',
  );

  expectStatus(
    t,
    await plant.event({ type: 'transform', inputs: [{ lotCode: box, quantity: 1 }], outputs: [{ productCode: smoked, quantity: 1 }] }),
    409,
    'a used case is not used again',
  );
  expectStatus(t, await plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 7 }] }), 409, 'nor more than the 6 kg left');
});

t.test('a pallet transformed with some of the same lot loose uses the cases on it and the lot as one input', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('kg');
  const lot = await plant.commission(product, 12);
  const first = await plant.pack([{ lotCode: lot, quantity: 3 }]);
  const second = await plant.pack([{ lotCode: lot, quantity: 5 }]);
  const pallet = await plant.pack([{ lotCode: first }, { lotCode: second }]);

  const made = expectStatus(
    t,
    await plant.event({
      type: 'transform',
      process: { kind: 'curing' },
      inputs: [
        { lotCode: pallet, quantity: 1 },
        { lotCode: lot, quantity: 2 },
      ],
      outputs: [{ productCode: product, quantity: 6 }],
    }),
    201,
    'the pallet and 2 kg loose are cured',
  );
  const output = made.body.createdLotCodes[0] as string;
  t.match(
    made.body.event.lots.find((link: { lotCode: string; role: string }) => link.lotCode === lot && link.role === 'input'),
    { quantity: 10 },
    'the lot is one input, with the 8 kg in the cases and the 2 kg loose',
  );
  t.match(await plant.lot(lot), { status: 'active', massBalance: { produced: 12, consumed: 10, onHand: 2, unaccounted: 0 } });
  for (const code of [first, second, pallet]) t.match(await plant.lot(code), { status: 'consumed' }, `${code} is used`);
  const back = (await world.regulator.get(`/trace/${output}?direction=backward`)).body;
  t.same(
    back.edges
      .filter((edge: { to: string; kind: string }) => edge.to === output && edge.kind === 'transform')
      .map((edge: { from: string }) => edge.from)
      .sort(),
    [lot, first, second, pallet].sort(),
    'the lot and every container it lay in lead to the output',
  );
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');
});

t.test('a case whose packed lot is on hold is not transformed', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('kg');
  const lot = await plant.commission(product, 10);
  const packed = await world.ok(plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 4 }] }));
  const box = packed.createdLotCodes[0] as string;
  expectStatus(t, await plant.api.post('/holds', { lotCodes: [lot], reason: '待检' }), 201, 'the packed lot is held');
  const refused = expectStatus(
    t,
    await plant.event({ type: 'transform', inputs: [{ lotCode: box, quantity: 1 }], outputs: [{ productCode: product, quantity: 3 }] }),
    409,
    'the case is not transformed',
  );
  t.match(refused.body, { errors: [{ pointer: '/inputs/0/lotCode', detail: 'holds a lot on hold' }] });
  t.match(await plant.lot(lot), { massBalance: { consumed: 0, onHand: 10 } });
});

t.test('a case transformed through EPCIS capture consumes the lot packed in it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-8';
  const smoked = 'https://id.gs1.org/01/06901234000023/10/SMOKED-8';
  const pallet = 'urn:epc:id:sscc:6901234.0000000024';
  const { job } = await captured(
    world,
    plant.key,
    epcisDocument([
      ...commissionedAndPacked(meat, pallet, 4),
      {
        type: 'TransformationEvent',
        ...day(3),
        bizStep: 'commissioning',
        inputEPCList: [pallet],
        outputQuantityList: [{ epcClass: smoked, quantity: 3, uom: 'KGM' }],
      },
    ]),
  );
  t.match(job, { success: true, captured: 3 });
  const lotCode = (await world.regulator.get(`/trace/${encodeURIComponent(meat)}?depth=0`)).body.query.lotCodes[0];
  t.match(
    (await plant.lot(lotCode)).massBalance,
    { produced: 10, consumed: 4, onHand: 6, unaccounted: 0 },
    'the 4 kg on the pallet are used',
  );
  const back = (await world.regulator.get(`/trace/${encodeURIComponent(smoked)}?direction=backward`)).body;
  t.ok(
    back.nodes.some((node: { code: string }) => node.code === lotCode),
    'a backward trace of the smoked lot reaches the meat on the pallet',
  );
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');
});

t.test('a transform of a case declared in error puts the case and its lot back on hand', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('kg');
  const lot = await plant.commission(product, 10);
  const packed = await world.ok(plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 6 }] }));
  const box = packed.createdLotCodes[0] as string;
  const made = await world.ok(
    plant.event({ type: 'transform', inputs: [{ lotCode: box, quantity: 1 }], outputs: [{ productCode: product, quantity: 5 }] }),
  );
  const output = made.createdLotCodes[0] as string;
  t.match(await plant.lot(lot), { status: 'active', massBalance: { consumed: 6, onHand: 4 } }, 'the 6 kg in the case were used');
  expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: made.event.id, reason: '未加工' }),
    201,
    'the transform is corrected',
  );
  t.match(await plant.lot(lot), { status: 'active', massBalance: { produced: 10, consumed: 0, onHand: 10, unaccounted: 0 } });
  t.same((await plant.lot(lot)).holders, [{ partyCode: plant.code, onHand: 10 }]);
  t.match(await plant.lot(box), { status: 'active', massBalance: { consumed: 0, onHand: 1 } });
  const back = (await world.regulator.get(`/trace/${lot}?direction=forward`)).body;
  t.notOk(
    back.edges.some((edge: { from: string; to: string }) => edge.from === lot && edge.to === output),
    'the retracted edge leaves the trace',
  );
  expectStatus(t, await plant.event({ type: 'disaggregate', parentCode: box }), 201, 'the case can be unpacked again');
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');
});

t.test('a pallet of two cases of one lot is shipped and received with all of the lot as one subject', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const lot = await plant.commission(await plant.product('kg'), 12);
  const first = await plant.pack([{ lotCode: lot, quantity: 3 }]);
  const second = await plant.pack([{ lotCode: lot, quantity: 5 }]);
  const pallet = await plant.pack([{ lotCode: first }, { lotCode: second }]);

  const shipped = expectStatus(
    t,
    await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: pallet }] }),
    201,
    'the pallet is shipped',
  );
  const linked = (event: { lots: { lotCode: string; role: string; quantity: number }[] }) =>
    event.lots.map(({ lotCode, role, quantity }) => [lotCode, role, quantity]).sort((a, b) => `${a[0]}`.localeCompare(`${b[0]}`));
  const subjects = [
    [lot, 'subject', 8],
    [first, 'subject', 1],
    [second, 'subject', 1],
    [pallet, 'subject', 1],
  ].sort((a, b) => `${a[0]}`.localeCompare(`${b[0]}`));
  t.same(linked(shipped.body.event), subjects, 'the lot in both cases is one subject of the shipment, with all 8 kg');
  t.equal(
    shipped.body.event.details.lines.filter((line: { lotCode: string }) => line.lotCode === lot).length,
    2,
    'the shipment still lists the lot once in each case',
  );

  const received = await shop.receive(shipped.body.shipmentId);
  t.same(linked(received.event), subjects, 'the receipt takes the lot as one subject too, with all 8 kg');
  t.same(
    received.event.details.lines
      .filter((line: { lotCode: string }) => line.lotCode === lot)
      .map((line: { quantity: number; containerCode: string }) => [line.containerCode, line.quantity])
      .sort(),
    [
      [first, 3],
      [second, 5],
    ].sort(),
    'each case arrives with what it held',
  );
  t.match((await world.regulator.get(`/lots/${lot}`)).body.massBalance, {
    produced: 12,
    shipped: 8,
    received: 8,
    onHand: 12,
    inTransit: 0,
    unaccounted: 0,
  });
  t.match(
    (await plant.lot(lot)).massBalance,
    { produced: 12, shipped: 8, received: 0, onHand: 4, unaccounted: 0 },
    'the plant’s own books close over the lines of both cases',
  );
  t.same((await shop.lot(lot)).holders, [{ partyCode: shop.code, onHand: 8 }], 'the shop holds all 8 kg');
  const custody = (await world.regulator.get(`/trace/${lot}?direction=forward`)).body.edges
    .filter((edge: { kind: string; from: string }) => edge.kind === 'custody' && edge.from === lot)
    .map((edge: { quantity: number }) => edge.quantity)
    .sort();
  t.same(custody, [3, 5], 'the trace hands over each case of the lot as shipped');
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');
});

t.test('a pallet of two cases of one lot shipped through EPCIS capture is received with all of the lot as one subject', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-9';
  const first = 'urn:epc:id:sscc:6901234.0000000031';
  const second = 'urn:epc:id:sscc:6901234.0000000048';
  const pallet = 'urn:epc:id:sscc:6901234.0000000055';
  const packing = { type: 'AggregationEvent', action: 'ADD', bizStep: 'packing' };
  const { job } = await captured(
    world,
    plant.key,
    epcisDocument([
      commissioned(meat),
      { ...packing, ...day(2), parentID: first, childQuantityList: [{ epcClass: meat, quantity: 3, uom: 'KGM' }] },
      { ...packing, ...day(2), parentID: second, childQuantityList: [{ epcClass: meat, quantity: 5, uom: 'KGM' }] },
      { ...packing, ...day(3), parentID: pallet, childEPCs: [first, second] },
      {
        type: 'ObjectEvent',
        ...day(4),
        action: 'OBSERVE',
        bizStep: 'shipping',
        epcList: [pallet],
        destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${shop.code}` }],
      },
    ]),
  );
  t.match(job, { success: true, captured: 5 });
  const lotCode = (await world.regulator.get(`/trace/${encodeURIComponent(meat)}?depth=0`)).body.query.lotCodes[0];
  t.match((await plant.lot(lotCode)).massBalance, { produced: 10, shipped: 8, onHand: 2 }, 'the 8 kg on the pallet are shipped');
  const palletCode = (await world.regulator.get(`/trace/${encodeURIComponent(pallet)}?depth=0`)).body.query.lotCodes[0];
  const ship = (await plant.api.get(`/events?type=ship&lotCode=${palletCode}`)).body.items;
  t.same(
    ship.map((event: { lots: { lotCode: string; role: string }[] }) => event.lots.map(({ lotCode, role }) => [lotCode, role])),
    [[[palletCode, 'subject']]],
    'the captured event links what the document names: the pallet',
  );
  const [shipment] = (await shop.api.get('/shipments')).body.items;
  t.same(
    shipment.lines
      .filter((line: { lotCode: string }) => line.lotCode === lotCode)
      .map((line: { quantity: number }) => line.quantity)
      .sort(),
    [3, 5],
    'the shipment carries the meat in each case',
  );
  // after the captured shipping event of day 4
  const received = await world.ok(shop.api.post('/events', { type: 'receive', shipmentId: shipment.id, eventTime: day(5).eventTime }));
  t.same(
    received.event.lots.filter((link: { lotCode: string }) => link.lotCode === lotCode).map(({ role, quantity }: any) => [role, quantity]),
    [['subject', 8]],
    'its receipt takes the meat in both cases as one subject, with all 8 kg',
  );
  t.same((await shop.lot(lotCode)).holders, [{ partyCode: shop.code, onHand: 8 }]);
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');
});

t.test('a pallet named as a class (a quantity of 0 of it) is refused: nothing packed on it moves', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-11';
  const [first, second] = ['urn:epc:id:sscc:6901234.0000000062', 'urn:epc:id:sscc:6901234.0000000079'];
  const shipped = (n: number, what: object) => ({
    type: 'ObjectEvent',
    ...day(n),
    action: 'OBSERVE',
    bizStep: 'shipping',
    ...what,
    destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${shop.code}` }],
  });
  const { job: packed } = await captured(
    world,
    plant.key,
    epcisDocument([
      ...commissionedAndPacked(meat, first, 4),
      {
        type: 'AggregationEvent',
        ...day(2),
        action: 'ADD',
        bizStep: 'packing',
        parentID: second,
        childQuantityList: [{ epcClass: meat, quantity: 3, uom: 'KGM' }],
      },
    ]),
  );
  t.match(packed, { success: true, captured: 3 });
  const lotCode = (await world.regulator.get(`/trace/${encodeURIComponent(meat)}?depth=0`)).body.query.lotCodes[0];
  const meatLeft = async () => (await plant.lot(lotCode)).massBalance;

  // the second pallet named as a class (its SSCC as a Digital Link) with a quantity of 0: an SSCC names one
  // logistic unit, never a class
  const secondOfNone = { quantityList: [{ epcClass: 'https://id.gs1.org/00/069012340000000795', quantity: 0 }] };
  for (const what of [secondOfNone, { epcList: [first], ...secondOfNone }]) {
    const { reply } = await captured(world, plant.key, epcisDocument([shipped(3, what)]));
    t.equal(reply.statusCode, 400, 'refused at the door, alone or beside the first pallet');
    t.match(reply.json().errors, [{ pointer: '/epcisBody/eventList/0/quantityList/0/epcClass', detail: /is an SSCC/ }]);
  }
  t.match(await meatLeft(), { produced: 10, shipped: 0, onHand: 10 }, 'none of the meat packed on either pallet is shipped');

  const { job: first4 } = await captured(world, plant.key, epcisDocument([shipped(4, { epcList: [first] })]));
  t.match(first4, { success: true, captured: 1 }, 'the first pallet named as the instance it is');
  t.match(await meatLeft(), { produced: 10, shipped: 4, onHand: 6 }, 'only the first pallet is shipped, with its 4 kg');
  const { job: again } = await captured(world, plant.key, epcisDocument([shipped(5, { epcList: [first] })]));
  t.match(
    again,
    { success: true, captured: 1 },
    'named again once it is gone, it is a sighting of what already left, not a conflict over its contents',
  );
  t.match(await meatLeft(), { produced: 10, shipped: 4, onHand: 6 }, 'and nothing more leaves');
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');
});

t.test('a container received at 0 was lost with everything packed in it: none of its contents is booked in', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const lot = await plant.commission(await plant.product('kg'), 100);
  const box = await plant.pack([{ lotCode: lot, quantity: 40 }]);
  const crate = await plant.pack([{ lotCode: lot, quantity: 20 }]);
  const pallet = await plant.pack([{ lotCode: crate }]);

  // a whole receipt naming the box at 0: the box and the 40 kg in it are lost, the 10 kg loose arrive
  const whole = await plant.ship(shop, [{ lotCode: box }, { lotCode: lot, quantity: 10 }]);
  const lost = expectStatus(
    t,
    await shop.event({ type: 'receive', shipmentId: whole, lines: [{ lotCode: box, quantity: 0 }] }),
    201,
    'the box is received at 0',
  );
  t.same(
    lost.body.event.details.lines.map((line: { lotCode: string; quantity: number; containerCode?: string }) => [
      line.lotCode,
      line.containerCode ?? null,
      line.quantity,
    ]),
    [
      [box, null, 0],
      [lot, null, 10],
      [lot, box, 0],
    ],
    'what was packed in the box arrives with it: not at all',
  );
  t.same((await shop.lot(lot)).holders, [{ partyCode: shop.code, onHand: 10 }], 'the shop holds only the 10 kg shipped loose');
  t.match(
    (await world.regulator.get(`/lots/${lot}`)).body.massBalance,
    { produced: 100, shipped: 50, received: 10, transitLoss: 40, onHand: 60, unaccounted: 0 },
    'the 40 kg in the box are lost in transit, not on hand with a party that holds no box to unpack',
  );

  // a partial receipt naming the pallet at 0: the crate on it and the 20 kg in the crate are lost
  const partial = await plant.ship(shop, [{ lotCode: pallet }, { lotCode: lot, quantity: 5 }]);
  expectStatus(
    t,
    await shop.event({ type: 'receive', shipmentId: partial, partial: true, lines: [{ lotCode: pallet, quantity: 0 }] }),
    201,
    'the pallet is received at 0, in part',
  );
  t.same((await shop.lot(lot)).holders, [{ partyCode: shop.code, onHand: 10 }], 'nothing of the pallet is booked in');
  const [open] = (await shop.api.get('/shipments?status=open')).body.items;
  t.same(
    open.lines.map((line: { lotCode: string; receivedQuantity: number | null }) => [line.lotCode, line.receivedQuantity]).sort(),
    [
      [crate, 0],
      [lot, 0],
      [lot, null],
      [pallet, 0],
    ].sort(),
    'the pallet, the crate and the crate’s 20 kg are lost; the 5 kg loose are still on their way',
  );
  await shop.receive(partial);
  t.same((await shop.lot(lot)).holders, [{ partyCode: shop.code, onHand: 15 }], 'the rest arrives');
  t.match((await world.regulator.get(`/lots/${lot}`)).body.massBalance, { transitLoss: 60, unaccounted: 0 });
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');
});

t.test('a refusal of a lot partly or wholly packed says how much is packed and where, naming a few containers', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('piece'), 200);
  const cases: string[] = [];
  for (let packing = 0; packing < 5; packing++) cases.push(await plant.pack([{ lotCode: lot, quantity: 20 }]));
  const sell = (quantity: number) => plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity }] });
  /** The containers a refusal names: three of the five cases, and how many more. */
  const named = (text: string) => {
    const listed = /containers ([^;:)]*) and 2 more/.exec(text)?.[1].split(', ') ?? [];
    return listed.length === 3 && listed.every((code) => cases.includes(code));
  };

  const partly = expectStatus(t, await sell(150), 409, '150 of 100 loose and 100 packed');
  t.match(partly.body.detail, `only 100 piece of ${lot} remain loose with ${plant.code} (100 more are packed in containers `);
  t.match(partly.body.detail, /and 2 more: unpack them first\); 150 requested$/);
  t.ok(named(partly.body.detail), 'it names three of the cases');
  expectStatus(t, await sell(100), 201, 'the loose 100');
  const wholly = expectStatus(t, await sell(1), 409, 'everything left is packed');
  t.match(wholly.body.detail, new RegExp(`^${lot} is packed in containers .* and 2 more; unpack it first$`));
  t.ok(named(wholly.body.detail) && named(wholly.body.errors[0].detail), 'it names three of the cases, in its detail and at its field');
  t.equal(wholly.body.errors[0].pointer, '/lines/0/lotCode');
});
