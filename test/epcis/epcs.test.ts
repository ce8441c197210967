// GET /epcis/epcs: the EPCs and classes a party's events name, each object once, paged.
import { completeGs1 } from '../../src/codes/gs1.js';
import { epcisDocument as doc, epcisRequests, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import type { Client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const listed = async (api: Client, query = '') => {
  const reply = await api.get(`/epcis/epcs${query}`);
  if (reply.status !== 200) throw new Error(`GET /epcis/epcs${query}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body['@set'] as string[];
};

t.test('/epcis/epcs lists what the party’s events name: native lots and containers, captured EPCs and classes', async (t) => {
  const world = await createWorld(t);
  const { capture } = epcisRequests(world);
  const farm = await world.party('processor');
  const distributor = await world.party('distributor');
  const maker = await world.party('processor');
  const idle = await world.party('retailer');

  const gtin = completeGs1('0690123400004');
  const product = await farm.product('kg', { gtin });
  const shipped = await farm.commission(product, 10, { lotNumber: 'LN-1' });
  await farm.commission(product, 5, { lotNumber: 'LN-2' });
  const sscc = completeGs1('06901234000000001');
  const pallet = (await world.ok(farm.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: shipped, quantity: 10 }] })))
    .createdLotCodes[0];
  await world.handOver(farm, distributor, pallet);
  const lgtin = (lotNumber: string) => `https://id.gs1.org/01/${gtin}/10/${lotNumber}`;
  const palletUri = `https://id.gs1.org/00/${sscc}`;

  // the maker's instance, captured as an EPC URN, reaches the distributor natively
  const serial = 'urn:epc:id:sgtin:0614141.812345.6789';
  const serialLink = 'https://id.gs1.org/01/80614141123458/21/6789';
  t.match(await capture(maker.key, [observation(1, { action: 'ADD', bizStep: 'commissioning', epcList: [serial] })]), { success: true });
  const [serialLot] = (await world.ok(maker.api.get('/lots'), 200)).items.map((lot: { code: string }) => lot.code);
  await world.handOver(maker, distributor, serialLot, 1);

  // the distributor names what it received in EPCIS: a class that exists natively, the pallet by
  // its SSCC as an EPC URN, and the maker's instance by its Digital Link
  const palletUrn = `urn:epc:id:sscc:${sscc.slice(1, 8)}.${sscc[0]}${sscc.slice(8, 17)}`;
  t.match(
    await capture(distributor.key, [
      observation(20, { bizStep: 'inspecting', quantityList: [{ epcClass: lgtin('LN-1'), quantity: 1, uom: 'KGM' }] }),
      {
        type: 'AggregationEvent',
        eventTime: '2026-03-20T09:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        action: 'OBSERVE',
        bizStep: 'inspecting',
        parentID: palletUrn,
        childQuantityList: [{ epcClass: lgtin('LN-1') }],
      },
      observation(21, { bizStep: 'inspecting', epcList: [serialLink] }),
    ]),
    { success: true, captured: 3 },
  );

  t.same(await listed(farm.api), [palletUri, lgtin('LN-1'), lgtin('LN-2')], 'the farm: its native lots and its pallet');
  t.same(
    await listed(distributor.api),
    [palletUri, lgtin('LN-1'), serialLink],
    'the distributor: what it received and named, each object once (the instance by its EPC, not by its code here)',
  );
  t.same(await listed(maker.api), [serialLink], 'the maker: its instance, not what others named');
  t.same(await listed(idle.api), [], 'a party without events: nothing');
  t.same(await listed(world.regulator), [palletUri, lgtin('LN-1'), lgtin('LN-2'), serialLink], 'a regulator: every party’s');
  for (const uri of await listed(distributor.api)) {
    const events = (await distributor.api.get(`/epcis/epcs/${encodeURIComponent(uri)}/events`)).body;
    t.ok(events.epcisBody.queryResults.resultsBody.eventList.length > 0, `${uri} finds the distributor's events`);
  }
});

t.test('/epcis/epcs pages as /epcis/events does: perPage, nextPageToken and a Link header', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('processor');
  const gtin = completeGs1('0690123400011');
  const product = await farm.product('kg', { gtin });
  for (const lotNumber of ['A', 'B', 'C', 'D', 'E']) await farm.commission(product, 1, { lotNumber });
  const all = await listed(farm.api);
  t.same(
    all,
    ['A', 'B', 'C', 'D', 'E'].map((lotNumber) => `https://id.gs1.org/01/${gtin}/10/${lotNumber}`),
  );

  const seen: string[] = [];
  let url: string | null = '/epcis/epcs?perPage=2';
  let pages = 0;
  while (url) {
    const reply = await farm.api.get(url);
    expectStatus(t, reply, 200, `page ${++pages}`);
    t.ok(reply.body['@set'].length <= 2);
    seen.push(...reply.body['@set']);
    const link = reply.headers.link as string | undefined;
    url = link ? (/^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? null) : null;
    if (link) t.match(link, /nextPageToken=/);
  }
  t.equal(pages, 3, 'five objects in pages of two');
  t.same(seen, all, 'every object once, in order');
  t.notOk((await farm.api.get('/epcis/epcs')).headers.link, 'one page holds them all: no next page');

  for (const [query, pointer] of [
    ['perPage=0', '/perPage'],
    ['perPage=abc', '/perPage'],
    ['nextPageToken=not-a-token', '/nextPageToken'],
    ['MATCH_epc=x', '/MATCH_epc'],
  ]) {
    const refused = await farm.api.get(`/epcis/epcs?${query}`);
    expectStatus(t, refused, 400, query);
    t.match(refused.body, { errors: [{ in: 'querystring', pointer }] }, `${query}: names ${pointer}`);
  }
  const eventsToken = (await farm.api.get('/epcis/events?perPage=1')).headers.link as string;
  const token = new URL(/<([^>]+)>/.exec(eventsToken)?.[1] ?? '', 'http://local').searchParams.get('nextPageToken');
  expectStatus(t, await farm.api.get(`/epcis/epcs?nextPageToken=${token}`), 400, 'a token of /epcis/events does not continue /epcis/epcs');
});
