// Start-ups that fail for the operator's setting, not for a bug: the port taken, the database not
// there. Each ends in one line naming the setting, without a stack trace, and a first start that
// could not listen, or could not load the demo chain, has issued no admin key the operator never saw.
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import type { Test } from 'tap';
import { createServices } from '../src/app.js';
import { completeUscc } from '../src/codes/uscc.js';
import { launchService, serviceStorage, spawnProcess } from './fixtures/service-process.js';
import { usingPostgres } from './helper.js';
import { fileTest } from './root.js';

const t = fileTest();
// three service processes, each compiling and opening its database
t.setTimeout(300_000);

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

t.test('a first start on a port already taken says so, and the next start prints the admin key it made', async (t) => {
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const { port } = taken.address() as { port: number };

  const storage = await serviceStorage(t, { empty: true });
  // no ADMIN_API_KEY: the first start issues one and shows it once
  const first = launchService(t, storage, { PORT: String(port), ADMIN_API_KEY: '' });
  const { code } = await first.exited;
  t.equal(code, 1, 'the start fails');
  const output = first.output().trim();
  t.notMatch(output, STACK_FRAME, 'no stack trace', { output });
  t.match(
    output,
    new RegExp(`^PORT, HOST: cannot listen on 127\\.0\\.0\\.1:${port}: .*address already in use`, 'm'),
    'names the setting and why',
  );

  const second = launchService(t, storage, { ADMIN_API_KEY: '' });
  await second.waitFor(/service ready on/);
  t.match(
    second.output(),
    /Admin API key \(shown once, stored hashed — keep it\):\s+ctk_\S+/,
    'the start that listens shows a new admin key',
  );
  t.same(await second.stop('SIGTERM'), { code: 0, signal: null });
});

t.test('a first start whose demo load fails issues no admin key; the next start prints the one it makes', async (t) => {
  const storage = await serviceStorage(t);
  // a party already registered under the USCC of a demo farm: copying the demo chain in breaks on it
  const database = await storage.open();
  await createServices(database).parties.register({
    kind: 'farm',
    name: '奉节县永乐镇绿源生猪养殖专业合作社',
    uscc: completeUscc('93500236MA5YL1K0N'),
    regionCode: '500236',
  });
  await database.close();

  const first = launchService(t, storage, { ADMIN_API_KEY: '', SEED_DEMO: 'true' });
  t.equal((await first.exited).code, 1, 'the start fails');
  t.match(first.output(), /parties_uscc_key/, 'on the demo farm registered already');
  t.notMatch(first.output(), /ctk_/, 'it shows no admin key', { output: first.output() });

  const second = launchService(t, storage, { ADMIN_API_KEY: '' });
  await second.waitFor(/service ready on/);
  const [, key] = /Admin API key \(shown once, stored hashed — keep it\):\s+(ctk_\S+)/.exec(second.output()) ?? [];
  t.ok(key, 'the next start shows the first admin key', { output: second.output() });
  const [, base] = /service ready on (\S+)/.exec(second.output()) ?? [];
  t.equal((await fetch(`${base}/parties`, { headers: { authorization: `Bearer ${key}` } })).status, 200, 'and it works');
  t.same(await second.stop('SIGTERM'), { code: 0, signal: null });
});

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

t.test('on an IPv6 address the links printed are URLs: the address in brackets', async (t) => {
  const storage = await serviceStorage(t);
  const service = launchService(t, storage, { HOST: '::1' });
  const [, base] = await service.waitFor(/service ready on (\S+)/);
  t.match(base, /^http:\/\/\[::1\]:\d+$/, base);
  t.match(service.output(), `API docs (Swagger UI):  ${base}/docs`);
  t.equal((await fetch(`${base}/health`)).status, 200, 'the printed address answers');
  t.same(await service.stop('SIGTERM'), { code: 0, signal: null });
});
