// EPCIS capture names a new product class only by a GTIN that can identify a trade item in an
// open supply chain: a lot or serial under a restricted circulation number, a coupon or an
// all-zero GTIN that no registered product carries is refused, naming the identifier and why.
// A product registered under such a GTIN before the rule keeps its lots coming.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { EPCIS_CONTEXT, epcisRequests } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const commissioning = (fields: object) => ({
  type: 'ObjectEvent',
  eventTime: '2026-03-01T08:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'ADD',
  bizStep: 'commissioning',
  ...fields,
});

t.test('a lot or serial under a restricted or all-zero GTIN is not commissioned over EPCIS', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const { post, capture } = epcisRequests(world);
  const inStore = completeGs1('0200123456789');
  const refused: [string, object, string, RegExp][] = [
    [
      'a Digital Link class',
      { quantityList: [{ epcClass: `https://id.gs1.org/01/${inStore}/10/L1`, quantity: 5, uom: 'KGM' }] },
      '/quantityList/0/epcClass',
      /GS1 prefix 200–299/,
    ],
    [
      'an LGTIN class',
      { quantityList: [{ epcClass: 'urn:epc:class:lgtin:2001234.056789.L2', quantity: 5, uom: 'KGM' }] },
      '/quantityList/0/epcClass',
      /GS1 prefix 200–299/,
    ],
    ['an SGTIN', { epcList: ['urn:epc:id:sgtin:0412345.067890.S1'] }, '/epcList/0', /GS1 prefix 04/],
    [
      'a Digital Link serial of a coupon',
      { epcList: [`https://id.gs1.org/01/${completeGs1('0990123456789')}/21/S2`] },
      '/epcList/0',
      /coupon/,
    ],
    ['an all-zero GTIN', { epcList: ['https://id.gs1.org/01/00000000000000/21/S3'] }, '/epcList/0', /all zeros/],
  ];
  for (const [what, fields, pointer, why] of refused) {
    const single = await post(processor.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...commissioning(fields) });
    t.equal(single.statusCode, 422, `${what}: POST /epcis/events: ${single.body}`);
    t.match(single.json().errors, [{ in: 'body', pointer, detail: why }], `${what}: the identifier and why`);
  }
  const open = { quantityList: [{ epcClass: `https://id.gs1.org/01/${completeGs1('0690123456789')}/10/L1`, quantity: 5, uom: 'KGM' }] };
  const job = await capture(processor.key, [...refused.map(([, fields]) => commissioning(fields)), commissioning(open)]);
  t.match(job, { success: false, captured: 1 }, 'a capture job stores only the class under a GS1 company prefix');
  t.same(
    job.errors.map((error: { eventIndex: number }) => error.eventIndex),
    refused.map((_, index) => index),
    'and refuses the others',
  );
  for (const [index, [what, , , why]] of refused.entries()) t.match(job.errors[index].message, why, `${what}: the job says why`);
  const count = async () =>
    (
      (await world.database.db.execute(sql`select count(*)::int as n from lots where party_code = ${processor.code}`)) as unknown as {
        rows: { n: number }[];
      }
    ).rows[0].n;
  t.equal(await count(), 1, 'one lot was made');
});

t.test('a product registered under a restricted GTIN before the rule keeps its lots coming', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('kg', { gtin: completeGs1('0690123456780') });
  const legacy = completeGs1('0200123456780');
  await world.database.db.execute(sql`update products set gtin = ${legacy} where code = ${product}`);
  const { capture } = epcisRequests(world);
  const job = await capture(processor.key, [
    commissioning({ quantityList: [{ epcClass: `https://id.gs1.org/01/${legacy}/10/OLD1`, quantity: 5, uom: 'KGM' }] }),
  ]);
  t.match(job, { success: true, captured: 1 }, JSON.stringify(job));
  expectStatus(t, await processor.api.get(`/products/${product}`), 200, 'the product reads as stored');
});
