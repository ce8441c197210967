// How a quantity line's uom reads against the unit of the lot it names (quantityInUnit), and the
// unit a line making a lot of a product gives it (unitOfUom): pure, no database.
import { inDocumentUnitReading, quantityInUnit, unitLineIsReadIn, unitOfNewLot, unitOfUom, uomOfUnit } from '../../src/epcis/uom.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test("the lot's own unit code, or none, is taken as it is", async (t) => {
  for (const [uom, unit] of [
    [null, 'kg'],
    ['KGM', 'kg'],
    ['KGM', 'KGM'],
    ['H87', 'piece'],
    ['C62', 'piece'],
    ['EA', 'head'],
    ['EA', 'H87'],
    ['BX', 'box'],
    ['CS', 'case'],
    ['PX', 'pallet'],
    ['LTR', 'LTR'],
    ['H87', 'container'],
    ['PX', 'container'],
  ] as const) {
    t.same(quantityInUnit(12.345, uom, unit), { ok: true, quantity: 12.345 }, `${uom} of a lot in ${unit}`);
  }
  t.same(quantityInUnit(null, 'KGM', 'kg'), { ok: true, quantity: null }, 'a line without a quantity');
});

t.test('a mass of a lot counted in kg converts exactly', async (t) => {
  t.same(quantityInUnit(80000, 'GRM', 'kg'), { ok: true, quantity: 80 });
  t.same(quantityInUnit(80, 'GRM', 'KGM'), { ok: true, quantity: 0.08 });
  t.same(quantityInUnit(1234, 'GRM', 'kg'), { ok: true, quantity: 1.234 });
  t.same(quantityInUnit(0.0025, 'TNE', 'kg'), { ok: true, quantity: 2.5 });
  t.same(quantityInUnit(0.001234, 'TNE', 'kg'), { ok: true, quantity: 1.234 }, 'binary noise of the product is no finer quantity');
  t.same(quantityInUnit(3, 'TNE', 'kg'), { ok: true, quantity: 3000 });
  t.same(quantityInUnit(2, 'KGM', 'GRM'), { ok: true, quantity: 2000 }, 'a lot made in grams takes kilograms');
  t.same(quantityInUnit(null, 'GRM', 'kg'), { ok: true, quantity: null }, 'a line without a quantity');
});

t.test('a mass finer than the three decimals the ledger keeps, or more than it stores, is refused at the quantity', async (t) => {
  t.match(quantityInUnit(0.5, 'GRM', 'kg'), {
    ok: false,
    field: 'quantity',
    detail: '0.5 GRM is 0.0005 KGM, and the ledger keeps 3 decimals of KGM: name a whole multiple of 1 GRM',
  });
  t.match(quantityInUnit(1000.5, 'GRM', 'KGM'), { ok: false, field: 'quantity' });
  t.match(quantityInUnit(0.0000005, 'TNE', 'kg'), { ok: false, field: 'quantity', detail: /multiple of 0\.000001 TNE/ });
  t.match(quantityInUnit(2e9, 'TNE', 'kg'), { ok: false, field: 'quantity', detail: /more than the 1000000000000 KGM the ledger stores/ });
});

t.test("another uom than the lot's unit is refused at the uom, naming the lot's unit", async (t) => {
  t.match(quantityInUnit(1, 'LTR', 'kg'), {
    ok: false,
    field: 'uom',
    detail: "LTR is not the lot's unit: the lot is counted in kg (KGM, GRM or TNE)",
  });
  t.match(quantityInUnit(1, 'KGM', 'piece'), { ok: false, field: 'uom', detail: /counted in piece \(H87, C62 or EA\)/ });
  t.match(quantityInUnit(1, 'H87', 'KGM'), { ok: false, field: 'uom', detail: /counted in KGM$/ });
  t.match(quantityInUnit(1, 'GRM', 'LTR'), { ok: false, field: 'uom', detail: /counted in LTR$/ });
  t.match(quantityInUnit(1, 'H87', 'box'), { ok: false, field: 'uom', detail: /counted in box \(BX\)/ });
  t.match(quantityInUnit(null, 'LTR', 'kg'), { ok: false, field: 'uom' }, 'a line without a quantity too');
});

t.test('the unit a line makes a lot of a product in, and the code a lot unit is written in', async (t) => {
  t.equal(unitOfUom('GRM', 'kg'), 'kg', 'a mass of a kg product: kg (its quantity converted)');
  t.equal(unitOfUom('TNE', 'kg'), 'kg');
  t.equal(unitOfUom('EA', 'piece'), 'piece');
  t.equal(unitOfUom('KGM', 'piece'), 'KGM', 'another unit as written, for the writer to refuse');
  t.equal(uomOfUnit('kg'), 'KGM');
  t.equal(uomOfUnit('head'), 'H87');
  t.equal(uomOfUnit('KGM'), 'KGM', 'a lot of no product made in a uom is written in it');
  t.equal(uomOfUnit('container'), 'H87');
});

