// Looking a tag up (GET /rfid/tags/{tag}, GET /rfid/reads?tag=): a malformed tag value is a 400
// naming the parameter, as a malformed read or binding is, not an empty answer.
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const MALFORMED = [
  ['urn:epc:raw:96.xZZ', /is not a raw EPC URI/],
  ['urn:epc:tag:sgtin-96:9.0614141.812345.6789', /must start with a filter value 0–7/],
  ['urn:epc:id:sgtin:0614141.812345.', /is not a valid SGTIN EPC URN/],
  ['E20X', /must be the EPC as hex \(whole bytes\) or an EPC URI/],
  ['not a tag', /must be the EPC as hex \(whole bytes\) or an EPC URI/],
] as const;

t.test('a malformed tag value in a lookup is a 400 naming it', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const lot = await store.commission(await store.product('kg'), 10);
  const reader = await registerReader(world, store);
  await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: '*' }]);
  const epc = '3035A537C8375F4000001392';
  expectStatus(
    t,
    await store.api.post('/rfid/tags', {
      tags: [
        { epc, code: lot },
        { tid: 'E2003412DEADBEEF', code: lot },
      ],
    }),
    201,
    'bound',
  );
  expectStatus(t, await reader.api.post('/rfid/reads', { reads: [{ antenna: 1, epc, time: '2026-03-01T08:00:00+08:00' }] }), 202, 'read');

  for (const [value, reason] of MALFORMED) {
    const lookup = await store.api.get(`/rfid/tags/${encodeURIComponent(value)}`);
    t.match(expectStatus(t, lookup, 400, `GET /rfid/tags/${value}`).body.errors, [{ in: 'params', pointer: '/tag', detail: reason }]);
    const listed = await store.api.get(`/rfid/reads?tag=${encodeURIComponent(value)}`);
    t.match(expectStatus(t, listed, 400, `GET /rfid/reads?tag=${value}`).body.errors, [{ in: 'query', pointer: '/tag', detail: reason }]);
  }

  // well-formed values are answered as before: found, or a 404 (an empty list) when nothing is bound (read)
  t.match((await store.api.get(`/rfid/tags/${epc.toLowerCase()}`)).body, { kind: 'epc', lotCode: lot });
  t.match((await store.api.get(`/rfid/tags/${encodeURIComponent(' E2003412deadbeef ')}`)).body, { kind: 'tid', lotCode: lot });
  t.match((await store.api.get('/rfid/tags/urn:epc:id:sgtin:6901234.056701.5010')).body, { kind: 'epc', lotCode: lot }, 'by its URN');
  expectStatus(t, await store.api.get('/rfid/tags/E2806894000040017790E471'), 404, 'a tag bound to nothing');
  const grai170 = '3714257BF40C0E7C310000000000000000000000000';
  expectStatus(t, await store.api.get(`/rfid/tags/${grai170}`), 404, "a long scheme's hex, in its 43 digits");
  t.same((await store.api.get(`/rfid/reads?tag=${grai170}`)).body.items, [], 'and its reads');
  expectStatus(t, await store.api.get(`/rfid/tags/${encodeURIComponent('https://example.com/asset/7')}`), 404, 'another URI');
  t.equal((await store.api.get(`/rfid/reads?tag=${epc}`)).body.items.length, 1);
  t.equal((await store.api.get('/rfid/reads?tag=urn:epc:id:sgtin:6901234.056701.5010')).body.items.length, 1, 'by its URN');
  t.same((await store.api.get('/rfid/reads?tag=E2806894000040017790E471')).body.items, [], 'a tag never read');
});
