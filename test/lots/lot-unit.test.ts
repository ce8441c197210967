// A lot is counted in its product's unit: one code per pack caps a lot counted in pieces at its
// pieces, so a lot of a product sold by the piece made "by the kilogram" would get codes without
// bound. A different unit is refused at every door (native commission and transform, EPCIS
// capture's uom), and a code job reads the cap from the product's unit for lots stored before.
import { sql } from 'drizzle-orm';
import { EPCIS_CONTEXT, epcisRequests } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const GTIN = '06901234000030';
const PACK = `https://id.gs1.org/01/${GTIN}/10`;

/** An EPCIS commissioning of `quantity` of the lot class `lot` of the pack, in `uom`. */
const commissioned = (lot: string, quantity: number, uom: string) => ({
  type: 'ObjectEvent',
  eventTime: '2026-03-01T08:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass: `${PACK}/${lot}`, quantity, uom }],
});

t.test('a lot of a product counted in pieces is made in pieces, natively and through EPCIS', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const pack = await plant.product('piece', { gtin: GTIN });
  const meat = await plant.commission(await plant.product('kg'), 10);

  const commission = expectStatus(
    t,
    await plant.event({ type: 'commission', lots: [{ productCode: pack, lotNumber: 'PK-C', quantity: 1, unit: 'kg' }] }),
    422,
    'a commission in kilograms',
  );
  t.match(commission.body, {
    detail: `kg: a lot of product ${pack} is counted in its product's unit, piece`,
    errors: [{ pointer: '/lots/0/unit', detail: 'not piece, the unit of product' }],
  });
  const transform = expectStatus(
    t,
    await plant.event({
      type: 'transform',
      inputs: [{ lotCode: meat, quantity: 1 }],
      outputs: [{ productCode: pack, lotNumber: 'PK-KG', quantity: 1, unit: 'kg' }],
    }),
    422,
    'a transformation output in kilograms',
  );
  t.match(transform.body.errors, [{ pointer: '/outputs/0/unit' }]);
  t.same((await plant.api.get('/lots')).body.items.length, 1, 'neither made a lot');
  const pieces = await plant.commission(pack, 3, { unit: 'piece' });
  t.match(await plant.lot(pieces), { unit: 'piece', quantity: 3 }, 'its own unit, named or not, is taken');

  const { capture, post } = epcisRequests(world);
  const captured = await capture(plant.key, [commissioned('EP-KG', 1, 'KGM')]);
  t.match(
    captured,
    { success: false, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/quantityList/0/uom' }] },
    'a capture in KGM',
  );
  t.match(captured.errors[0].message, `event 0: KGM: a lot of product ${pack} is counted in its product's unit, piece`);
  const single = await post(plant.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...commissioned('EP-KG', 1, 'KGM') });
  t.equal(single.statusCode, 422);
  t.match(single.json().errors, [{ pointer: '/quantityList/0/uom' }]);
  // UN/CEFACT's codes for a piece (the one EPCIS exports, H87) name the product's own unit
  t.match(await capture(plant.key, [commissioned('EP-H87', 2, 'H87'), commissioned('EP-EA', 2, 'EA')]), { success: true });
  for (const lot of (await plant.api.get('/lots')).body.items.filter((lot: { code: string }) => lot.code !== pieces && lot.code !== meat)) {
    t.equal(lot.unit, 'piece', "a captured lot is stored in the product's unit");
  }
});

t.test('a code job caps a lot of a product counted in pieces even when the lot was stored in kilograms', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('piece', { gtin: GTIN }), 1);
  // as a lot made before its unit had to be its product's
  await world.database.db.execute(sql`update lots set unit = 'kg' where code = ${lot}`);
  const refused = expectStatus(t, await plant.api.post(`/lots/${lot}/items`, { count: 5000 }), 409, '5,000 codes for one piece');
  t.match(refused.body.errors, [{ pointer: '/count', detail: 'at most 1' }]);
  expectStatus(t, await plant.api.post(`/lots/${lot}/items`, { count: 1 }), 202, 'one code for its one piece');
});
