// The database unreachable while the service runs: the API answers 503 with Retry-After, the scan page its outage page,
// never a 500 that reads as the service's own fault.
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { pino } from 'pino';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { type Database, openPglite, openPostgres } from '../../src/db/client.js';
import { TEXT } from '../../src/web/i18n/index.js';
import { createPostgresDatabase, loadMigratedPglite } from '../database.js';
import { postgresOnly, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A pack code no one has issued: its check character is right. */
const UNISSUED_CODE = `0000000001${mod31CheckChar('0000000001')}`;

/** Builds the app on `database`, checks it answers, cuts the database off with `cut`, and checks the outage answers. */
async function answersOutage(t: Test, database: Database, cut: () => Promise<void>, logger = capturingLogger()) {
  const app = await buildApp({ database, bodyLimit: 256 * 1024, publicBaseUrl: TEST_BASE_URL, loggerInstance: logger });
  t.teardown(() => app.close());
  const adminKey = (await app.services.apiKeys.ensureAdminKey()) as string;
  const trace = () => app.inject({ url: '/trace/150023699999999', headers: { authorization: `Bearer ${adminKey}` } });
  const page = () => app.inject({ url: `/t/${UNISSUED_CODE}`, headers: { accept: 'text/html' } });
  t.equal((await trace()).statusCode, 404, 'before: an unregistered ear tag is looked up');
  t.equal((await page()).statusCode, 404, 'before: the scan page of an unissued code');
  await cut();
  const traced = await trace();
  t.equal(traced.statusCode, 503, 'the trace answers 503');
  t.equal(traced.headers['retry-after'], '5', 'with Retry-After');
  t.match(traced.headers['content-type'], /^application\/problem\+json/);
  t.match(traced.json(), { type: '/problems/service-unavailable', status: 503 });
  const scanned = await page();
  t.equal(scanned.statusCode, 503, 'the scan page answers 503');
  t.equal(scanned.headers['retry-after'], '5', 'with Retry-After');
  t.match(scanned.headers['content-type'], /^text\/html/);
  t.match(scanned.body, TEXT['zh-CN'].unavailableBody, 'its outage text');
  // the failed statements are logged by their SQL, never with their parameters (the key's hash, the code)
  const failed = logger.lines.filter((line) => line.msg === 'request failed');
  t.ok(failed.length > 0, 'the failures are logged');
  for (const { err } of failed) {
    t.match(err, { type: 'DrizzleQueryError', message: /^Failed query: / }, 'a failed statement');
    t.notOk('params' in err, 'without its params member');
    t.notMatch(`${err.message}${err.stack}`, /params:/, 'nor its parameters in its message and stack');
  }
}

/** A pino logger as the server builds one, its JSON lines kept for the test to read. */
function capturingLogger() {
  const lines: Record<string, any>[] = [];
  return Object.assign(pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }), { lines });
}

t.test('a closed PGlite answers 503 with Retry-After', async (t) => {
  const database = await openPglite(undefined, await loadMigratedPglite());
  await answersOutage(t, database, () => database.close());
});

t.test(
  'PostgreSQL behind a TCP proxy that is then killed answers 503 with Retry-After (PostgreSQL)',
  await postgresOnly('the proxy forwards to PostgreSQL'),
  async (t) => {
    const created = await createPostgresDatabase(`trace_test_outage_${process.pid}`);
    t.teardown(() => created.drop());
    const upstream = new URL(created.url);
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      const server = connect(Number(upstream.port || 5432), upstream.hostname);
      for (const socket of [client, server]) {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => sockets.delete(socket));
      }
      client.pipe(server).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = new URL(created.url);
    proxied.host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const logger = capturingLogger();
    const database = await openPostgres(proxied.href, logger);
    await answersOutage(
      t,
      database,
      async () => {
        const closed = new Promise((resolve) => proxy.close(resolve));
        for (const socket of sockets) socket.destroy();
        await closed;
      },
      logger,
    );
    t.ok(
      logger.lines.some((line) => line.level === 40 && line.msg === 'PostgreSQL connection lost' && line.err),
      'the lost connections of the pool are logged as JSON lines of the same logger',
    );
  },
);
