// A party, location, product, lot, container or pack code in a body or a query whose check character
// fails was mistyped, as one in a path is: a 400 pointing at its field, not the 404, 403 or 422 of a
// code that names nothing. A well-formed code that names nothing still gets that answer, and what a
// field takes besides our codes (an SSCC, a party's own lot number, a value shaped as no code) passes.
import { completeGs1 } from '../../src/codes/gs1.js';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client, type Reply } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const mistyped = (code: string) => `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`;
const wellFormed = (body: string) => body + mod31CheckChar(body);
const DETAIL = 'check character wrong — probably a typo';

t.test('a mistyped code in a body or a query is a 400 at its field; an unknown one keeps its answer', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const buyer = await world.party('retailer');
  const lab = await world.party('lab');
  const bureau = await world.party('regulator');
  const product = await farm.product();
  const location = await farm.location();
  const lot = await farm.commission(product, 10);
  const recalled = await farm.commission(product, 10);
  const pack = wellFormed('2222222222');
  const reader = await registerReader(world, farm);
  const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const recall = await world.ok(
    farm.api.post('/recalls', { lotCodes: [recalled], level: 3, reason: '瘦肉精 阳性', hazard: '瘦肉精 超标' }),
  );

  const unknownParty = wellFormed('Y5002362222222');
  const unknownLocation = wellFormed('A2222222222');
  const unknownProduct = wellFormed('M2222222222');
  const unknownLot = wellFormed('B2222222222');
  const unknownPack = wellFormed('3333333333');
  const ship = (extra: Record<string, unknown>) =>
    farm.event({ type: 'ship', toPartyCode: buyer.code, lines: [{ lotCode: lot, quantity: 1 }], ...extra });
  const readPointBody = (extra: Record<string, unknown>) => ({
    partyCode: farm.code,
    locationCode: location,
    name: '冷库 1 号门',
    role: 'commissioning',
    antennas: [{ readerId: reader.id, antenna: 1 }],
    ...extra,
  });

  type Case = {
    what: string;
    send: (code: string) => Promise<Reply>;
    code: string;
    in?: 'body' | 'querystring' | 'params';
    pointer: string;
    detail?: RegExp;
    unknown: { code: string; status: number };
  };
  const cases: Case[] = [
    // events
    {
      what: 'ship toPartyCode',
      send: (code) => ship({ toPartyCode: code }),
      code: buyer.code,
      pointer: '/toPartyCode',
      unknown: { code: unknownParty, status: 422 },
    },
    {
      what: 'ship toLocationCode',
      send: (code) => ship({ toLocationCode: code }),
      code: location,
      pointer: '/toLocationCode',
      unknown: { code: unknownLocation, status: 422 },
    },
    {
      what: 'ship fromLocationCode',
      send: (code) => ship({ fromLocationCode: code }),
      code: location,
      pointer: '/fromLocationCode',
      unknown: { code: unknownLocation, status: 422 },
    },
    {
      what: 'ship readPoint',
      send: (code) => ship({ readPoint: code }),
      code: location,
      pointer: '/readPoint',
      unknown: { code: unknownLocation, status: 422 },
    },
    {
      what: 'ship bizLocation',
      send: (code) => ship({ bizLocation: code }),
      code: location,
      pointer: '/bizLocation',
      unknown: { code: unknownLocation, status: 422 },
    },
    {
      what: 'ship lines[0].lotCode',
      send: (code) => ship({ lines: [{ lotCode: code, quantity: 1 }] }),
      code: lot,
      pointer: '/lines/0/lotCode',
      unknown: { code: unknownLot, status: 422 },
    },
    {
      what: 'commission productCode',
      send: (code) => farm.event({ type: 'commission', lots: [{ productCode: code, quantity: 1 }] }),
      code: product,
      pointer: '/lots/0/productCode',
      unknown: { code: unknownProduct, status: 422 },
    },
    {
      what: 'commission originLocationCode',
      send: (code) => farm.event({ type: 'commission', lots: [{ productCode: product, quantity: 1, originLocationCode: code }] }),
      code: location,
      pointer: '/lots/0/originLocationCode',
      unknown: { code: unknownLocation, status: 422 },
    },
    {
      what: 'inspect labPartyCode',
      send: (code) =>
        bureau.event({ type: 'inspect', lotCodes: [lot], inspection: { kind: 'sampling', labPartyCode: code, result: 'pass' } }),
      code: lab.code,
      pointer: '/inspection/labPartyCode',
      unknown: { code: unknownParty, status: 422 },
    },
    {
      what: 'aggregate itemCodes',
      send: (code) => farm.event({ type: 'aggregate', parent: {}, itemCodes: [code] }),
      code: pack,
      pointer: '/itemCodes/0',
      unknown: { code: unknownPack, status: 422 },
    },
    // holds and recalls
    {
      what: 'recall lotCodes',
      send: (code) => farm.api.post('/recalls', { lotCodes: [code], level: 3, reason: '复检', hazard: '瘦肉精' }),
      code: lot,
      pointer: '/lotCodes/0',
      unknown: { code: unknownLot, status: 422 },
    },
    {
      what: 'recall report lotCode',
      send: (code) => farm.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: code, destroyed: 1 }] }),
      code: recalled,
      pointer: '/lines/0/lotCode',
      unknown: { code: unknownLot, status: 422 },
    },
    {
      what: 'hold lotCodes',
      send: (code) => farm.api.post('/holds', { lotCodes: [code], reason: '待检' }),
      code: lot,
      pointer: '/lotCodes/0',
      unknown: { code: unknownLot, status: 422 },
    },
    // master data and keys
    {
      what: 'api key partyCode',
      send: (code) => world.admin.post('/api-keys', { role: 'operator', partyCode: code }),
      code: farm.code,
      pointer: '/partyCode',
      unknown: { code: unknownParty, status: 404 },
    },
    {
      what: 'location partyCode',
      send: (code) => farm.api.post('/locations', { partyCode: code, name: '二号仓', kind: 'warehouse', regionCode: '500236' }),
      code: farm.code,
      pointer: '/partyCode',
      unknown: { code: unknownParty, status: 403 },
    },
    {
      what: 'product partyCode',
      send: (code) => farm.api.post('/products', { partyCode: code, name: '腊肉', category: 'cured_meat', unit: 'kg' }),
      code: farm.code,
      pointer: '/partyCode',
      unknown: { code: unknownParty, status: 403 },
    },
    // brands
    {
      what: 'brand products',
      send: (code) =>
        office.post('/brands', {
          code: 'TYPO-P',
          kind: 'regional',
          regionCode: '500236',
          nameZh: '奉上好品',
          nameEn: 'Fengjie Finest',
          products: [code],
        }),
      code: product,
      pointer: '/products/0',
      unknown: { code: unknownProduct, status: 400 },
    },
    {
      what: 'brand ownerPartyCode',
      send: (code) => office.post('/brands', { code: 'TYPO-O', kind: 'enterprise', nameZh: '自家', nameEn: 'Own', ownerPartyCode: code }),
      code: farm.code,
      pointer: '/ownerPartyCode',
      unknown: { code: unknownParty, status: 400 },
    },
    // RFID
    {
      what: 'read point locationCode',
      send: (code) => farm.api.post('/rfid/read-points', readPointBody({ locationCode: code })),
      code: location,
      pointer: '/locationCode',
      unknown: { code: unknownLocation, status: 422 },
    },
    {
      what: 'read point bindToCode',
      send: (code) => farm.api.post('/rfid/read-points', readPointBody({ bindToCode: code })),
      code: lot,
      pointer: '/bindToCode',
      unknown: { code: unknownLot, status: 422 },
    },
    {
      what: 'reader partyCode',
      send: (code) => farm.api.post('/rfid/readers', { partyCode: code, hostName: 'FX9600-TYPO' }),
      code: farm.code,
      pointer: '/partyCode',
      unknown: { code: unknownParty, status: 403 },
    },
    // queries
    {
      what: 'locations partyCode',
      send: (code) => farm.api.get(`/locations?partyCode=${code}`),
      code: farm.code,
      in: 'querystring',
      pointer: '/partyCode',
      unknown: { code: unknownParty, status: 200 },
    },
    {
      what: 'events lotCode filter',
      send: (code) => farm.api.get(`/events?lotCode=${code}`),
      code: lot,
      in: 'querystring',
      pointer: '/lotCode',
      unknown: { code: unknownLot, status: 200 },
    },
    {
      what: 'lots productCode filter',
      send: (code) => farm.api.get(`/lots?productCode=${code}`),
      code: product,
      in: 'querystring',
      pointer: '/productCode',
      unknown: { code: unknownProduct, status: 200 },
    },
    // a party code before a party's own lot number, in a trace's path
    {
      what: 'trace PARTYCODE:LOTNUMBER',
      send: (code) => farm.api.get(`/trace/${code}:LOT-1`),
      code: farm.code,
      in: 'params',
      pointer: '/code',
      detail: /check character is wrong — probably a typo/,
      unknown: { code: unknownParty, status: 404 },
    },
  ];
  for (const { what, send, code, in: where = 'body', pointer, detail = DETAIL, unknown } of cases) {
    const typo = mistyped(code);
    const refused = expectStatus(t, await send(typo), 400, `${what}: ${typo}`);
    t.match(refused.body.errors, [{ in: where, pointer, detail }], `${what}: at ${pointer}`);
    t.equal(refused.body.errors?.length, 1, `${what}: the one field`);
    expectStatus(t, await send(typo.toLowerCase()), 400, `${what}: in lower case too`);
    expectStatus(t, await send(unknown.code), unknown.status, `${what}: ${unknown.code}, unknown with a sound check character`);
  }
});

