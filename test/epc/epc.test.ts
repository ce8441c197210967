import { seedDemoChain } from '../../seeds/fengjie.js';
import { createEpcService } from '../../src/epc/service.js';
import { encodeTag } from '../../src/gs1/epc-binary.js';
import { createIdentifierService } from '../../src/identifiers/service.js';
import { createItemsRepository } from '../../src/items/repository.js';
import { createLotsRepository } from '../../src/lots/repository.js';
import { createProductsRepository } from '../../src/products/repository.js';
import { createRfidRepository } from '../../src/rfid/repository.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { buildTestApp, client, openTestDatabase, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];
// One physical tag (TDS worked vector) written three ways, and a crate (GRAI) and a factory EPC.
const PURE = 'urn:epc:id:sgtin:0614141.812345.6789';
const TAG_URI = 'urn:epc:tag:sgtin-96:3.0614141.812345.6789';
const RAW_URI = 'urn:epc:raw:96.x3074257BF7194E4000001A85';
const HEX = '3074257BF7194E4000001A85';
const CRATE_TAG_URI = 'urn:epc:tag:grai-96:1.0614141.12345.400';
const FACTORY_EPC = 'E2806894000040017790E471';

const observe = (epcList: string[], hour: number) => ({
  '@context': CONTEXT,
  type: 'ObjectEvent',
  eventTime: `2026-03-01T${String(hour).padStart(2, '0')}:00:00+08:00`,
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  epcList,
});

