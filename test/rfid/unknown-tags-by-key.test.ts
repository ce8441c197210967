// GET /rfid/unknown-tags lists a tag once per reader whatever spellings its reads came in: the GSRN
// of no known service relation, read as hex by a Zebra and as a URN by a generic reader, is one item,
// named by its key, its windows and reads summed.
import { gs1Tag, zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('an unknown tag read in two spellings is one unknown tag, listed by its key', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store);
  await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 1 }]);
  const service = gs1Tag('urn:epc:id:gsrn:0614141.1234567890', 'gsrn-96', 2);
  const time = (minute: number) => `2026-06-01T10:${minute}:00.000+0800`;
  expectStatus(
    t,
    await reader.api.post('/rfid/zebra', [
      zebraEvent({ idHex: service.hex, antenna: 1, hostName: reader.hostName, timestamp: time(10) }),
      zebraEvent({ idHex: service.hex, antenna: 1, hostName: reader.hostName, timestamp: time(10) }),
    ]),
    202,
    'read as hex',
  );
  expectStatus(
    t,
    await reader.api.post('/rfid/reads', {
      reads: [{ reader: reader.hostName, antenna: 1, epc: 'URN:EPC:ID:GSRN:0614141.1234567890', time: time(12) }],
    }),
    202,
    'read as its URN',
  );
  await world.app.services.gates.drain();
  const unknown = (await store.api.get('/rfid/unknown-tags')).body.items;
  t.match(unknown, [{ readerId: reader.id, tag: 'https://id.gs1.org/8018/061414112345678902', windows: 2, reads: 3 }]);
  t.equal(unknown.length, 1, 'one tag');
});
