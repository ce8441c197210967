// The service as a process, on one data store (starting a process costs seconds): a first start
// killed while loading the demo chain, `npm run admin-key` beside the running service, and a
// graceful stop in the middle of a scan stream.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getTableName, sql } from 'drizzle-orm';
import { DEMO_TABLES, loadDemoChainOnce } from '../seeds/fengjie.js';
import { type Database, queryRows } from '../src/db/client.js';
import { dataDirLockHolder } from '../src/db/lock.js';
import { ADMIN_KEY, launchService, serviceStorage, sleep, spawnProcess, startService } from './fixtures/service-process.js';
import { openTestDatabase, usingPostgres } from './helper.js';
import { fileTest } from './root.js';

const tap = fileTest();
// five service processes, each compiling and opening its database: on a loaded 2-core machine this
// file alone has taken 150 s of the 180 s a file gets
tap.setTimeout(360_000);

async function rowCounts(database: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of DEMO_TABLES) {
    const name = getTableName(table);
    const [row] = await queryRows<{ count: number }>(database.db, sql`select count(*)::int as count from ${sql.identifier(name)}`);
    counts[name] = row.count;
  }
  return counts;
}

// an empty data directory: the first start creates and migrates it, as for a new user
const storage = await serviceStorage(tap, { empty: true });
const reference = await openTestDatabase(tap);
await loadDemoChainOnce(reference);
const whole = await rowCounts(reference);
let service: Awaited<ReturnType<typeof startService>>;

tap.test('a start killed while loading the demo chain leaves all of it or none; the next start loads it whole', async (t) => {
  const none = Object.fromEntries(Object.keys(whole).map((name) => [name, 0]));
  let interrupted = 0;
  // killed at once and halfway through the load (which takes a few seconds)
  for (const delayMs of [0, 1_500]) {
    const starting = launchService(t, storage, { SEED_DEMO: 'true', LOG_LEVEL: 'info' });
    const [seen] = await starting.waitFor(/loading the demo chain|service ready/);
    if (seen === 'loading the demo chain') await sleep(delayMs);
    await starting.stop('SIGKILL');
    const database = await storage.open();
    const counts = await rowCounts(database);
    await database.close();
    if (counts.parties === 0) interrupted += 1;
    t.ok(
      JSON.stringify(counts) === JSON.stringify(none) || JSON.stringify(counts) === JSON.stringify(whole),
      `killed ${delayMs} ms into the load: all of the demo chain or none of it`,
    );
  }
  t.ok(interrupted >= 1, 'at least one kill landed before the load committed');

  // the file's service from here on
  // the scan stream below is far over a phone's allowance; each phone scans from an address of its own (one address is
  // one client), which it names through the one proxy trusted
  service = await startService(tap, storage, { SEED_DEMO: 'true', SCANS_PER_MINUTE: '1000000', TRUST_PROXY: '1' });
  t.match(service.output(), /Scan a demo pack of 奉节腊肉/, 'the next start prints the demo pack to scan');
  const scanUrl = /Scan a demo pack of 奉节腊肉 \(consumer page\):\s+(\S+)/.exec(service.output())?.[1] ?? '';
  t.ok(scanUrl.startsWith(`${service.base}/t/`), `the pack's link uses the port it listens on (${scanUrl})`);
});

tap.test('npm run admin-key beside the running service', async (t) => {
  const adminKey = spawnProcess(t, ['scripts/admin-key.ts'], storage.env);
  const { code } = await adminKey.exited;
  if (usingPostgres()) {
    // PostgreSQL is shared: the new key works against the running service
    t.equal(code, 0);
    const [, key] = /admin API key \(shown once, stored hashed\): (\S+)/.exec(adminKey.output()) ?? [];
    const response = await fetch(`${service.base}/parties`, { headers: { authorization: `Bearer ${key}` } });
    t.equal(response.status, 200, 'the issued key is accepted');
  } else {
    t.equal(code, 1, 'refused: the running service holds the data directory');
    t.match(
      adminKey.output().trim(),
      /^\S+ is in use by process \d+; stop it first or set DATA_DIR to another folder$/,
      'one line, no stack trace',
    );
    const elsewhere = join(storage.dataDir as string, 'not-here');
    const missing = spawnProcess(t, ['scripts/admin-key.ts'], { DATA_DIR: elsewhere });
    t.equal((await missing.exited).code, 1, 'without the data directory');
    t.match(missing.output().trim(), /^no database in \S+not-here: start the service once/, 'says where it looked');
    t.notOk(existsSync(elsewhere), 'no second database made by mistake');
  }
  const running = await fetch(`${service.base}/parties`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  t.equal(running.status, 200, 'the service is unharmed');
});

tap.test('a graceful stop in the middle of a scan stream stores every answered scan', async (t) => {
  const [, itemCode] = /\/t\/(\S+)/.exec(service.output()) ?? [];
  t.ok(itemCode, 'the demo pack to scan');
  let answered = 0;
  let sent = 0;
  let stopping: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  // eight shoppers, each scan from its own phone and address (reloads of one phone would count once)
  const shopper = async (shopperIndex: number) => {
    for (let scan = 0; scan < 1_000; scan++) {
      sent += 1;
      const response = await fetch(`${service.base}/t/${itemCode}`, {
        headers: {
          accept: 'application/json',
          'user-agent': `phone-${shopperIndex}-${scan}`,
          'x-forwarded-for': `10.${shopperIndex}.${Math.floor(scan / 250)}.${(scan % 250) + 1}`,
        },
      }).catch(() => null);
      // the stopped service no longer accepts connections
      if (!response) return;
      await response.arrayBuffer();
      if (response.status === 200) answered += 1;
      else if (response.status !== 503) t.fail(`scan answered ${response.status}`);
      if (answered >= 100 && !stopping) stopping = service.stop('SIGTERM');
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, index) => shopper(index)));
  t.same(await stopping, { code: 0, signal: null }, 'the stop exits cleanly', { output: service.output().slice(-2000) });
  if (storage.dataDir) t.equal(dataDirLockHolder(storage.dataDir), null, 'the PGlite data directory is released');

  const database: Database = await storage.open();
  const [{ stored }] = await queryRows<{ stored: number }>(
    database.db,
    sql`select count(*)::int as stored from scans where item_code = ${itemCode}`,
  );
  t.same(await rowCounts(database), whole, 'the whole demo chain, once');
  await database.close();
  t.ok(answered >= 100, `${answered} scans answered before the stop closed the door`);
  t.ok(stored >= answered && stored <= sent, `every answered scan stored (${stored} stored, ${answered} answered, ${sent} sent)`);
});
