// A lot captured from an LGTIN (an EPC class URN or a GS1 Digital Link with a lot) carries the
// LGTIN's lot as its lot number, as a native lot carries its own, where no other lot of its party
// carries the number (a GS1 lot is unique only within its GTIN: such a lot is made, without a number). The ilmd `sellByDate` is the lot's last day of sale, kept apart from its expiry.
import { captured, epcisDocument as doc, EPCIS_CONTEXT, epcisRequests, traced } from '../fixtures/epcis.js';
import { at, createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const GTIN = '06901234000016';
const OTHER_GTIN = '06901234000023';
const THIRD_GTIN = '06901234000030';
const MDA = 'urn:epcglobal:cbv:mda:';
const lgtin = (gtin: string, lot: string) => `https://id.gs1.org/01/${gtin}/10/${lot}`;

const commissioning = (epcClass: string, ilmd: Record<string, unknown> = {}, hours = 1) => ({
  type: 'ObjectEvent',
  eventTime: at(hours),
  eventTimeZoneOffset: '+08:00',
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass, quantity: 10, uom: 'H87' }],
  ilmd,
});

t.test('a lot captured from an LGTIN carries its lot number, decoded, as a native lot carries its own', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const product = await farm.product('piece', { gtin: GTIN });
  const { job } = await captured(
    world,
    farm.key,
    doc([
      // `/` is escaped in the URN's lot, and stays so in its Digital Link
      commissioning('urn:epc:class:lgtin:6901234.000001.L%2F1'),
      commissioning(lgtin(GTIN, 'DL-1')),
      {
        type: 'TransformationEvent',
        eventTime: at(2),
        eventTimeZoneOffset: '+08:00',
        inputQuantityList: [{ epcClass: lgtin(GTIN, 'DL-1'), quantity: 5, uom: 'H87' }],
        outputQuantityList: [{ epcClass: lgtin(OTHER_GTIN, 'CUT-1'), quantity: 4, uom: 'H87' }],
      },
    ]),
  );
  t.match(job, { success: true, captured: 3 }, JSON.stringify(job?.errors));

  const urnLot = await traced(farm.api, lgtin(GTIN, 'L%2F1'));
  t.match(urnLot, { lotNumber: 'L/1', productCode: product }, 'the URN class: its lot decoded');
  const dlLot = await traced(farm.api, lgtin(GTIN, 'DL-1'));
  t.match(dlLot, { lotNumber: 'DL-1' }, 'the Digital Link class');
  t.match(await traced(farm.api, lgtin(OTHER_GTIN, 'CUT-1')), { lotNumber: 'CUT-1' }, 'a transformation output');
  t.match(await farm.lot(dlLot.code), { lotNumber: 'DL-1' }, 'GET /lots/{code}');
  t.match(await traced(farm.api, `${farm.code}:DL-1`), { code: dlLot.code }, 'the party’s lot number names it');

  // the consumer page shows it
  const page = await world.app.inject({ method: 'GET', url: `/01/${GTIN}/10/DL-1`, headers: { accept: 'application/json' } });
  t.equal(page.statusCode, 200);
  t.match(page.json().lot, { code: dlLot.code, lotNumber: 'DL-1' });
  const html = await world.app.inject({ method: 'GET', url: `/01/${GTIN}/10/L%2F1`, headers: { accept: 'text/html' } });
  t.equal(html.statusCode, 200);
  t.match(html.body, /<dt>批次号<\/dt><dd><code>L\/1<\/code><\/dd>/);

  // a native event naming it renders it as its GTIN and lot number, as it does a native lot
  t.equal((await farm.event({ type: 'observe', lotCodes: [dlLot.code] })).status, 201);
  const events = (await farm.api.get('/epcis/events?eventType=ObjectEvent&EQ_action=OBSERVE')).body.epcisBody.queryResults.resultsBody
    .eventList;
  t.same(
    events.map((event: { quantityList: { epcClass: string }[] }) => event.quantityList[0].epcClass),
    [lgtin(GTIN, 'DL-1')],
  );
});