t.test('a new lot is counted in its product unit, else the uom that made it, else in pieces', async (t) => {
  t.equal(unitOfNewLot('GRM', 'kg'), 'kg');
  t.equal(unitOfNewLot(null, 'kg'), 'kg');
  t.equal(unitOfNewLot('LTR', undefined), 'LTR');
  t.equal(unitOfNewLot(null, undefined), 'piece', 'made without a uom: a piece, as the writer counts it');
});

t.test('a line is read in the stored lot unit, else the one an earlier event of the document gives it, else its product', async (t) => {
  t.same(unitLineIsReadIn('kg', 'LTR', 'kg'), { unit: 'kg', binding: true }, 'the lot as stored');
  t.same(unitLineIsReadIn(undefined, 'piece', undefined), { unit: 'piece', binding: true }, 'a lot the document made without a uom');
  t.same(unitLineIsReadIn(undefined, 'LTR', undefined), { unit: 'LTR', binding: true });
  t.same(
    unitLineIsReadIn(undefined, undefined, 'kg'),
    { unit: 'kg', binding: false },
    "a lot the line makes: its product's, the writer's to hold",
  );
  t.equal(unitLineIsReadIn(undefined, undefined, undefined), undefined, 'a lot of no product the line makes: in its own uom');
  t.same(quantityInUnit(5, 'GRM', unitLineIsReadIn(undefined, unitOfNewLot(null, undefined), undefined)?.unit as string), {
    ok: false,
    field: 'uom',
    detail: "GRM is not the lot's unit: the lot is counted in piece (H87, C62 or EA)",
    fieldDetail: 'not H87, C62 or EA: the lot is counted in piece',
  });
});

t.test('a mass is converted in exact decimals: at any size, a quantity finer than a thousandth of the lot unit is refused', async (t) => {
  t.match(quantityInUnit(12345678901.001, 'GRM', 'kg'), {
    ok: false,
    field: 'quantity',
    detail: /12345678901\.001 GRM is 12345678\.901001 KGM/,
  });
  t.same(quantityInUnit(12345678901, 'GRM', 'kg'), { ok: true, quantity: 12345678.901 });
  t.same(quantityInUnit(1000000000.000001, 'TNE', 'kg'), {
    ok: false,
    field: 'quantity',
    detail: '1000000000.000001 TNE is 1000000000000.001 KGM, more than the 1000000000000 KGM the ledger stores',
    fieldDetail: 'more than 1000000000000 KGM',
  });
  t.same(quantityInUnit(0.001234, 'TNE', 'kg'), { ok: true, quantity: 1.234 }, 'no binary noise');
  // what validation admits as binary noise of a step (0.1 + 0.2) converts as the decimal it stands for
  t.same(quantityInUnit(0.1 + 0.2, 'TNE', 'kg'), { ok: true, quantity: 300 }, '0.30000000000000004 TNE is 300 kg');
  t.same(quantityInUnit(0.1 + 0.2, 'KGM', 'GRM'), { ok: true, quantity: 300 }, '0.30000000000000004 KGM is 300 g');
  t.match(quantityInUnit(1.1 + 2.2, 'GRM', 'kg'), { ok: false, field: 'quantity', detail: /^3\.3 GRM is 0\.0033 KGM/ });
  t.same(quantityInUnit(1e-7, 'TNE', 'kg'), {
    ok: false,
    field: 'quantity',
    detail: '1e-7 TNE is 0.0001 KGM, and the ledger keeps 3 decimals of KGM: name a whole multiple of 0.000001 TNE',
    fieldDetail: 'not a whole multiple of 0.000001 TNE (0.001 KGM)',
  });
  t.same(quantityInUnit(2.5, 'KGM', 'GRM'), { ok: true, quantity: 2500 });
});

t.test('inDocumentUnitReading: a lot earlier events of the document make is named as it is, in their unit, or refused', async (t) => {
  t.same(inDocumentUnitReading(5, 'KGM', new Set(['KGM'])), { ok: true, quantity: 5 }, 'the unit it is made in');
  t.same(inDocumentUnitReading(5, 'C62', new Set(['piece'])), { ok: true, quantity: 5 }, 'any code of a piece for a lot made in pieces');
  t.match(
    inDocumentUnitReading(5000, 'GRM', new Set(['KGM'])),
    { ok: false, field: 'uom', detail: /makes the lot in KGM.*later one/ },
    'no conversion',
  );
  t.match(
    inDocumentUnitReading(5, 'KGM', new Set(['KGM', 'LTR'])),
    { ok: false, field: 'uom', detail: /KGM and LTR/ },
    'made in two units: whichever is written decides, so neither is taken',
  );
});
