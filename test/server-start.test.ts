// First starts of the service: one that could not listen (the port taken, said in one line without
// a stack trace), or could not load the demo chain, has issued no admin key the operator never saw;
// on an IPv6 address the links printed are URLs. (Start-ups refused for the database or the settings
// file are in server-start-refusals.test.ts.) A start fixes, once, the complaints stored before
// filings were logged: the `complaint.baseline` entry is recorded before any filing.

import { createServer, type Server } from 'node:net';
import { sql } from 'drizzle-orm';
import { createServices } from '../src/app.js';
import { completeUscc } from '../src/codes/uscc.js';
import { queryRows } from '../src/db/client.js';
import { launchService, serviceStorage } from './fixtures/service-process.js';
import { usingPostgres } from './helper.js';
import { fileTest } from './root.js';

const t = fileTest();
// seven service processes, each compiling and opening its database
t.setTimeout(300_000);

const STACK_FRAME = /^\s+at /m;

t.test(
  'a first start on a port already taken says so (its migrations logged), and the next start prints the admin key it made',
  async (t) => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const { port } = taken.address() as { port: number };

    const storage = await serviceStorage(t, { empty: true });
    // no ADMIN_API_KEY: the first start issues one and shows it once
    const first = launchService(t, storage, { PORT: String(port), ADMIN_API_KEY: '', LOG_LEVEL: 'info' });
    const { code } = await first.exited;
    t.equal(code, 1, 'the start fails');
    const output = first.output().trim();
    // the migrations ran before it tried to listen: each logged, by the process's logger, as it was applied
    const logged = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; migration?: string; ms?: number; migrations?: number });
    const applied = logged.filter((line) => line.msg === 'migration applied');
    if (usingPostgres()) {
      // the fixture's PostgreSQL database comes migrated (test/db/migration-log.test.ts migrates an empty one)
      t.ok(
        logged.some((line) => line.msg === 'database schema is current'),
        'a migrated database: no migration to apply',
      );
    } else {
      t.match(applied[0], { migration: '0000_init', ms: Number }, 'the first migration, with the time it took');
      t.ok(
        applied.some((line) => line.migration === '0105_list_paging_indexes'),
        'migration 0105 by its tag',
      );
      t.match(
        logged.find((line) => line.msg === 'migrations applied'),
        { migrations: applied.length, ms: Number },
        `${applied.length} migrations applied in all`,
      );
    }
    t.notMatch(output, STACK_FRAME, 'no stack trace', { output });
    t.match(
      output,
      new RegExp(`^PORT, HOST: cannot listen on 127\\.0\\.0\\.1:${port}: .*address already in use`, 'm'),
      'names the setting and why',
    );

    const second = launchService(t, storage, { ADMIN_API_KEY: '', LOG_LEVEL: 'info' });
    await second.waitFor(/service ready on/);
    t.match(
      second.output(),
      /Admin API key \(shown once, stored hashed — keep it\):\s+ctk_\S+/,
      'the start that listens shows a new admin key',
    );
    t.match(second.output(), /"msg":"database schema is current"/, 'the next start finds no migration to apply');
    t.notMatch(second.output(), /"msg":"migration applied"/, 'and logs none');
    t.same(await second.stop('SIGTERM'), { code: 0, signal: null });
  },
);

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

t.test('on an IPv6 address the links printed are URLs: the address in brackets', async (t) => {
  const storage = await serviceStorage(t);
  const service = launchService(t, storage, { HOST: '::1' });
  const [, base] = await service.waitFor(/service ready on (\S+)/);
  t.match(base, /^http:\/\/\[::1\]:\d+$/, base);
  t.match(service.output(), `API docs (Swagger UI):  ${base}/docs`);
  t.equal((await fetch(`${base}/health`)).status, 200, 'the printed address answers');
  t.same(await service.stop('SIGTERM'), { code: 0, signal: null });
});

t.test('a start records the baseline of the complaints stored before filings were logged, once', async (t) => {
  const storage = await serviceStorage(t);
  // a complaint stored by the code that logged no filing, listed by migration 0077
  const before = await storage.open();
  await queryRows(
    before.db,
    sql`insert into complaints (ticket, item_code, category, text, status, ip_hash) values ('TS20260101OLD001', 'FAKE0000000', 'quality', '投诉', 'open', 'x')`,
  );
  await queryRows(before.db, sql`insert into complaints_before_log (ticket) values ('TS20260101OLD001')`);
  await before.close();
  for (const start of ['first', 'second']) {
    const service = launchService(t, storage);
    await service.waitFor(/service ready on/);
    t.same(await service.stop('SIGTERM'), { code: 0, signal: null }, `the ${start} start`);
  }
  const after = await storage.open();
  t.teardown(() => after.close());
  const entries = await queryRows<{ chain: string; kind: string; subjectId: string }>(
    after.db,
    sql`select party_code as chain, kind, subject_id as "subjectId" from audit_entries where kind like 'complaint.%'`,
  );
  t.same(
    entries,
    [{ chain: 'system', kind: 'complaint.baseline', subjectId: 'complaints_before_log' }],
    'one baseline, with no filing made',
  );
});
