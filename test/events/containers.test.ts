// Selling or destroying a container takes what is packed in it out of the ledger too, as shipping
// one moves its contents: through POST /events and EPCIS capture alike, since both use the writer.
import { completeGs1 } from '../../src/codes/gs1.js';
import { captured, epcisDocument } from '../fixtures/epcis.js';
import { balanceDifferences } from '../fixtures/ledger.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

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
  const pack = async (children: { lotCode: string; quantity?: number }[]) =>
    (await world.ok(farm.event({ type: 'aggregate', parent: {}, children }))).createdLotCodes[0] as string;
  const first = await pack([{ lotCode: lot, quantity: 5 }]);
  const second = await pack([{ lotCode: lot, quantity: 7 }]);
  const pallet = await pack([{ lotCode: first }, { lotCode: second }]);

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
  const day = (n: number) => ({ eventTime: `2026-03-0${n}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
  const { job } = await captured(
    world,
    plant.key,
    epcisDocument([
      {
        type: 'ObjectEvent',
        ...day(1),
        action: 'ADD',
        bizStep: 'commissioning',
        quantityList: [{ epcClass: meat, quantity: 10, uom: 'KGM' }],
      },
      {
        type: 'AggregationEvent',
        ...day(2),
        action: 'ADD',
        bizStep: 'packing',
        parentID: pallet,
        childQuantityList: [{ epcClass: meat, quantity: 4, uom: 'KGM' }],
      },
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