t.test('GET /epc decodes any form of a tag, publicly, and says 400 for a malformed one', async (t) => {
  const world = await createWorld(t);
  const anonymous = client(world.app);

  const fromHex = await anonymous.get(`/epc/${HEX}`);
  expectStatus(t, fromHex, 200, 'hex, without a key');
  t.same(fromHex.body, {
    value: HEX,
    kind: 'gs1',
    scheme: 'sgtin-96',
    hex: HEX,
    filter: 3,
    tagUri: TAG_URI,
    rawUri: RAW_URI,
    pureIdentity: PURE,
    digitalLink: 'https://id.gs1.org/01/80614141123458/21/6789',
    gtin: '80614141123458',
    serial: '6789',
    knownAs: null,
  });
  for (const form of [TAG_URI, RAW_URI, `0x${HEX.toLowerCase()}`]) {
    const reply = await anonymous.get(`/epc/${encodeURIComponent(form)}`);
    t.same({ ...reply.body, value: HEX }, fromHex.body, form);
  }
  const pure = await anonymous.get(`/epc/${PURE}?filter=3`);
  t.equal(pure.body.hex, HEX, 'a pure identity with the filter asked for');

  const factory = await anonymous.get(`/epc/${FACTORY_EPC.toLowerCase()}`);
  t.same(factory.body, {
    value: FACTORY_EPC.toLowerCase(),
    kind: 'raw',
    hex: FACTORY_EPC,
    rawUri: `urn:epc:raw:96.x${FACTORY_EPC}`,
    knownAs: null,
  });

  const link = encodeURIComponent('https://id.gs1.org/01/80614141123458/21/6789');
  const unknownPrefix = await anonymous.get(`/epc/${link}`);
  expectStatus(t, unknownPrefix, 400, 'a Digital Link whose company prefix length is unknown');
  t.match(unknownPrefix.body.detail, /company prefix/);
  t.equal((await anonymous.get(`/epc/${link}?companyPrefixLength=7`)).body.pureIdentity, PURE, 'the length given');
  expectStatus(
    t,
    await world.admin.post('/parties', { kind: 'processor', name: 'GS1 member', regionCode: '500236', gs1CompanyPrefix: '0614141' }),
    201,
    'a party registers the prefix',
  );
  t.equal((await anonymous.get(`/epc/${link}`)).body.pureIdentity, PURE, 'the registered prefix tells the length');

  const malformed = await anonymous.get(`/epc/${HEX.slice(1)}`);
  expectStatus(t, malformed, 400, 'malformed hex');
  t.equal(malformed.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(malformed.body.errors, [{ in: 'params', pointer: '/value', detail: /24, 44 or 50 digits/ }]);
  expectStatus(t, await anonymous.get('/epc/urn:epc:tag:sgtin-96:9.0614141.812345.6789'), 400, 'filter 9');
  expectStatus(t, await anonymous.get('/epc/1?filter=8'), 400, 'filter out of range');
  expectStatus(t, await client(world.app, 'not-a-key').get(`/epc/${HEX}`), 401, 'a key given is checked');
});

t.test('EPCIS capture stores every form of one tag as its pure identity: one tag, one lot', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const other = await world.party('processor');
  const capture = (event: object) => plant.api.post('/epcis/events', event);

  const ids: string[] = [];
  for (const [hour, epc] of [PURE, TAG_URI, RAW_URI].entries()) {
    const reply = expectStatus(t, await capture(observe([epc], 8 + hour)), 201, `captured as ${epc}`);
    ids.push(reply.body.eventID);
  }
  const lotCodes = new Set<string>();
  for (const form of [PURE, TAG_URI, RAW_URI, HEX]) {
    const checked = await plant.api.get(`/epc/${encodeURIComponent(form)}`);
    t.equal(checked.body.pureIdentity, PURE, `${form}: the same pure identity`);
    lotCodes.add(checked.body.knownAs?.code);
  }
  t.equal(lotCodes.size, 1, 'every form names one lot');
  const [lotCode] = lotCodes;
  t.equal((await plant.lot(lotCode)).partyCode, plant.code, 'a lot of the capturing party');
  t.same(
    (await client(world.app).get(`/epc/${HEX}`)).body.knownAs,
    { kind: 'lot', code: lotCode },
    'as the public resolver shows a GTIN + serial',
  );

  const stored = await plant.api.get(`/epcis/events/${encodeURIComponent(ids[1])}`);
  t.same(stored.body.epcList, [PURE], 'stored as the pure identity');
  t.same(stored.body['cntrace:tagEncodings'], [{ epc: PURE, written: TAG_URI, filter: 3 }], 'what was written and the filter, alongside');
  t.same((await plant.api.get(`/epcis/events/${encodeURIComponent(ids[0])}`)).body['cntrace:tagEncodings'], undefined);
  const found = await plant.api.get(`/epcis/events?MATCH_epc=${encodeURIComponent(PURE)}`);
  t.equal(found.body.epcisBody.queryResults.resultsBody.eventList.length, 3, 'all three events name the one tag');

  // the same event written with another form of the tag is the same event (one CBV hash)
  const again = await capture(observe([RAW_URI], 8));
  expectStatus(t, again, 200, 'a duplicate');
  t.equal(again.body.eventID, ids[0]);
  // an explicit eventID re-sent with the tag written another way is still the same event
  const withId = { ...observe([TAG_URI], 20), eventID: 'urn:uuid:5f0a3a2c-7f7a-4d35-9d8b-000000000001' };
  expectStatus(t, await capture(withId), 201, 'an event with its own eventID');
  expectStatus(t, await capture({ ...withId, epcList: [PURE] }), 200, 'the same eventID and tag, written as a pure identity: a duplicate');

  // a crate's GRAI is not public: only parties that may read its lot learn what it is
  const factoryRaw = `urn:epc:raw:96.x${FACTORY_EPC.toLowerCase()}`;
  expectStatus(t, await capture(observe([CRATE_TAG_URI, factoryRaw], 11)), 201, 'a crate and a factory tag');
  const crate = encodeURIComponent(CRATE_TAG_URI);
  const crateLot = (await plant.api.get(`/epc/${crate}`)).body.knownAs;
  t.equal(crateLot.kind, 'lot', 'the owner sees the crate lot');
  t.not(crateLot.code, lotCode);
  t.same((await world.regulator.get(`/epc/${crate}`)).body.knownAs, crateLot, 'a regulator too');
  t.equal((await other.api.get(`/epc/${crate}`)).body.knownAs, null, 'another operator does not');
  t.equal((await client(world.app).get(`/epc/${crate}`)).body.knownAs, null, 'nor does an anonymous caller');
  t.equal(
    (await plant.api.get('/epc/urn:epc:id:grai:0614141.12345.400')).body.knownAs.code,
    crateLot.code,
    'the pure identity names the same crate',
  );

  const factory = await plant.api.get(`/epc/${FACTORY_EPC}`);
  t.match(factory.body, { kind: 'raw', knownAs: { kind: 'lot' } }, 'a factory EPC stays raw and names its own lot');
  t.not(factory.body.knownAs.code, crateLot.code);
  const factoryEvent = (await plant.api.get(`/epcis/events?MATCH_epc=${encodeURIComponent(`urn:epc:raw:96.x${FACTORY_EPC}`)}`)).body;
  const [both] = factoryEvent.epcisBody.queryResults.resultsBody.eventList;
  t.same(both.epcList, ['urn:epc:id:grai:0614141.12345.400', `urn:epc:raw:96.x${FACTORY_EPC}`], 'a raw URI in upper-case hex');
  t.same(both['cntrace:tagEncodings'], [
    { epc: 'urn:epc:id:grai:0614141.12345.400', written: CRATE_TAG_URI, filter: 1 },
    { epc: `urn:epc:raw:96.x${FACTORY_EPC}`, written: factoryRaw },
  ]);

  // every form of a tag is an identifier the trace and EPCIS queries understand
  for (const form of [TAG_URI, RAW_URI, HEX, `0x${HEX}`]) {
    const traced = await plant.api.get(`/trace/${encodeURIComponent(form)}`);
    t.same(traced.body.query?.lotCodes, [lotCode], `trace from ${form}`);
  }
  const traced = await plant.api.get(`/trace/${FACTORY_EPC}`);
  t.same(traced.body.query?.lotCodes, [factory.body.knownAs.code], 'trace from a factory EPC');
  const byTagUri = await plant.api.get(`/epcis/events?MATCH_epc=${encodeURIComponent(TAG_URI)}`);
  t.equal(
    byTagUri.body.epcisBody.queryResults.resultsBody.eventList.length,
    4,
    'EPCIS query by a tag URI: the three captures and the one with its own eventID',
  );
  expectStatus(
    t,
    await plant.api.get(`/trace/${encodeURIComponent('urn:epc:tag:sgtin-96:3.0614141.81234.6789')}`),
    400,
    'a malformed tag URI',
  );
});

