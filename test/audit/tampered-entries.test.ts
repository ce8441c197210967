// An audit row whose kind or subject was altered into something no writer records is a broken
// link verification reports (entry-mismatch), never a failure of verification itself.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('audit rows altered into unknown kinds or malformed subjects', async (t) => {
  const world = await createWorld(t);
  const { database, regulator } = world;
  const run = <T>(query: ReturnType<typeof sql>) => queryRows<T>(database.db, query);

  const farm = await world.party('farm');
  const pork = await farm.product('kg');
  await farm.commission(pork, 10);
  const filed = await client(world.app).post('/complaints', { code: 'FAKE0000000', category: 'counterfeit', text: '码扫不出来' });
  expectStatus(t, filed, 201, 'a complaint filed');
  const ticket = filed.body.ticket as string;
  expectStatus(
    t,
    await regulator.post(`/regulator/complaints/${ticket}/transitions`, { status: 'investigating', note: 'n' }),
    200,
    'investigating',
  );
  expectStatus(t, await regulator.post('/credit/recompute', {}), 200, 'recomputed');
  const ok = await regulator.get('/audit/verify');
  expectStatus(t, ok, 200, 'verified');
  t.ok(ok.body.ok, 'the untouched log verifies');

  const entryOf = async (chain: string, kind: string) =>
    (
      await run<{ sequence: number; subjectId: string }>(
        sql`select sequence, subject_id as "subjectId" from audit_entries where party_code = ${chain} and kind = ${kind} order by sequence limit 1`,
      )
    )[0];

  const cases: { what: string; chain: string; kind: string; set: ReturnType<typeof sql> }[] = [
    { what: 'an event entry whose kind is made unknown', chain: farm.code, kind: 'event', set: sql`kind = 'bogus'` },
    { what: 'a credit run whose subject is no time', chain: 'system', kind: 'credit.recompute', set: sql`subject_id = 'the first run'` },
    {
      what: 'a complaint note whose subject has no number',
      chain: 'system',
      kind: 'complaint.transition',
      set: sql`subject_id = ${`${ticket}#first`}`,
    },
    {
      what: 'a complaint note whose number overflows',
      chain: 'system',
      kind: 'complaint.transition',
      set: sql`subject_id = ${`${ticket}#99999999999`}`,
    },
  ];
  for (const { what, chain, kind, set } of cases) {
    const entry = await entryOf(chain, kind);
    t.ok(entry, `${what}: there is such an entry`);
    const where = sql`party_code = ${chain} and sequence = ${entry.sequence}`;
    const [saved] = await run<{ kind: string; subjectId: string }>(
      sql`select kind, subject_id as "subjectId" from audit_entries where ${where}`,
    );
    await run(sql`update audit_entries set ${set} where ${where}`);
    const reply = await regulator.get('/audit/verify');
    expectStatus(t, reply, 200, `${what}: verified`);
    const report = (reply.body.chains as { chain: string; firstBroken: Record<string, unknown> | null }[]).find((c) => c.chain === chain);
    t.match(report?.firstBroken, { sequence: entry.sequence, problem: /mismatch/ }, `${what}: found as that broken link`);
    await run(sql`update audit_entries set kind = ${saved.kind}, subject_id = ${saved.subjectId} where ${where}`);
  }
  const again = await regulator.get('/audit/verify');
  t.ok(again.body.ok, 'put back, it verifies again');
});
