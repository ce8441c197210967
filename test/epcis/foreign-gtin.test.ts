// A lot or serial under a GTIN is commissioned only by the GTIN's owner (its product's party, or the
// party whose GS1 company prefix it carries), at the EPCIS door as at the native one: otherwise a
// consumer scan of the GTIN + lot Digital Link would show another party's page.
import { completeGs1 } from '../../src/codes/gs1.js';
import { captured, epcisDocument as doc } from '../fixtures/epcis.js';
import { createWorld, expectStatus, randomUscc } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const commissioning = (epcClass: string) => ({
  type: 'ObjectEvent',
  eventTime: '2026-03-01T08:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass, quantity: 10, uom: 'KGM' }],
});

t.test('a lot under another party’s GTIN is not commissioned over EPCIS', async (t) => {
  const world = await createWorld(t);
  const owner = await world.ok(
    world.admin.post('/parties', {
      kind: 'processor',
      name: '夔州食品',
      uscc: randomUscc(),
      regionCode: '500236',
      gs1CompanyPrefix: '6955123',
    }),
  );
  const ownerKey = (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: owner.code }))).key;
  const ownerApi = client(world.app, ownerKey);
  const counterfeiter = await world.party('processor');
  const registered = completeGs1('0695512300001');
  const unregistered = completeGs1('0695512300002');
  await world.ok(ownerApi.post('/products', { partyCode: owner.code, name: '腊肉', category: 'other', unit: 'kg', gtin: registered }));

  for (const [gtin, how] of [
    [registered, 'registered as the owner’s product'],
    [unregistered, 'under the owner’s company prefix'],
  ]) {
    const link = `https://id.gs1.org/01/${gtin}/10/FAKE-1`;
    const { job } = await captured(world, counterfeiter.key, doc([commissioning(link)]));
    t.match(job, { success: false, captured: 0 }, `a GTIN ${how}: the commission is refused`);
    t.match(JSON.stringify(job.errors), new RegExp(`${gtin}.*${owner.code}`), 'the error names the identifier and its owner');
    const scan = await world.app.inject({ method: 'GET', url: `/01/${gtin}/10/FAKE-1`, headers: { accept: 'application/json' } });
    t.equal(scan.statusCode, 404, 'a consumer scan finds no lot of the counterfeiter');
  }

  const single = await counterfeiter.api.post('/epcis/events', {
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    ...commissioning(`urn:epc:class:lgtin:6955123.000001.FAKE-2`),
  });
  expectStatus(t, single, 403, 'POST /epcis/events refuses an LGTIN class under the owner’s GTIN too');
  t.match(single.body.errors, [{ pointer: '/quantityList/0/epcClass', detail: new RegExp(owner.code) }]);

  const own = await captured(world, ownerKey, doc([commissioning(`https://id.gs1.org/01/${unregistered}/10/REAL-1`)]));
  t.match(own.job, { success: true, captured: 1 }, 'the owner commissions its own lots');
  expectStatus(
    t,
    await ownerApi.get(`/trace/${encodeURIComponent(`https://id.gs1.org/01/${unregistered}/10/REAL-1`)}`),
    200,
    'and traces them',
  );
});