t.test('EPCIS capture rejects malformed tag values, naming the field', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const bare = await plant.api.post('/epcis/events', observe([PURE, '3034257BF400B7800004CB2F'], 8));
  expectStatus(t, bare, 400, 'a bare hex EPC');
  t.match(bare.body.errors, [{ pointer: '/epcList/1', detail: /bare EPC in hex.*urn:epc:id:sgtin:0614141\.000734\.314159/ }]);
  const factory = await plant.api.post('/epcis/events', observe([FACTORY_EPC], 8));
  t.match(factory.body.errors, [{ detail: new RegExp(`write urn:epc:raw:96.x${FACTORY_EPC}`) }], 'a bare factory EPC is told its raw URI');

  const wrongDigits = await plant.api.post('/epcis/events', {
    ...observe([], 8),
    epcList: undefined,
    type: 'AggregationEvent',
    action: 'ADD',
    parentID: 'urn:epc:tag:sscc-96:3.0614141.123456789',
    childEPCs: [TAG_URI],
  });
  expectStatus(t, wrongDigits, 400, 'an SSCC tag URI with a digit missing');
  t.match(wrongDigits.body.errors, [{ pointer: '/parentID', detail: /not a valid SSCC EPC URN/ }]);
  const badRaw = await plant.api.post('/epcis/events', observe(['urn:epc:raw:96.x3074257BF7194E4000001A'], 8));
  t.match(badRaw.body.errors, [{ pointer: '/epcList/0', detail: /96 bits/ }], 'a raw URI with too few digits');
  const tooBig = await plant.api.post('/epcis/events', observe(['urn:epc:tag:sgtin-96:3.0614141.812345.274877906944'], 8));
  t.match(tooBig.body.errors, [{ pointer: '/epcList/0', detail: /serial must be a number/ }]);
  expectStatus(
    t,
    await plant.api.post('/epcis/events', observe(['urn:epc:tag:gid-96:3.1.2'], 8)),
    201,
    'a GID tag URI is taken (stored as its pure identity)',
  );
});

