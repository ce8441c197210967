// A lot number, serial or Digital Link typed with full-width letters and digits, as a Chinese input
// method writes them ('ＬＯＴ１'), names what its ASCII form names (Unicode NFKC), at every door:
// the native API's lot numbers, trace identifiers and EPCIS documents.
import { sql } from 'drizzle-orm';
import { EPCIS_CONTEXT, epcisRequests, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();
const GTIN = '06901234567892';
const link = (path: string) => `https://id.gs1.org/01/${GTIN}/${path}`;

t.test('a full-width lot number or serial names the lot its ASCII form names', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('kg', { gtin: GTIN });
  const traced = async (identifier: string) => {
    const reply = await processor.api.get(`/trace/${encodeURIComponent(identifier)}`);
    return expectStatus(t, reply, 200, `trace ${identifier}`).body.query.lotCodes;
  };

  t.test('the native API stores a lot number in its ASCII form, and refuses it typed again either way', async (t) => {
    const lotCode = await processor.commission(product, 10, { lotNumber: 'ＬＯＴ１' });
    t.equal((await processor.lot(lotCode)).lotNumber, 'LOT1');
    const again = await processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 1, lotNumber: ' LOT1 ' }] });
    expectStatus(t, again, 409, 'the same lot number, in ASCII');
    t.match(again.body.errors, [{ in: 'body', pointer: '/lots/0/lotNumber' }]);
    t.same(await traced(`${processor.code}:ＬＯＴ１`), [lotCode], 'PARTYCODE:LOTNUMBER typed full-width');
    t.same(await traced(link('10/ＬＯＴ１')), [lotCode], 'a Digital Link typed full-width');
    t.same(await traced(link('10/LOT1')), [lotCode], 'the same Digital Link in ASCII');
  });

  t.test('an EPCIS document naming the lot full-width names the native lot, not a new one', async (t) => {
    const { capture } = epcisRequests(world);
    const lotCode = await processor.commission(product, 10, { lotNumber: 'LOT2' });
    const job = await capture(processor.key, [
      observation(5, { quantityList: [{ epcClass: link('10/ＬＯＴ２'), quantity: 1, uom: 'KGM' }] }),
    ]);
    t.match(job, { success: true, captured: 1 }, JSON.stringify(job));
    t.same(await traced(link('10/LOT2')), [lotCode], 'one lot');
    const events = (await world.regulator.get(`/trace/${lotCode}`)).body.events;
    t.equal(events.length, 2, 'its commissioning and the captured observation');
  });

  t.test('a serial captured full-width and named in ASCII is one pack', async (t) => {
    const { capture } = epcisRequests(world);
    const job = await capture(processor.key, [
      { ...observation(6, { epcList: [link('21/ＳＥＲ１')] }), action: 'ADD', bizStep: 'commissioning' },
    ]);
    t.match(job, { success: true, captured: 1 }, JSON.stringify(job));
    const [lotCode] = await traced(link('21/SER1'));
    t.ok(lotCode, 'the ASCII form finds what the full-width one made');
    t.same(await traced(link('21/ＳＥＲ１')), [lotCode], 'and so does the full-width form');
  });
});

t.test('an event captured full-width before identifiers were read as ASCII is a duplicate when sent again, not a conflict', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  await processor.product('kg', { gtin: GTIN });
  const { post } = epcisRequests(world);
  const eventID = 'urn:uuid:0b6f3c1e-7d2a-4e55-9a31-5c2f1d8e7a10';
  const event = { '@context': EPCIS_CONTEXT, ...observation(7, { eventID, epcList: [link('21/ＳＥＲ９')] }) };
  t.equal((await post(processor.key, '/epcis/events', event)).statusCode, 201, 'captured');
  // as a version before NFKC stored it: the EPC as it was sent
  await world.database.db.execute(
    sql`update events set payload = jsonb_set(payload::jsonb, '{epcis,epcList}', ${JSON.stringify([link('21/ＳＥＲ９')])}::jsonb)
      where party_code = ${processor.code} and payload::text like '%/21/SER9%'`,
  );
  const again = await post(processor.key, '/epcis/events', event);
  t.equal(again.statusCode, 200, `the same event sent again is a duplicate: ${again.body}`);
  t.equal(again.json().duplicate, true);
});

