// Builds the app on a fresh, migrated database: in-memory PGlite by default, or a new
// PostgreSQL database (copied from a migrated template, dropped afterwards) when DATABASE_URL is set.
import { type AddressInfo, connect } from 'node:net';
import { customAlphabet } from 'nanoid';
import pg from 'pg';
import type { Test } from 'tap';
import { type App, type AppOptions, buildApp } from '../src/app.js';
import { type Database, openPglite, openPostgres } from '../src/db/client.js';
import { CLOSE_LIMIT_MS, closedWithin, createPostgresDatabase, handBackPglite, postgresBaseUrl, takeMigratedPglite } from './database.js';

const suffix = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 10);

export const usingPostgres = () => Boolean(process.env.DATABASE_URL);

/** Whether a PostgreSQL server answers at DATABASE_URL (or the default test server); postgresOnly says it as a test's options. */
async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresBaseUrl(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * The options of a test that runs on PostgreSQL whichever database the others use (its world built
 * with 'postgres'): skipped, saying why it needs PostgreSQL, where no server answers.
 */
export async function postgresOnly(why = 'PGlite runs one transaction at a time') {
  return { skip: (await postgresReachable()) ? false : `no PostgreSQL at DATABASE_URL or 127.0.0.1:5432 (${why})` };
}

export async function openTestDatabase(t: Test, kind: 'pglite' | 'postgres' = usingPostgres() ? 'postgres' : 'pglite'): Promise<Database> {
  if (kind === 'pglite') {
    const pglite = await takeMigratedPglite();
    // the database's own close would end the PGlite; the next test gets it emptied instead, if this
    // one passed: the code of a test that timed out or failed may still be running on it
    t.teardown(() => handBackPglite(pglite, { passed: t.passing() }));
    return openPglite(undefined, pglite);
  }
  const created = await createPostgresDatabase(`trace_test_${suffix()}`);
  const database = await openPostgres(created.url);
  t.teardown(async () => {
    await closeWithin("the test database's pool", () => database.close());
    await created.drop();
  });
  return database;
}

/**
 * A test's app or its database's pool, closed within CLOSE_LIMIT_MS: closing waits for the app's
 * jobs and every client checked out, and a test that failed or timed out may leave a job or a
 * transaction that never ends (waiting behind a lock that is never let go). Past the limit the
 * teardown goes on: the database is dropped anyway, and with (force) ends its server processes,
 * and so the clients still out (a job stuck on one then fails, and the app closes).
 */
async function closeWithin(what: string, close: () => Promise<unknown>): Promise<void> {
  if (!(await closedWithin(close(), CLOSE_LIMIT_MS))) {
    console.warn(`${what} did not close within ${CLOSE_LIMIT_MS} ms (a job or a transaction still under way): going on with the teardown`);
  }
}

type TestApp = { app: App; adminKey: string; database: Database };

export const TEST_BASE_URL = 'https://fj.example';

/**
 * The address of the `n`th phone of a test (198.18.0.0/15, the benchmarking range): one client is one address, whatever
 * user agent it sends, so phones that are to count apart scan from addresses of their own.
 */
export const phoneAddress = (n: number) => `198.18.${Math.floor(n / 250) % 256}.${(n % 250) + 1}`;

export async function buildTestApp(t: Test, kind?: 'pglite' | 'postgres', options: Partial<AppOptions> = {}): Promise<TestApp> {
  const database = await openTestDatabase(t, kind);
  const app = await buildApp({ database, bodyLimit: 256 * 1024, publicBaseUrl: TEST_BASE_URL, ...options });
  t.teardown(() => closeWithin('the app', () => app.close()));
  const adminKey = (await app.services.apiKeys.ensureAdminKey()) as string;
  return { app, adminKey, database };
}

export type Reply = { status: number; body: any; headers: Record<string, unknown> };

/** A small client bound to one API key, speaking JSON through app.inject (no network). */
export function client(app: App, key?: string) {
  const send = async (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const response = await app.inject({
      method,
      url,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    const type = String(response.headers['content-type'] ?? '');
    return {
      status: response.statusCode,
      body: type.includes('json') ? response.json() : response.body,
      headers: response.headers as Record<string, unknown>,
    };
  };
  return {
    get: (url: string, headers?: Record<string, string>) => send('GET', url, undefined, headers),
    post: (url: string, payload: unknown, headers?: Record<string, string>) => send('POST', url, payload, headers),
    delete: (url: string) => send('DELETE', url),
  };
}
export type Client = ReturnType<typeof client>;

const PCHAR = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})";
const PATH_QUERY_FRAGMENT = `(?:/${PCHAR}*)*(?:\\?(?:${PCHAR}|[/?])*)?(?:#(?:${PCHAR}|[/?])*)?`;
/** An RFC 3986 URI reference as the service writes one (a Location): http(s) and an authority or none, a path, a query, a fragment. */
export const URI_REFERENCE = new RegExp(`^(?:https?://[A-Za-z0-9.\\-]+(?::\\d+)?)?${PATH_QUERY_FRAGMENT}$`);
/**
 * An RFC 3986 URI reference naming what a client sent (a problem's `instance`): any scheme, an authority of a registered
 * name (escapes and sub-delimiters too) or an IP literal, a port of digits, no user name or password; or none.
 */
export const SENT_URI_REFERENCE = new RegExp(
  `^(?:[A-Za-z][A-Za-z0-9+.\\-]*://(?:(?:[A-Za-z0-9\\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*|\\[[0-9A-Fa-f:.]+\\])(?::\\d*)?)?${PATH_QUERY_FRAGMENT}$`,
);

/**
 * Sends `GET target` on a raw socket, its request line as a client may write it (light-my-request would rewrite the
 * target), and reads the answer until the server closes: its status, Location and body.
 */
export async function sendRequestLine(app: App, target: string, accept = 'application/json') {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return new Promise<{ status: number; location?: string; body: string }>((resolve) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: trace.county.example\r\nAccept: ${accept}\r\nConnection: close\r\n\r\n`),
    );
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('close', () => {
      const [head, ...body] = answer.split('\r\n\r\n');
      const location = /\r\nlocation: ([^\r]*)/i.exec(head)?.[1];
      resolve({ status: Number(head.split(' ')[1]), location, body: Buffer.from(body.join('\r\n\r\n'), 'latin1').toString() });
    });
  });
}