t.test('the tag service on its narrowed dependencies: an issued item behind an SGTIN', async (t) => {
  const { app } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const summary = (await app.inject({ method: 'GET', url: `/t/${demo.itemCode}`, headers: { accept: 'application/json' } })).json();
  const gtin: string = summary.product.gtin;
  const link = `https://id.gs1.org/01/${gtin}/21/${demo.itemCode}`;
  const anonymous = client(app);
  const checked = await anonymous.get(`/epc/${encodeURIComponent(link)}?companyPrefixLength=7&filter=1`);
  expectStatus(t, checked, 200, 'a Digital Link of an issued item');
  t.equal(checked.body.scheme, /^\d+$/.test(demo.itemCode) ? 'sgtin-96' : 'sgtin-198');
  t.same(
    checked.body.knownAs,
    { kind: 'item', code: demo.itemCode, lotCode: demo.retailLotCode },
    'the item, as the public resolver shows it',
  );
  const fromTag = await anonymous.get(`/epc/${encodeURIComponent(checked.body.tagUri)}`);
  t.same(fromTag.body.knownAs, checked.body.knownAs, 'and from its tag URI');
  t.equal(fromTag.body.digitalLink, link);
});

t.test('service: what a tag names, on the real database with its narrowed dependencies', async (t) => {
  const database = await openTestDatabase(t);
  const lots = createLotsRepository(database.db);
  const identifiers = createIdentifierService({
    lots,
    products: createProductsRepository(database.db),
    items: createItemsRepository(database),
    publicBaseUrl: TEST_BASE_URL,
  });
  const service = createEpcService({
    identifiers,
    lots,
    tags: createRfidRepository(database.db),
    prefixes: async () => ['0614141', '06141'],
  });
  const checked = await service.check(null, 'https://id.gs1.org/00/106141412345678908', {});
  t.equal(checked.tagUri, 'urn:epc:tag:sscc-96:0.0614141.1234567890', 'the longest registered prefix that starts the key');
  t.equal(checked.knownAs, null, 'nothing known');
  t.equal(
    (await service.check(null, 'https://id.gs1.org/00/106141412345678908', { companyPrefixLength: 9 })).tagUri,
    'urn:epc:tag:sscc-96:0.061414123.14567890',
  );
  t.match(await service.check(null, 'urn:epc:id:gid:1.2.3', {}), {
    kind: 'gid',
    scheme: 'gid-96',
    hex: '350000001000002000000003',
    tagUri: 'urn:epc:tag:gid-96:1.2.3',
    knownAs: null,
  });
  await t.rejects(service.check(null, 'urn:epc:id:gid:01.2.3', {}), { status: 400, errors: [{ pointer: '/value' }] });
  await t.rejects(service.check(null, 'urn:epc:id:usdod:CAGE1.5678', {}), { status: 400, errors: [{ pointer: '/value' }] });
});