t.test('what a field takes besides our codes still passes it', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const gtin = completeGs1('0690123400001');
  const product = await farm.product('kg', { gtin });
  const lot = await farm.commission(product, 10, { lotNumber: 'lot-a' });
  const sscc = completeGs1('30690123400000001');
  expectStatus(t, await farm.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: lot, quantity: 1 }] }), 201, 'a pallet');
  const reader = await registerReader(world, farm);

  await readPoint(world, farm, 'commissioning', [{ readerId: reader.id, antenna: 1 }], { bindToCode: sscc });
  const link = `https://id.gs1.org/01/${gtin.padStart(14, '0')}/10/lot-a`;
  await readPoint(world, farm, 'commissioning', [{ readerId: reader.id, antenna: 2 }], { bindToCode: link });
  t.pass('commissioning stations bound to a pallet by its SSCC and to a lot by its Digital Link, its lot number as typed');
  expectStatus(t, await farm.api.get(`/trace/${farm.code}:lot-a`), 200, "a party's own lot number after its code, in its case");
  expectStatus(t, await farm.api.get(`/trace/${farm.code.toLowerCase()}:lot-a`), 200, 'the party code in lower case');
  const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const brand = { code: 'GTIN-OK', kind: 'regional', regionCode: '500236', nameZh: '奉上好品', nameEn: 'Fengjie Finest', products: [gtin] };
  expectStatus(t, await office.post('/brands', brand), 201, 'a brand covering a product by its GTIN');
  const events = expectStatus(t, await farm.api.get('/events?lotCode=NO-SUCH-LOT'), 200, 'a filter shaped as no code of ours');
  t.same(events.body.items, [], 'finds nothing');
  // a code of another kind is no typo of this field's kind: it names nothing here
  expectStatus(
    t,
    await farm.event({ type: 'commission', lots: [{ productCode: mistyped(lot), quantity: 1 }] }),
    422,
    'a lot code as a product',
  );
});
