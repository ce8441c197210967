// What capture reads of an event's ilmd (CBV master data, `urn:epcglobal:cbv:mda:`): its members
// under whatever prefix the document's @context gives that namespace, or its full IRI, and the lot
// number (CBV `lotNumber`, GS1 AI 10) that the product class an event makes without a lot takes.
import { captured, epcisDocument as doc, EPCIS_CONTEXT, epcisRequests, traced } from '../fixtures/epcis.js';
import { at, createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const GTIN = '06901234000016';
const OTHER_GTIN = '06901234000023';
const MDA = 'urn:epcglobal:cbv:mda:';
const time = { eventTime: at(1), eventTimeZoneOffset: '+08:00' };

const commissioning = (epcClass: string, ilmd: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'ObjectEvent',
  ...time,
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass, quantity: 10, uom: 'H87' }],
  ilmd,
  ...extra,
});

t.test('ilmd members are read under any prefix the context maps to the CBV master data namespace, or by full IRI', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const made = doc([
    commissioning(`https://id.gs1.org/01/${GTIN}/10/MDA-1`, { 'mda:productionDate': '2026-03-01', 'mda:itemExpirationDate': '2026-09-01' }),
    commissioning(`https://id.gs1.org/01/${GTIN}/10/IRI-1`, {
      [`${MDA}productionDate`]: '2026-02-28',
      [`${MDA}bestBeforeDate`]: '2026-05-01',
    }),
    // the event's own @context adds a prefix of its own
    commissioning(`https://id.gs1.org/01/${GTIN}/10/OWN-1`, { 'own:productionDate': '2026-02-20' }, { '@context': [{ own: MDA }] }),
    // a prefix naming another namespace is no CBV master data, whatever its local name
    commissioning(`https://id.gs1.org/01/${GTIN}/10/EX-1`, { 'ex:productionDate': '2026-02-21' }),
  ]);
  const { job } = await captured(world, farm.key, {
    ...made,
    '@context': [...EPCIS_CONTEXT, { mda: MDA, ex: 'https://example.org/ns/' }],
  });
  t.match(job, { success: true, captured: 4 }, JSON.stringify(job?.errors));
  t.match(await traced(farm.api, `https://id.gs1.org/01/${GTIN}/10/MDA-1`), { productionDate: '2026-03-01', expiryDate: '2026-09-01' });
  t.match(await traced(farm.api, `https://id.gs1.org/01/${GTIN}/10/IRI-1`), { productionDate: '2026-02-28', expiryDate: '2026-05-01' });
  t.match(await traced(farm.api, `https://id.gs1.org/01/${GTIN}/10/OWN-1`), { productionDate: '2026-02-20' });
  t.match(await traced(farm.api, `https://id.gs1.org/01/${GTIN}/10/EX-1`), { productionDate: null }, 'ex: is not the CBV namespace');

  // stored and given back as captured: the prefix as sent
  const events = (await farm.api.get('/epcis/events')).body.epcisBody.queryResults.resultsBody.eventList;
  const first = events.find((event: { quantityList: { epcClass: string }[] }) => event.quantityList[0].epcClass.endsWith('/MDA-1'));
  t.same(first.ilmd, { 'mda:productionDate': '2026-03-01', 'mda:itemExpirationDate': '2026-09-01' });
});

