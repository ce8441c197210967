// A Digital Link GTIN + lot that another party captured a lot under (stored before capture refused
// that) resolves to the GTIN owner's own lot of that number.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { captured, epcisDocument as doc } from '../fixtures/epcis.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a consumer scan of GTIN + lot prefers the GTIN owner’s lot to another party’s captured one', async (t) => {
  const world = await createWorld(t);
  const owner = await world.party('processor');
  const counterfeiter = await world.party('processor');
  const gtin = completeGs1('0690123456001');
  const product = await owner.product('kg', { gtin });
  const made = await world.ok(owner.event({ type: 'commission', lots: [{ productCode: product, quantity: 5, lotNumber: 'KZ-7' }] }));
  const ownLot = made.createdLotCodes[0];

  // the counterfeiter's lot under the owner's link, as a capture stored it before such captures were refused
  const unowned = `https://id.gs1.org/01/${completeGs1('0690999900001')}/10/KZ-7`;
  const { job } = await captured(
    world,
    counterfeiter.key,
    doc([
      {
        type: 'ObjectEvent',
        eventTime: '2026-03-01T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        action: 'ADD',
        bizStep: 'commissioning',
        quantityList: [{ epcClass: unowned, quantity: 10, uom: 'KGM' }],
      },
    ]),
  );
  t.match(job, { success: true, captured: 1 });
  const link = `https://id.gs1.org/01/${gtin}/10/KZ-7`;
  await world.database.db.execute(sql`update lot_identifiers set value = ${link} where value = ${unowned}`);

  const scan = await world.app.inject({ method: 'GET', url: `/01/${gtin}/10/KZ-7`, headers: { accept: 'application/json' } });
  t.equal(scan.statusCode, 200);
  t.equal(scan.json().lot.code, ownLot, 'the owner’s lot, not the counterfeiter’s');
});
