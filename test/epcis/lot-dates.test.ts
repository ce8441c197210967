// A lot's production and expiry dates through EPCIS: read from the ilmd of the event that makes
// the lot (CBV master data attributes), checked by the writer's rules, and given back in the ilmd
// of the event that made a native lot.
import { captured, epcisDocument as doc, EPCIS_CONTEXT, epcisRequests, traced } from '../fixtures/epcis.js';
import { at, createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const FARM_LOT = 'https://id.gs1.org/01/06901234000016/10/FARM-DATES';
const CUTS = 'https://id.gs1.org/01/06901234000023/10/CUTS-DATES';
const time = { eventTime: at(1), eventTimeZoneOffset: '+08:00' };

const commissioning = (epcClass: string, ilmd: Record<string, unknown>, when = time) => ({
  type: 'ObjectEvent',
  ...when,
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass, quantity: 10, uom: 'H87' }],
  ilmd,
});
const cutting = (ilmd: Record<string, unknown>, input = FARM_LOT, output = CUTS) => ({
  type: 'TransformationEvent',
  eventTime: at(2),
  eventTimeZoneOffset: '+08:00',
  inputQuantityList: [{ epcClass: input, quantity: 10, uom: 'H87' }],
  outputQuantityList: [{ epcClass: output, quantity: 40, uom: 'KGM' }],
  ilmd,
});

t.test('a lot a capture makes takes its production and expiry dates from the ilmd of the event making it', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const made = doc([
    commissioning(FARM_LOT, { 'cbvmda:productionDate': '2026-03-01', 'cbvmda:itemExpirationDate': '2026-09-01', 'ex:pen': 'B7' }),
    // a best-before date stands for the expiry when the event gives no expiration date
    cutting({ 'cbvmda:productionDate': '2026-03-01', 'cbvmda:bestBeforeDate': '2026-04-01' }),
  ]);
  const { job } = await captured(world, farm.key, { ...made, '@context': [...EPCIS_CONTEXT, { ex: 'https://example.org/ns/' }] });
  t.match(job, { success: true, captured: 2 });
  t.match(await traced(farm.api, FARM_LOT), { productionDate: '2026-03-01', expiryDate: '2026-09-01' }, 'the commissioned lot');
  t.match(await traced(farm.api, CUTS), { productionDate: '2026-03-01', expiryDate: '2026-04-01' }, 'the transformation output');

  // the consumer page of the lot shows the date as it does a native lot's
  const page = await world.app.inject({ method: 'GET', url: '/01/06901234000016/10/FARM-DATES', headers: { accept: 'application/json' } });
  t.equal(page.statusCode, 200, 'the consumer page');
  t.match(page.json().lot, { productionDate: '2026-03-01', expiryDate: '2026-09-01' });

  // a round trip: the events come back with their ilmd as captured
  const events = (await farm.api.get('/epcis/events')).body.epcisBody.queryResults.resultsBody.eventList;
  t.same(
    events.map((event: { ilmd?: unknown }) => event.ilmd),
    [
      { 'cbvmda:productionDate': '2026-03-01', 'cbvmda:itemExpirationDate': '2026-09-01', 'ex:pen': 'B7' },
      { 'cbvmda:productionDate': '2026-03-01', 'cbvmda:bestBeforeDate': '2026-04-01' },
    ],
  );

  // an event naming a lot that exists already changes none of its dates
  const again = await captured(
    world,
    farm.key,
    doc([commissioning(FARM_LOT, { 'cbvmda:productionDate': '2026-02-20' }, { eventTime: at(3), eventTimeZoneOffset: '+08:00' })]),
  );
  t.match(again.job, { success: true, captured: 1 });
  t.match(await traced(farm.api, FARM_LOT), { productionDate: '2026-03-01', expiryDate: '2026-09-01' }, 'as it was made');
});