t.test('an ilmd member is checked, and refused, under the name it came by', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const { post } = epcisRequests(world);
  const reply = await post(farm.key, '/epcis/capture', {
    ...doc([
      commissioning(`https://id.gs1.org/01/${GTIN}/10/BAD-1`, { 'mda:itemExpirationDate': '2026-13-01' }),
      commissioning(`https://id.gs1.org/01/${GTIN}/10/BAD-2`, { [`${MDA}productionDate`]: '2026-02-30' }),
      commissioning(`https://id.gs1.org/01/${GTIN}/10/BAD-3`, { 'own:bestBeforeDate': 20260901 }, { '@context': [{ own: MDA }] }),
      // not CBV master data: stored as given, whatever it holds
      commissioning(`https://id.gs1.org/01/${GTIN}/10/FINE-1`, { 'ex:productionDate': 'whenever' }),
      // one attribute under two names: which is meant, the event does not say
      commissioning(`https://id.gs1.org/01/${GTIN}/10/TWICE-1`, { 'cbvmda:lotNumber': 'TWICE-1', 'mda:lotNumber': 'TWICE-1' }),
    ]),
    '@context': [...EPCIS_CONTEXT, { mda: MDA, ex: 'https://example.org/ns/' }],
  });
  t.equal(reply.statusCode, 400);
  t.match(reply.json().errors, [
    { pointer: '/epcisBody/eventList/0/ilmd/mda:itemExpirationDate', detail: /^mda:itemExpirationDate / },
    { pointer: '/epcisBody/eventList/1/ilmd/urn:epcglobal:cbv:mda:productionDate', detail: /^urn:epcglobal:cbv:mda:productionDate / },
    { pointer: '/epcisBody/eventList/2/ilmd/own:bestBeforeDate', detail: /^own:bestBeforeDate / },
    { pointer: '/epcisBody/eventList/4/ilmd/mda:lotNumber', detail: /^mda:lotNumber .*cbvmda:lotNumber/ },
  ]);
  t.equal(reply.json().errors.length, 4);

  // the writer's rules name the member as sent too
  const future = await post(farm.key, '/epcis/events', {
    '@context': [...EPCIS_CONTEXT, { mda: MDA }],
    ...commissioning(`https://id.gs1.org/01/${GTIN}/10/LATE-1`, { 'mda:productionDate': '2027-01-01' }),
  });
  t.equal(future.statusCode, 422);
  t.match(future.json(), { type: /invalid-dates/, errors: [{ pointer: '/ilmd/mda:productionDate' }] });
});

t.test('a product class made without a lot takes the ilmd lotNumber: the lot is the LGTIN of that number', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const lgtin = (gtin: string, lot: string) => `https://id.gs1.org/01/${gtin}/10/${lot}`;
  const { job } = await captured(
    world,
    farm.key,
    doc([
      commissioning(`https://id.gs1.org/01/${GTIN}`, { 'cbvmda:lotNumber': 'L-1', 'cbvmda:productionDate': '2026-03-01' }),
      // an EPC pattern of the GTIN's items names its class too
      commissioning('urn:epc:idpat:sgtin:6901234.000002.*', { 'cbvmda:lotNumber': 'L-2' }),
      {
        type: 'TransformationEvent',
        eventTime: at(2),
        eventTimeZoneOffset: '+08:00',
        inputQuantityList: [{ epcClass: lgtin(GTIN, 'L-1'), quantity: 5, uom: 'H87' }],
        outputQuantityList: [{ epcClass: `https://id.gs1.org/01/${OTHER_GTIN}`, quantity: 4, uom: 'H87' }],
        ilmd: { 'cbvmda:lotNumber': 'CUT-1', 'cbvmda:productionDate': '2026-03-01' },
      },
    ]),
  );
  t.match(job, { success: true, captured: 3 });
  const first = await traced(farm.api, lgtin(GTIN, 'L-1'));
  t.match(first, { productionDate: '2026-03-01' }, 'the commissioned lot is GTIN + L-1');
  t.ok(await traced(farm.api, lgtin(OTHER_GTIN, 'L-2')), 'the pattern named GTIN + L-2');
  const cut = await traced(farm.api, lgtin(OTHER_GTIN, 'CUT-1'));
  t.match(cut, { productionDate: '2026-03-01' }, 'the output is GTIN + CUT-1');
  t.equal(await traced(farm.api, `https://id.gs1.org/01/${GTIN}`), null, 'the bare GTIN names no lot');

  // the lot made is the one its LGTIN names afterwards, and made again with the same lot number it is seen again
  const again = await captured(
    world,
    farm.key,
    doc([
      commissioning(
        `https://id.gs1.org/01/${GTIN}`,
        { 'cbvmda:lotNumber': 'L-1', 'cbvmda:productionDate': '2026-02-01' },
        { eventTime: at(3) },
      ),
    ]),
  );
  t.match(again.job, { success: true, captured: 1 });
  t.match(await traced(farm.api, lgtin(GTIN, 'L-1')), { code: first.code, productionDate: '2026-03-01' }, 'the same lot, its dates kept');

  // the class already carrying the same lot number is as good
  const same = await captured(
    world,
    farm.key,
    doc([commissioning('urn:epc:class:lgtin:6901234.000001.L-3', { 'cbvmda:lotNumber': 'L-3' }, { eventTime: at(4) })]),
  );
  t.match(same.job, { success: true, captured: 1 });
  t.ok(await traced(farm.api, lgtin(GTIN, 'L-3')));
});