t.test('a captured LGTIN lot numbers its lot where its party’s lots do not carry the number already', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const product = await farm.product('piece', { gtin: GTIN });
  const native = await farm.commission(product, 5, { lotNumber: 'N-1' });

  // the registered product's LGTIN of that number is the native lot itself
  const same = await captured(world, farm.key, doc([commissioning(lgtin(GTIN, 'N-1'))]));
  t.match(same.job, { success: true, captured: 1 });
  t.match(await traced(farm.api, lgtin(GTIN, 'N-1')), { code: native });

  // another GTIN's lot of the number is another lot, made without a number, named by its LGTIN
  const { post } = epcisRequests(world);
  const other = await post(farm.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...commissioning(lgtin(OTHER_GTIN, 'N-1')) });
  t.equal(other.statusCode, 201, other.body);
  const unnumbered = await traced(farm.api, lgtin(OTHER_GTIN, 'N-1'));
  t.match(unnumbered, { lotNumber: null });
  t.not(unnumbered.code, native);
  t.match(await traced(farm.api, `${farm.code}:N-1`), { code: native }, 'the number still names the native lot');

  // two lots of one number in a document: both made, the first numbered
  const { job } = await captured(
    world,
    farm.key,
    doc([commissioning(lgtin(GTIN, 'TWO-1'), {}, 2), commissioning('urn:epc:class:lgtin:6901234.000002.TWO-1', {}, 3)]),
  );
  t.match(job, { success: true, captured: 2 }, JSON.stringify(job?.errors));
  t.match(await traced(farm.api, lgtin(GTIN, 'TWO-1')), { lotNumber: 'TWO-1' });
  t.match(await traced(farm.api, lgtin(OTHER_GTIN, 'TWO-1')), { lotNumber: null });

  // another party's numbers are its own
  const neighbour = await world.party('farm');
  const theirs = await captured(world, neighbour.key, doc([commissioning(lgtin(THIRD_GTIN, 'N-1'))]));
  t.match(theirs.job, { success: true, captured: 1 });
  t.match(await traced(neighbour.api, lgtin(THIRD_GTIN, 'N-1')), { lotNumber: 'N-1', partyCode: neighbour.code });
});

t.test('the ilmd sellByDate is the lot’s last day of sale, under any prefix, and no expiry', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const { job } = await captured(world, farm.key, {
    ...doc([
      commissioning(lgtin(GTIN, 'SELL-1'), { 'cbvmda:productionDate': '2026-03-01', 'cbvmda:sellByDate': '2026-03-20' }),
      commissioning(lgtin(GTIN, 'SELL-2'), { 'mda:sellByDate': '2026-04-01', 'mda:bestBeforeDate': '2026-05-01' }),
      commissioning(lgtin(GTIN, 'SELL-3'), { [`${MDA}sellByDate`]: '2026-04-02' }),
    ]),
    '@context': [...EPCIS_CONTEXT, { mda: MDA }],
  });
  t.match(job, { success: true, captured: 3 }, JSON.stringify(job?.errors));
  const first = await traced(farm.api, lgtin(GTIN, 'SELL-1'));
  t.match(first, { sellByDate: '2026-03-20', expiryDate: null }, 'not the expiry');
  t.match(await farm.lot(first.code), { sellByDate: '2026-03-20', expiryDate: null, productionDate: '2026-03-01' });
  t.match(await traced(farm.api, lgtin(GTIN, 'SELL-2')), { sellByDate: '2026-04-01', expiryDate: '2026-05-01' });
  t.match(await traced(farm.api, lgtin(GTIN, 'SELL-3')), { sellByDate: '2026-04-02' }, 'by its full IRI');

  // the consumer page: past its sell-by date, the lot is not expired
  const page = await world.app.inject({ method: 'GET', url: `/01/${GTIN}/10/SELL-1`, headers: { accept: 'application/json' } });
  t.match(page.json().lot, { sellByDate: '2026-03-20', expiryDate: null });
  t.notOk(page.json().warnings.includes('expired'));
  const zh = await world.app.inject({ method: 'GET', url: `/01/${GTIN}/10/SELL-1`, headers: { accept: 'text/html' } });
  t.match(zh.body, /<dt>销售截止日期<\/dt><dd>2026-03-20<\/dd>/);
  t.notMatch(zh.body, /保质期至/);
  const en = await world.app.inject({ method: 'GET', url: `/01/${GTIN}/10/SELL-1?lang=en`, headers: { accept: 'text/html' } });
  t.match(en.body, /<dt>Sell by<\/dt><dd>2026-03-20<\/dd>/);
});

t.test('an ilmd sellByDate is a date, and not before the lot’s production date', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const { post } = epcisRequests(world);
  const invalid = await post(farm.key, '/epcis/capture', {
    ...doc([
      commissioning(lgtin(GTIN, 'BAD-1'), { 'cbvmda:sellByDate': '2026-02-30' }),
      commissioning(lgtin(GTIN, 'BAD-2'), { 'mda:sellByDate': 20260301 }),
    ]),
    '@context': [...EPCIS_CONTEXT, { mda: MDA }],
  });
  t.equal(invalid.statusCode, 400);
  t.match(invalid.json().errors, [
    { pointer: '/epcisBody/eventList/0/ilmd/cbvmda:sellByDate', detail: /^cbvmda:sellByDate / },
    { pointer: '/epcisBody/eventList/1/ilmd/mda:sellByDate', detail: /^mda:sellByDate / },
  ]);
  t.equal(invalid.json().errors.length, 2);

  const early = await post(farm.key, '/epcis/events', {
    '@context': EPCIS_CONTEXT,
    ...commissioning(lgtin(GTIN, 'EARLY-1'), { 'cbvmda:productionDate': '2026-03-01', 'cbvmda:sellByDate': '2026-02-28' }),
  });
  t.equal(early.statusCode, 422);
  t.match(early.json(), { type: /invalid-dates/, errors: [{ pointer: '/ilmd/cbvmda:sellByDate' }] });
  t.equal(await traced(farm.api, lgtin(GTIN, 'EARLY-1')), null, 'nothing made');
});