/** Full-width ASCII as a Chinese input method writes it: `LOT1` → `ＬＯＴ１`. */
const fullWidth = (ascii: string) =>
  ascii.replace(/[\x21-\x7e]/g, (character) => String.fromCharCode(character.charCodeAt(0) + 0xfee0)).replaceAll(' ', '\u3000');

t.test('EPCIS query parameters typed full-width find what their ASCII forms find', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  await processor.product('kg', { gtin: GTIN });
  const { post } = epcisRequests(world);
  const site = 'urn:epc:id:sgln:6901234.00001.0';
  const eventID = 'urn:uuid:5d0c6a2e-1f3b-4c7d-8e9a-0b1c2d3e4f50';
  const event = {
    '@context': EPCIS_CONTEXT,
    ...observation(8, {
      eventID,
      epcList: [link('21/SER7')],
      quantityList: [{ epcClass: link('10/LOT7'), quantity: 2, uom: 'KGM' }],
      readPoint: { id: site },
      bizLocation: { id: site },
    }),
  };
  t.equal((await post(processor.key, '/epcis/events', event)).statusCode, 201, 'captured in ASCII');
  const eventIDs = async (url: string) => {
    const reply = await processor.api.get(url);
    expectStatus(t, reply, 200, url);
    return reply.body.epcisBody.queryResults.resultsBody.eventList.map((found: { eventID: string }) => found.eventID);
  };
  const parameters: [string, string][] = [
    ['MATCH_epc', link('21/SER7')],
    ['MATCH_anyEPC', link('21/SER7')],
    ['MATCH_epcClass', link('10/LOT7')],
    ['MATCH_epc', `urn:epc:idpat:sgtin:6901234.056789.*`],
    ['EQ_readPoint', site],
    ['EQ_bizLocation', site],
    ['EQ_eventID', eventID],
  ];
  for (const [name, value] of parameters) {
    t.same(await eventIDs(`/epcis/events?${name}=${encodeURIComponent(value)}`), [eventID], `${name} in ASCII`);
    t.same(await eventIDs(`/epcis/events?${name}=${encodeURIComponent(fullWidth(value))}`), [eventID], `${name} full-width`);
  }
  t.same(await eventIDs(`/epcis/epcs/${encodeURIComponent(fullWidth(link('21/SER7')))}/events`), [eventID], 'an EPC in the path');
  t.same(await eventIDs(`/epcis/bizLocations/${encodeURIComponent(fullWidth(site))}/events`), [eventID], 'a location in the path');

  const named = await processor.api.post('/epcis/queries', { name: 'full-width', query: { MATCH_epc: fullWidth(link('21/SER7')) } });
  expectStatus(t, named, 201, 'a named query with a full-width EPC');
  t.same(await eventIDs('/epcis/queries/full-width/events'), [eventID], 'the named query finds the event');

  const one = await world.app.inject({
    method: 'GET',
    url: `/epcis/events/${encodeURIComponent(fullWidth(eventID))}`,
    headers: { authorization: `Bearer ${processor.key}` },
  });
  t.equal(one.statusCode, 200, 'the event by its eventID typed full-width');
});