t.test('a class carrying another lot than the ilmd lotNumber is refused, naming both at the ilmd member', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const { post } = epcisRequests(world);
  const reply = await post(farm.key, '/epcis/events', {
    '@context': EPCIS_CONTEXT,
    ...commissioning(`https://id.gs1.org/01/${GTIN}/10/A-1`, { 'cbvmda:lotNumber': 'B-2' }),
  });
  t.equal(reply.statusCode, 422);
  t.match(reply.json(), { type: /lot-number-mismatch/, detail: /A-1.*B-2|B-2.*A-1/, errors: [{ pointer: '/ilmd/cbvmda:lotNumber' }] });
  t.equal(await traced(farm.api, `https://id.gs1.org/01/${GTIN}/10/A-1`), null, 'nothing made');

  // in a job, under the document's own prefix, an EPC class URN or an output alike
  const { job } = await captured(
    world,
    farm.key,
    {
      ...doc([
        commissioning('urn:epc:class:lgtin:6901234.000001.A-1', { 'mda:lotNumber': 'B-2' }),
        commissioning(`https://id.gs1.org/01/${GTIN}/10/FINE-1`, {}),
        {
          type: 'TransformationEvent',
          eventTime: at(2),
          eventTimeZoneOffset: '+08:00',
          inputQuantityList: [{ epcClass: `https://id.gs1.org/01/${GTIN}/10/FINE-1`, quantity: 5, uom: 'H87' }],
          outputQuantityList: [{ epcClass: `https://id.gs1.org/01/${OTHER_GTIN}/10/OUT-1`, quantity: 4, uom: 'H87' }],
          ilmd: { 'mda:lotNumber': 'OUT-2' },
        },
      ]),
      '@context': [...EPCIS_CONTEXT, { mda: MDA }],
    },
    { 'GS1-Capture-Error-Behaviour': 'proceed' },
  );
  t.match(job, { success: false, captured: 1 });
  t.match(job.errors, [
    { eventIndex: 0, pointer: '/epcisBody/eventList/0/ilmd/mda:lotNumber', message: /A-1.*B-2|B-2.*A-1/ },
    { eventIndex: 2, pointer: '/epcisBody/eventList/2/ilmd/mda:lotNumber', message: /OUT-1.*OUT-2|OUT-2.*OUT-1/ },
  ]);
});

t.test('an ilmd lotNumber is a GS1 lot number (AI 10): 1 to 20 characters of GS1 character set 82', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const { post } = epcisRequests(world);
  const reply = await post(
    farm.key,
    '/epcis/capture',
    doc([
      commissioning(`https://id.gs1.org/01/${GTIN}`, { 'cbvmda:lotNumber': 'L'.repeat(21) }),
      commissioning(`https://id.gs1.org/01/${GTIN}`, { 'cbvmda:lotNumber': '批号 1' }),
      commissioning(`https://id.gs1.org/01/${GTIN}`, { [`${MDA}lotNumber`]: 12 }),
      commissioning(`https://id.gs1.org/01/${GTIN}`, { 'cbvmda:lotNumber': '' }),
      commissioning(`https://id.gs1.org/01/${GTIN}`, { 'cbvmda:lotNumber': 'L'.repeat(20) }),
    ]),
  );
  t.equal(reply.statusCode, 400);
  t.match(reply.json().errors, [
    { pointer: '/epcisBody/eventList/0/ilmd/cbvmda:lotNumber', detail: /^cbvmda:lotNumber .*20/ },
    { pointer: '/epcisBody/eventList/1/ilmd/cbvmda:lotNumber' },
    { pointer: '/epcisBody/eventList/2/ilmd/urn:epcglobal:cbv:mda:lotNumber' },
    { pointer: '/epcisBody/eventList/3/ilmd/cbvmda:lotNumber' },
  ]);
  t.equal(reply.json().errors.length, 4, 'twenty characters are a lot number');
});
