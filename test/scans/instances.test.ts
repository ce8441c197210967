// Service instances on one database: a phone's repeat scan within the window counts once, whichever
// instances its requests reach, also while the first scan is still held in one instance's memory.
import { seedDemoChain } from '../../seeds/fengjie.js';
import { buildApp } from '../../src/app.js';
import { buildTestApp, client, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a phone whose repeat scans reach two instances is counted once', async (t) => {
  const { app: first, adminKey, database } = await buildTestApp(t);
  const second = await buildApp({ database, publicBaseUrl: TEST_BASE_URL });
  t.teardown(() => second.close());
  const demo = await seedDemoChain(first.services);
  const gtin = (await first.inject({ method: 'GET', url: `/t/${demo.itemCode}?format=json`, remoteAddress: '192.0.2.1' })).json().product
    .gtin;
  const scan = (instance: typeof first, url: string, phone = 'shopper phone', remoteAddress = '203.0.113.9') =>
    instance.inject({ method: 'GET', url, remoteAddress, headers: { 'user-agent': phone, accept: 'application/json' } });
  const stored = async () => {
    await Promise.all([first.services.scans.flush(), second.services.scans.flush()]);
    return (await client(first, adminKey).get(`/regulator/lots/${demo.retailLotCode}/scans`)).body.totalScans;
  };
  t.equal(await stored(), 1, 'the lookup');

  // a prefetch and the load (or a double tap) sent at once, each to another instance
  const pack = `/t/${demo.itemCode}?format=json`;
  await Promise.all([scan(first, pack), scan(second, pack)]);
  t.equal(await stored(), 2, 'the pack scanned at once through both: one scan');
  // the page reloaded through the other instance before the first has stored its scan
  const label = `/01/${gtin}/10/${demo.retailLotNumber}`;
  await scan(first, label);
  await scan(second, label);
  t.equal(await stored(), 3, 'the lot-level label reloaded through the other: one scan');
  // stored: each instance sees it
  await scan(second, pack);
  await scan(first, label);
  t.equal(await stored(), 3, 'reloads once stored count nothing either');
  t.equal((await scan(second, pack)).json().scans.count, 2, "the pack's count: the lookup and this phone");

  // the same phone's messenger and browser (one address, another user agent) through each instance: the same scan
  await Promise.all([scan(first, pack, 'MicroMessenger'), scan(second, label, 'a phone browser')]);
  t.equal(await stored(), 3, 'another user agent at the address is the same scan');
  await Promise.all([scan(first, pack, 'another phone', '198.51.100.1'), scan(second, pack, 'a third phone', '198.51.100.2')]);
  t.equal(await stored(), 5, 'other phones (other addresses) are other scans');
});
