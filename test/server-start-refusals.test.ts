// Start-ups the setup refuses before the service listens: the database not there or not usable, a
// settings file that cannot be read, a script that cannot start. Each ends in one line naming the
// setting, without a stack trace. (First starts that listen are in server-start.test.ts.)

import { join } from 'node:path';
import pg from 'pg';
import type { Test } from 'tap';
import { launchService, spawnProcess } from './fixtures/service-process.js';
import { usingPostgres } from './helper.js';
import { fileTest } from './root.js';

const t = fileTest();

const STACK_FRAME = /^\s+at /m;

/** The output of a start the setup refuses before any database opens: it exits with 1. */
async function refusedStart(t: Test, env: Record<string, string>): Promise<string> {
  const service = launchService(t, {
    env,
    open: async () => {
      throw new Error('unused');
    },
  });
  const { code } = await service.exited;
  t.equal(code, 1);
  return service.output().trim();
}

t.test('a database that cannot be reached is one line naming DATABASE_URL, without its password', async (t) => {
  // nothing listens on port 1
  const output = await refusedStart(t, { DATABASE_URL: 'postgres://trace:s3cret-pw@127.0.0.1:1/trace' });
  t.notMatch(output, STACK_FRAME, 'no stack trace', { output });
  t.notMatch(output, /s3cret-pw/, 'the password is not printed');
  t.match(output, /^DATABASE_URL: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/trace: .*ECONNREFUSED/m);
});

t.test('so it is for the scripts that open the service database', async (t) => {
  for (const script of ['scripts/admin-key.ts', 'scripts/seed.ts']) {
    const run = spawnProcess(t, [script], { DATABASE_URL: 'postgres://trace:s3cret-pw@127.0.0.1:1/trace' });
    t.equal((await run.exited).code, 1, script);
    const output = run.output().trim();
    t.notMatch(output, STACK_FRAME, `${script}: no stack trace`, { output });
    t.match(
      output,
      /^DATABASE_URL: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/trace: connect ECONNREFUSED 127\.0\.0\.1:1$/,
      `${script}: one line`,
    );
  }
});

t.test('a .env that cannot be read is one line for the service and for the scripts alike', async (t) => {
  // what a bind mount of a missing file leaves: a folder in its place
  const folder = t.testdir({ '.env': {} });
  for (const script of ['src/server.ts', 'scripts/admin-key.ts', 'scripts/seed.ts']) {
    const run = spawnProcess(t, [script], {}, folder);
    t.equal((await run.exited).code, 1, script);
    const output = run.output().trim();
    t.notMatch(output, STACK_FRAME, `${script}: no stack trace`, { output });
    t.match(output, /^\.env: cannot be read as a settings file \(it is not a file\)$/, `${script}: one line`);
  }
});

t.test(
  'a database the server refuses (no such database) is one line too',
  { skip: !usingPostgres() && 'needs a PostgreSQL server' },
  async (t) => {
    const url = new URL(process.env.DATABASE_URL as string);
    url.pathname = '/no_such_database_here';
    const output = await refusedStart(t, { DATABASE_URL: url.href });
    t.notMatch(output, STACK_FRAME, 'no stack trace', { output });
    t.match(
      output,
      /^DATABASE_URL: cannot connect to PostgreSQL at .*\/no_such_database_here: database "no_such_database_here" does not exist$/m,
    );
  },
);

t.test(
  'a role that may not apply the migrations is one line too, saying what it lacks',
  { skip: !usingPostgres() && 'needs a PostgreSQL server' },
  async (t) => {
    // a role that only logs in: PostgreSQL 15 and later give no role but the owner CREATE in a database
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const role = `trace_no_create_${process.pid}_${Date.now()}`;
    await admin.query(`create role ${role} login`);
    t.teardown(async () => {
      await admin.query(`drop role if exists ${role}`);
      await admin.end();
    });
    const url = new URL(process.env.DATABASE_URL as string);
    url.username = role;
    url.password = 's3cret-pw';
    const output = await refusedStart(t, { DATABASE_URL: url.href });
    t.notMatch(output, STACK_FRAME, 'no stack trace', { output });
    t.notMatch(output, /s3cret-pw/, 'the password is not printed');
    t.match(
      output,
      new RegExp(`^DATABASE_URL: the role ${role} cannot apply the migrations at .*: permission denied for database .*; .*CREATE`, 'm'),
    );
  },
);

t.test('a script that cannot start (its folder gone) is an exit the test sees, not an error that ends the run', async (t) => {
  const run = spawnProcess(t, ['scripts/admin-key.ts'], {}, join(t.testdir(), 'gone'));
  t.same(await run.exited, { code: null, signal: null });
  t.match(run.output(), /^could not start scripts\/admin-key\.ts: spawn .*ENOENT/);
});