t.test('a scan path typed full-width resolves as its ASCII form does, its links naming the ASCII form', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('kg', { gtin: GTIN });
  const lotCode = await processor.commission(product, 10, { lotNumber: 'LOT8' });
  const job = await world.ok(processor.api.post(`/lots/${lotCode}/items`, { count: 1 }), 202);
  await world.app.services.items.idle();
  const [itemCode] = ((await processor.api.get(`/code-jobs/${job.id}/codes.csv`)).body as string)
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0]);
  const scan = (path: string, accept = 'application/json') => world.app.inject({ method: 'GET', url: path, headers: { accept } });
  // the route's key as printed, every segment after it typed full-width (a Digital Link's AIs too)
  const typedFullWidth = (path: string) => {
    const [, key, ...rest] = path.split('/');
    return `/${key}/${rest.map((segment) => encodeURIComponent(fullWidth(segment))).join('/')}`;
  };
  const scans: [string, string][] = [
    ['a trace code', `/t/${itemCode}`],
    ['a Digital Link to the lot', `/01/${GTIN}/10/LOT8`],
    ['a Digital Link to the pack', `/01/${GTIN}/10/LOT8/21/${itemCode}`],
  ];
  for (const [what, path] of scans) {
    const ascii = await scan(path);
    t.equal(ascii.statusCode, 200, `${what} in ASCII: ${ascii.body}`);
    const typed = await scan(typedFullWidth(path));
    t.equal(typed.statusCode, 200, `${what} full-width: ${typed.body}`);
    t.equal(typed.json().code, ascii.json().code, `${what}: the same lot or pack`);
    const linkset = await scan(typedFullWidth(path), 'application/linkset+json');
    t.equal(JSON.parse(linkset.body).linkset[0].anchor.replace(/^https?:\/\/[^/]+/, ''), path, `${what}: the linkset names the ASCII path`);
  }
});

t.test('an EPCIS event captured with full-width places and event ids is stored, shown and found in their ASCII forms', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const buyer = await world.party('retailer');
  await processor.product('kg', { gtin: GTIN });
  const { post, capture } = epcisRequests(world);
  const site = 'urn:epc:id:sgln:6901234.00002.0';
  const dock = 'urn:epc:id:sgln:6901234.00003.0';
  const eventID = 'urn:uuid:7e1f0a3b-2c4d-4e5f-8a9b-0c1d2e3f4a5b';
  const sent = {
    '@context': EPCIS_CONTEXT,
    ...observation(9, {
      eventID: fullWidth(eventID),
      epcList: [link('21/SER8')],
      readPoint: { id: fullWidth(site) },
      bizLocation: { id: fullWidth(dock) },
    }),
  };
  const reply = await post(processor.key, '/epcis/events', sent);
  t.equal(reply.statusCode, 201, `captured: ${reply.body}`);
  const found = async (url: string) => {
    const answer = await processor.api.get(url);
    expectStatus(t, answer, 200, url);
    return answer.body.epcisBody.queryResults.resultsBody.eventList;
  };
  for (const [name, value] of [
    ['EQ_readPoint', site],
    ['EQ_bizLocation', dock],
    ['EQ_eventID', eventID],
  ]) {
    const events = await found(`/epcis/events?${name}=${encodeURIComponent(value)}`);
    t.equal(events.length, 1, `${name} in ASCII finds it`);
    t.match(events[0], { eventID, readPoint: { id: site }, bizLocation: { id: dock } }, 'shown in ASCII');
  }
  const again = await post(processor.key, '/epcis/events', { ...sent, eventID });
  t.equal(again.statusCode, 200, `sent again in ASCII, a duplicate: ${again.body}`);

  const shipped = await capture(processor.key, [
    {
      ...observation(10, {
        epcList: [link('21/SER8')],
        readPoint: { id: fullWidth(site) },
        sourceList: [{ type: 'https://ref.gs1.org/cbv/SDT-owning_party', source: fullWidth(`https://id.example/party/${processor.code}`) }],
        destinationList: [
          { type: 'https://ref.gs1.org/cbv/SDT-owning_party', destination: fullWidth(`https://id.example/party/${buyer.code}`) },
        ],
      }),
    },
  ]);
  t.match(shipped, { success: true, captured: 1 }, JSON.stringify(shipped));
  const [listed] = await found(`/epcis/events?EQ_readPoint=${encodeURIComponent(site)}&GE_eventTime=2026-03-10T00:00:00Z`);
  t.match(listed, { readPoint: { id: site } }, 'a document’s event too');
  t.same(
    [listed.sourceList?.[0]?.source, listed.destinationList?.[0]?.destination],
    [`https://id.example/party/${processor.code}`, `https://id.example/party/${buyer.code}`],
    'its source and destination in ASCII',
  );
});
