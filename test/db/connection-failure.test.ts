// Which failed statements mean the database is unreachable (answered 503), told apart from the request's own faults.
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { isConnectionFailure } from '../../src/db/errors.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a query against a port nobody listens on fails as a connection failure, wrapped by drizzle or not', async (t) => {
  const pool = new pg.Pool({ host: '127.0.0.1', port: 1, user: 'nobody', database: 'nothing' });
  t.teardown(() => pool.end());
  const raw = await pool.query('select 1').catch((error: unknown) => error);
  t.ok(isConnectionFailure(raw), 'the driver error (ECONNREFUSED)');
  const wrapped = await drizzle(pool)
    .execute(sql`select ${'secret'}::text`)
    .catch((error: unknown) => error);
  t.not((wrapped as Error).constructor, (raw as Error).constructor, 'drizzle wraps the error');
  t.ok(isConnectionFailure(wrapped), 'the drizzle error whose cause it is');
});

t.test('server-side endings and node-postgres messages count; the request’s own faults do not', async (t) => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });
  for (const code of ['08006', '08001', '57P01', '57P02', '57P03', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']) {
    t.ok(isConnectionFailure(new Error('query failed', { cause: withCode(code) })), code);
  }
  t.ok(isConnectionFailure(new Error('Connection terminated unexpectedly')), 'Connection terminated unexpectedly');
  t.ok(isConnectionFailure(new Error('Connection terminated')), 'Connection terminated');
  for (const code of ['23505', '40P01', '57014', '22P02', '42P01']) t.notOk(isConnectionFailure(withCode(code)), code);
  t.notOk(isConnectionFailure(new Error('Connection terminated due to connection timeout; more')), 'a message that only starts so');
  t.notOk(isConnectionFailure('ECONNREFUSED'), 'not an error');
});

t.test('a closed PGlite fails as a connection failure; a division by zero does not', async (t) => {
  const pglite = new PGlite();
  await pglite.query('select 1');
  await pglite.close();
  t.ok(isConnectionFailure(await pglite.query('select 1').catch((error: unknown) => error)), 'the closed instance');
  const { db } = await openTestDatabase(t);
  t.notOk(isConnectionFailure(await db.execute(sql`select 1 / 0`).catch((error: unknown) => error)), 'a division by zero');
});