t.test('ilmd dates are held to the native rules: a production date after the China day of the event, an expiry before it', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  // 2026-12-06 16:30 in China is 08:30 UTC: the day in China is the 6th
  const late = { eventTime: '2026-12-06T16:30:00+08:00', eventTimeZoneOffset: '+08:00' };
  const future = commissioning(FARM_LOT, { 'cbvmda:productionDate': '2026-12-07' }, late);

  const rollback = await captured(world, farm.key, doc([commissioning(CUTS, {}), future]));
  t.match(rollback.job, { success: false, captured: 0, captureErrorBehaviour: 'rollback' });
  t.match(rollback.job.errors, [
    {
      eventIndex: 1,
      pointer: '/epcisBody/eventList/1/ilmd/cbvmda:productionDate',
      message: /productionDate 2026-12-07 is after the day of the event, 2026-12-06 \(China time\)/,
    },
  ]);
  t.equal(await traced(farm.api, CUTS), null, 'nothing of the document is stored');

  const proceed = await captured(world, farm.key, doc([commissioning(CUTS, {}), future]), {
    'GS1-Capture-Error-Behaviour': 'proceed',
  });
  t.match(proceed.job, { success: false, captured: 1, captureErrorBehaviour: 'proceed' });
  t.match(proceed.job.errors, [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/ilmd/cbvmda:productionDate' }]);
  t.equal(await traced(farm.api, FARM_LOT), null, 'the refused event made no lot');
  t.match(await traced(farm.api, CUTS), { productionDate: null, expiryDate: null }, 'the other event stored');

  // the day of the event itself is no later than it; a native event is judged so too
  const { post } = epcisRequests(world);
  const sameDay = await post(farm.key, '/epcis/events', {
    '@context': EPCIS_CONTEXT,
    ...commissioning(FARM_LOT, { 'cbvmda:productionDate': '2026-12-06' }, late),
  });
  t.equal(sameDay.statusCode, 201, 'produced on the day of its commissioning');

  const expiresBefore = await post(farm.key, '/epcis/events', {
    '@context': EPCIS_CONTEXT,
    ...commissioning('https://id.gs1.org/01/06901234000016/10/FARM-EXPIRED', {
      'cbvmda:productionDate': '2026-03-01',
      'cbvmda:bestBeforeDate': '2026-02-01',
    }),
  });
  t.equal(expiresBefore.statusCode, 422);
  t.match(expiresBefore.json(), { type: /invalid-dates/, errors: [{ pointer: '/ilmd/cbvmda:bestBeforeDate' }] });

  const output = await captured(world, farm.key, doc([cutting({ 'cbvmda:productionDate': '2027-01-01' }, `${FARM_LOT}-2`, `${CUTS}-2`)]));
  t.match(output.job.errors, [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/ilmd/cbvmda:productionDate' }], 'an output too');
});

t.test('a malformed ilmd date is refused at the door, naming the member', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const { post } = epcisRequests(world);
  const reply = await post(
    farm.key,
    '/epcis/capture',
    doc([
      commissioning(FARM_LOT, { 'cbvmda:productionDate': '2026-02-30' }),
      commissioning(CUTS, { 'cbvmda:itemExpirationDate': '20260901', 'cbvmda:bestBeforeDate': 20260901 }),
      cutting({ 'cbvmda:productionDate': '0001-01-01' }),
    ]),
  );
  t.equal(reply.statusCode, 400);
  t.same(
    reply.json().errors.map((error: { pointer: string }) => error.pointer),
    [
      '/epcisBody/eventList/0/ilmd/cbvmda:productionDate',
      '/epcisBody/eventList/1/ilmd/cbvmda:bestBeforeDate',
      '/epcisBody/eventList/1/ilmd/cbvmda:itemExpirationDate',
      '/epcisBody/eventList/2/ilmd/cbvmda:productionDate',
    ],
  );
  t.equal(await traced(farm.api, FARM_LOT), null, 'nothing stored');

  // a NUL is refused wherever it stands, before the document is read
  const nul = await post(farm.key, '/epcis/events', {
    '@context': EPCIS_CONTEXT,
    ...commissioning(FARM_LOT, { 'cbvmda:productionDate': '2026-03-01\u0000' }),
  });
  t.equal(nul.statusCode, 400);
  t.match(nul.json().errors, [{ pointer: '/ilmd/cbvmda:productionDate' }]);
});

t.test('a native event renders the dates of the lots it made in its ilmd, as CBV master data', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('kg');
  const lot = await plant.commission(product, 100, { productionDate: '2026-02-27', expiryDate: '2026-08-27' });
  await plant.transform([{ lotCode: lot, quantity: 50 }], [{ productCode: product, quantity: 50, productionDate: '2026-03-01' }]);
  // lots of different dates made by one event: one ilmd cannot give each its own
  await plant.event({
    type: 'commission',
    lots: [
      { productCode: product, quantity: 1, productionDate: '2026-02-01' },
      { productCode: product, quantity: 1, productionDate: '2026-02-02' },
    ],
  });
  const events = (await plant.api.get('/epcis/events')).body.epcisBody.queryResults.resultsBody.eventList;
  t.same(
    events.map((event: { type: string; ilmd?: unknown }) => [event.type, event.ilmd]),
    [
      ['ObjectEvent', { 'cbvmda:productionDate': '2026-02-27', 'cbvmda:itemExpirationDate': '2026-08-27' }],
      ['TransformationEvent', { 'cbvmda:productionDate': '2026-03-01' }],
      ['ObjectEvent', undefined],
    ],
  );
});
