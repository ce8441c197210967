// A party named where the key may not act for it is refused at the field that names it: the body's
// `partyCode` of master data (RFID readers and read points, products, locations) and the
// `?partyCode=` of a listing, as every 4xx points at what the request got wrong.
import { newPartyCode } from '../../src/codes/service-codes.js';
import { registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test("another party's code is refused at the partyCode that names it", async (t) => {
  const world = await createWorld(t);
  const own = await world.party('cold_storage');
  const other = await world.party('cold_storage');
  const reader = await registerReader(world, own);
  const location = await own.location('cold_store');
  for (const [url, body] of [
    ['/rfid/readers', { partyCode: other.code, hostName: 'FX9600-OTHER' }],
    [
      '/rfid/read-points',
      {
        partyCode: other.code,
        locationCode: location,
        name: '冷库 1 号门',
        role: 'observe',
        antennas: [{ readerId: reader.id, antenna: 1 }],
      },
    ],
    ['/products', { partyCode: other.code, name: '腊肉', category: 'other', unit: 'kg' }],
    ['/locations', { partyCode: other.code, name: '冷库', kind: 'cold_store', regionCode: '500236' }],
  ] as const) {
    const reply = expectStatus(t, await own.api.post(url, body), 403, `POST ${url} for another party`);
    t.match(reply.body.errors, [{ in: 'body', pointer: '/partyCode' }], `POST ${url}: at /partyCode`);
  }
  for (const url of [
    '/rfid/readers',
    '/rfid/read-points',
    '/rfid/reads',
    '/rfid/unknown-tags',
    '/rfid/activity',
    '/lots',
    '/shipments',
    '/events',
  ]) {
    const reply = expectStatus(t, await own.api.get(`${url}?partyCode=${other.code}`), 403, `GET ${url} of another party`);
    t.match(reply.body.errors, [{ in: 'querystring', pointer: '/partyCode' }], `GET ${url}: at ?partyCode`);
  }
  const unknown = expectStatus(
    t,
    await world.admin.post('/rfid/readers', { partyCode: newPartyCode('cold_storage', '500236'), hostName: 'FX9600-NOBODY' }),
    404,
    'a reader of no party',
  );
  t.match(unknown.body.errors, [{ in: 'body', pointer: '/partyCode' }], 'at /partyCode');
});

t.test('a reader host name is refused at /hostName unless a reader could send it', async (t) => {
  const world = await createWorld(t);
  const own = await world.party('cold_storage');
  for (const hostName of ['FX9600\u200bF10AE0', 'ＦＸ9600', 'FX9600 GATE', '-FX9600', 'FX9600\u0000']) {
    const reply = expectStatus(t, await own.api.post('/rfid/readers', { partyCode: own.code, hostName }), 400, JSON.stringify(hostName));
    t.match(reply.body.errors, [{ pointer: '/hostName' }], 'at /hostName');
  }
  expectStatus(t, await own.api.post('/rfid/readers', { partyCode: own.code, hostName: 'SpeedwayR-11-22-33.local' }), 201, 'a plain one');
});
