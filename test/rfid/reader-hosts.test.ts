// Reader host names are a party's own: two parties may each register an fx9600-gate1 (a factory's
// default name), and a payload's host name names the posting party's reader; a host name only
// another party's reader has is still refused (403), without saying whose it is.
import { impinjTagInventory, zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const HOST = 'fx9600-gate1';
const hex = (n: number) => `E2801160600003${String(n).padStart(10, '0')}`;

t.test('two parties register the same host name, and each one’s reads land on its own reader', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const other = await world.party('distributor');
  const ours = await registerReader(world, store, HOST);
  const theirs = await registerReader(world, other, HOST.toUpperCase());
  const theirsOnly = await registerReader(world, other, 'impinj-other-only');
  const ourPoint = await readPoint(world, store, 'observe', [{ readerId: ours.id, antenna: '*' }]);
  const theirPoint = await readPoint(world, other, 'observe', [
    { readerId: theirs.id, antenna: '*' },
    { readerId: theirsOnly.id, antenna: '*' },
  ]);
  const taken = await store.api.post('/rfid/readers', { partyCode: store.code, hostName: HOST.toUpperCase() });
  t.match(expectStatus(t, taken, 409, 'a party registers a host name once').body, {
    detail: `the party has a reader with host name ${HOST.toUpperCase()} already`,
  });

  /** A read of tag `n` naming `hostName`, posted with `key` in each format. */
  const formats = {
    zebra: (n: number, hostName: string) => ['/rfid/zebra', zebraEvent({ idHex: hex(n), hostName, antenna: 1 })] as const,
    impinj: (n: number, hostName: string) => ['/rfid/impinj', [impinjTagInventory({ epcHex: hex(n), hostname: hostName })]] as const,
    generic: (n: number, hostName: string) =>
      ['/rfid/reads', { reads: [{ reader: hostName, antenna: 1, epc: hex(n), time: '2026-03-01T08:00:00+08:00' }] }] as const,
  };
  let n = 0;
  for (const [format, payload] of Object.entries(formats)) {
    await t.test(`${format}: the host name is the posting party's reader`, async (t) => {
      for (const [reader, party, point] of [
        [ours, store, ourPoint],
        [theirs, other, theirPoint],
      ] as const) {
        const [path, body] = payload(++n, HOST);
        expectStatus(t, await reader.api.post(path, body), 202, `${party.code} posts`);
        const [read] = (await party.api.get(`/rfid/reads?tag=${hex(n)}`)).body.items;
        t.match(read, { readerId: reader.id, readPointId: point.readPointId }, `${party.code}'s reader and read point`);
      }
      const [path, body] = payload(++n, 'impinj-other-only');
      const refused = expectStatus(t, await ours.api.post(path, body), 403, 'a host name only another party has').body;
      t.match(refused.errors, [{ detail: `not a reader of ${store.code}` }]);
      t.notMatch(JSON.stringify(refused), other.code, 'whose reader it is is not said');
    });
  }
});