t.test('EPCIS capture: a place read off a location tag is its SGLN; a Digital Link with a wrong check digit is refused', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const capture = (event: object) => plant.api.post('/epcis/events', event);
  const SGLN = 'urn:epc:id:sgln:0614141.12345.400';
  const door = encodeTag(SGLN, { scheme: 'sgln-96', filter: 0 }) as Extract<ReturnType<typeof encodeTag>, { kind: 'gs1' }>;
  const event = {
    ...observe([PURE], 9),
    readPoint: { id: door.tagUri },
    bizLocation: { id: `urn:epc:raw:96.x${door.hex.toLowerCase()}` },
  };
  const captured = expectStatus(t, await capture(event), 201, 'a tag URI and a raw URI as places');
  const stored = (await plant.api.get(`/epcis/events/${encodeURIComponent(captured.body.eventID)}`)).body;
  t.same([stored.readPoint, stored.bizLocation], [{ id: SGLN }, { id: SGLN }], 'both stored as the pure-identity SGLN');
  t.same(
    stored['cntrace:tagEncodings'],
    [
      { epc: SGLN, written: door.tagUri, filter: 0 },
      { epc: SGLN, written: `urn:epc:raw:96.x${door.hex.toLowerCase()}`, filter: 0 },
    ],
    'with what was written',
  );
  const found = await plant.api.get(`/epcis/events?EQ_readPoint=${encodeURIComponent(SGLN)}&EQ_bizLocation=${encodeURIComponent(SGLN)}`);
  t.equal(found.body.epcisBody.queryResults.resultsBody.eventList.length, 1, 'found by the SGLN');
  expectStatus(t, await capture({ ...event, readPoint: { id: SGLN } }), 200, 'written as the SGLN itself: the same event');
  const malformed = await capture({ ...observe([PURE], 10), readPoint: { id: 'urn:epc:tag:sgln-96:9.0614141.12345.400' } });
  t.match(expectStatus(t, malformed, 400, 'a malformed location tag').body.errors, [{ pointer: '/readPoint/id' }]);

  const link = (gtin: string) => `https://id.gs1.org/01/${gtin}/21/6789`;
  const wrong = await capture(observe([link('80614141123459')], 11));
  t.match(expectStatus(t, wrong, 400, 'a GTIN whose check digit is wrong').body.errors, [
    { pointer: '/epcList/0', detail: /wrong check digit \(it would be 8\)/ },
  ]);
  expectStatus(t, await capture(observe([link('80614141123458')], 11)), 201, 'the right check digit');
  const asset = await capture(observe(['https://id.gs1.org/8003/04012345666664S1'], 13));
  t.match(expectStatus(t, asset, 400, 'a GRAI whose check digit is wrong').body.errors, [
    { pointer: '/epcList/0', detail: /GRAI 04012345666664S1 has a wrong check digit \(digit 14 would be 3\)/ },
  ]);
  const pieces = await capture({
    ...observe([], 13),
    quantityList: [{ epcClass: 'https://id.gs1.org/8006/040123451234570102', quantity: 1 }],
  });
  t.match(expectStatus(t, pieces, 400, 'an ITIP whose check digit is wrong').body.errors, [
    { pointer: '/quantityList/0/epcClass', detail: /ITIP 040123451234570102 has a wrong check digit \(digit 14 would be 6\)/ },
  ]);
  expectStatus(t, await capture(observe(['https://id.gs1.org/8003/04012345666663S1'], 13)), 201, 'the right GRAI check digit');
  expectStatus(t, await capture(observe(['https://example.com/gtin/80614141123458/ser/7'], 12)), 201, 'another host and short names');
});

t.test('a tag bound to a lot, item or case is known as what it is bound to, to those who may read it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const other = await world.party('retailer');
  const product = await plant.product('piece');
  const lot = await plant.commission(product, 10);
  const [pack] = await issuePacks(world, plant, lot, 1);
  const shipped = await plant.commission(product, 5);
  await world.ok(plant.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: shipped }] }));

  const bound = await plant.api.post('/rfid/tags', {
    tags: [
      { epc: FACTORY_EPC, code: lot },
      { epc: 'E28068940000000000000002', code: pack },
      // a GS1 tag whose key names nothing here, bound by its packer
      { epc: HEX, code: shipped },
    ],
  });
  expectStatus(t, bound, 201, 'bound');
  for (const form of [FACTORY_EPC, FACTORY_EPC.toLowerCase(), `urn:epc:raw:96.x${FACTORY_EPC}`]) {
    const checked = await plant.api.get(`/epc/${encodeURIComponent(form)}`);
    t.match(checked.body, { kind: 'raw', knownAs: { kind: 'lot', code: lot } }, `${form}: a factory EPC names the lot it is bound to`);
  }
  t.same(
    (await plant.api.get('/epc/E28068940000000000000002')).body.knownAs,
    { kind: 'item', code: pack, lotCode: lot },
    'a tag bound to a pack names the pack',
  );
  t.same((await world.regulator.get(`/epc/${FACTORY_EPC}`)).body.knownAs, { kind: 'lot', code: lot }, 'a regulator too');
  t.equal((await other.api.get(`/epc/${FACTORY_EPC}`)).body.knownAs, null, 'a party that may not read the lot learns nothing');
  t.equal((await client(world.app).get(`/epc/${FACTORY_EPC}`)).body.knownAs, null, 'nor does an anonymous caller');
  t.same(
    (await store.api.get(`/epc/${encodeURIComponent(TAG_URI)}`)).body.knownAs,
    { kind: 'lot', code: shipped },
    'the addressee of the lot a GS1 tag is bound to sees it, in any form of the tag',
  );
});
