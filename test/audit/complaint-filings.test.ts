// A consumer's complaint is an entry of its own from its filing (`complaint.file`, on the chain of
// the party it is about, or `system`): resolved behind the service's back with a forged note of its
// own, with no note logged, it no longer verifies (its first note has no entry); nor does one moved
// with no note, one slipped in whole (whenever its row says it was filed), or one whose filing was
// altered. Complaints stored before filings were logged (those the migration listed in
// complaints_before_log, which the `complaint.baseline` entry a start records hashes) still verify;
// a list with no baseline recorded does not, nor one with a ticket added after the start.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { queryRows } from '../../src/db/client.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { type Actor, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A lot of the party's that a consumer pack's label names (a GTIN and a lot number): a code a shopper may complain about. */
const labelledLot = async (party: Actor) =>
  party.commission(await party.product('kg', { gtin: completeGs1('0690123456789') }), 10, { lotNumber: 'LA-1' });

type Report = { chain: string; entries: number; ok: boolean; firstBroken: Record<string, unknown> | null };

/** SQL on the world's database, and the regulator's verification of the audit log (of one party's chain, if named). */
function auditOf(world: World) {
  const run = <T>(query: ReturnType<typeof sql>) => queryRows<T>(world.database.db, query);
  const verify = async (party?: string) => {
    const reply = await world.regulator.get(`/audit/verify${party ? `?party=${party}` : ''}`);
    if (reply.status !== 200) throw new Error(`verify: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body as { ok: boolean; chains: Report[] };
  };
  /** A complaint row stored behind the service's back, as the code before filings were logged stored one: about a party's lot, or an unknown code. */
  const insertComplaint = (ticket: string, createdAt: string, about: { lot: string; partyCode: string } | null, status = 'open') =>
    run(sql`insert into complaints (ticket, item_code, lot_code, party_code, category, text, status, ip_hash, created_at, updated_at)
      values (${ticket}, ${about?.lot ?? 'FAKE0000000'}, ${about?.lot ?? null}, ${about?.partyCode ?? null}, 'quality', '投诉', ${status},
        'x', ${createdAt}::timestamptz, ${createdAt}::timestamptz)`);
  /** Lists a ticket among the complaints stored before filings were logged, as migration 0077 lists them. */
  const listBeforeLog = (ticket: string) => run(sql`insert into complaints_before_log (ticket) values (${ticket})`);
  const baselines = () =>
    run<{ chain: string; subjectId: string }>(
      sql`select party_code as chain, subject_id as "subjectId" from audit_entries where kind = 'complaint.baseline'`,
    );
  return { run, verify, baselines, insertComplaint, listBeforeLog };
}

t.test('complaint filings in the audit log', async (t) => {
  const world = await createWorld(t, undefined, { complaintsPerHour: 50 });
  const { regulator } = world;
  const { run, verify, insertComplaint, listBeforeLog } = auditOf(world);
  const broken = async (party?: string) => (await verify(party)).chains.filter((chain) => !chain.ok);
  // each filing its own complaint, a text said before numbered: the same one posted again within ten minutes is the
  // one filed before
  const said = new Map<string, number>();
  const file = async (code: string, typed: string) => {
    const times = (said.get(typed) ?? 0) + 1;
    said.set(typed, times);
    const text = times === 1 ? typed : `${typed} ${times}`;
    const filed = await world.ok(client(world.app).post('/complaints', { code, category: 'quality', text }));
    return filed.ticket as string;
  };
  const move = (ticket: string, status: string, note: string, outcome?: string) =>
    regulator.post(`/regulator/complaints/${ticket}/transitions`, { status, note, outcome });
  const forgedNote = JSON.stringify([{ at: new Date().toISOString(), status: 'resolved', note: '已处理', by: null }]);

  const farm = await world.party('farm');
  const other = await world.party('processor');
  const lot = await labelledLot(farm);

  // filed long before this test's complaints, before the log covered filings: the row alone, listed by the migration
  for (const [ticket, about] of [
    ['TS20260101OLD001', { lot, partyCode: farm.code }],
    ['TS20260101OLD002', null],
  ] as const) {
    await insertComplaint(ticket, '2026-01-01T02:00:00Z', about);
    await listBeforeLog(ticket);
  }
  // as the start after the upgrade fixes them
  await world.app.services.audit.recordComplaintBaseline();

  t.test('a filing is an entry on the chain of the party the complaint is about, or system', async (t) => {
    const aboutLot = await file(lot, '有异味');
    const unknown = await file('FAKE0000000', '疑似假冒');
    const entries = await run<{ chain: string; kind: string; subjectId: string; keyId: string | null }>(
      sql`select party_code as chain, kind, subject_id as "subjectId", key_id as "keyId" from audit_entries
        where kind = 'complaint.file' order by party_code, sequence`,
    );
    const byTicket = (a: { subjectId: string }, b: { subjectId: string }) => (a.subjectId < b.subjectId ? -1 : 1);
    t.same(
      entries.filter((entry) => entry.subjectId === aboutLot || entry.subjectId === unknown).sort(byTicket),
      [
        { chain: farm.code, kind: 'complaint.file', subjectId: aboutLot, keyId: null },
        { chain: 'system', kind: 'complaint.file', subjectId: unknown, keyId: null },
      ].sort(byTicket),
    );
    t.ok((await verify()).ok, 'all verify, the complaints stored before filings were logged too');
  });

  t.test('a complaint filed, investigated and resolved through the service verifies', async (t) => {
    const ticket = await file(lot, '包装破损');
    expectStatus(t, await move(ticket, 'investigating', '已受理'), 200, 'investigating');
    expectStatus(t, await move(ticket, 'resolved', '确认', 'upheld'), 200, 'resolved');
    t.ok((await verify()).ok, 'all verify');
    t.ok((await verify(farm.code)).ok, "the farm's chain verifies alone");
  });

  t.test('resolved behind the service’s back with a forged note of its own, no note logged', async (t) => {
    for (const code of [lot, 'FAKE0000000']) {
      const ticket = await file(code, '变质');
      t.ok((await verify()).ok, 'all verify');
      await run(
        sql`update complaints set status = 'resolved', outcome = 'dismissed', notes = notes || ${forgedNote}::jsonb where ticket = ${ticket}`,
      );
      const chains = await broken();
      t.same(
        chains.map((report) => report.chain),
        ['system'],
        'the system chain is broken, where notes with no entry are reported',
      );
      t.match(
        chains[0]?.firstBroken,
        { kind: 'complaint.transition', subjectId: `${ticket}#0`, problem: 'missing-entry', detail: /since its logged filing/ },
        'its first note has no entry',
      );
      t.ok((await verify(farm.code)).ok, "the filing's chain verifies alone: the filing is as it was");
      // a note slipped in alone, the status left as it was
      await run(sql`update complaints set status = 'open', outcome = null where ticket = ${ticket}`);
      t.match((await broken())[0]?.firstBroken, { subjectId: `${ticket}#0`, problem: 'missing-entry' }, 'a note alone');
      // notes altered into JSON that is no list
      await run(sql`update complaints set notes = '{"0": "x"}'::jsonb where ticket = ${ticket}`);
      t.match((await broken())[0]?.firstBroken, { subjectId: `${ticket}#0`, problem: 'missing-entry' }, 'notes no longer a list');
      await run(sql`update complaints set notes = '[]'::jsonb where ticket = ${ticket}`);
      t.ok((await verify()).ok, 'verifies again once removed');
    }
  });

  t.test('moved behind the log’s back after a logged note, or with no note at all', async (t) => {
    const ticket = await file(lot, '有虫');
    expectStatus(t, await move(ticket, 'investigating', '已受理'), 200, 'investigating');
    t.ok((await verify()).ok, 'all verify');
    await run(sql`update complaints set status = 'open' where ticket = ${ticket}`);
    const chains = await broken();
    t.ok(chains.length > 0, 'reopened behind the log');
    await run(sql`update complaints set status = 'investigating' where ticket = ${ticket}`);
    t.ok((await verify()).ok, 'verifies again once restored');

    const quiet = await file(lot, '有虫');
    await run(sql`update complaints set status = 'investigating' where ticket = ${quiet}`);
    t.match(
      (await broken())[0]?.firstBroken,
      { kind: 'complaint.file', subjectId: quiet, problem: 'payload-mismatch' },
      'moved with no note at all',
    );
    await run(sql`update complaints set status = 'open' where ticket = ${quiet}`);
    await run(sql`update complaints set outcome = 'upheld' where ticket = ${quiet}`);
    t.match((await broken())[0]?.firstBroken, { kind: 'complaint.file', subjectId: quiet }, 'an outcome alone');
    await run(sql`update complaints set outcome = null where ticket = ${quiet}`);
    t.ok((await verify()).ok, 'verifies again once restored');
  });

  t.test('the filing’s facts altered', async (t) => {
    const ticket = await file(lot, '有股异味');
    const cases: [string, ReturnType<typeof sql>, ReturnType<typeof sql>][] = [
      ['its text', sql`text = '没问题'`, sql`text = '有股异味'`],
      ['the code it is about', sql`item_code = 'FAKE0000000'`, sql`item_code = ${lot}`],
      ['the party it is about', sql`party_code = ${other.code}`, sql`party_code = ${farm.code}`],
      ['its category', sql`category = 'other'`, sql`category = 'quality'`],
      ['when it was filed', sql`created_at = created_at - interval '1 day'`, sql`created_at = created_at + interval '1 day'`],
    ];
    for (const [what, alter, restore] of cases) {
      await run(sql`update complaints set ${alter} where ticket = ${ticket}`);
      t.match(
        (await broken()).find((report) => report.chain === farm.code)?.firstBroken,
        { kind: 'complaint.file', subjectId: ticket, problem: 'payload-mismatch' },
        what,
      );
      await run(sql`update complaints set ${restore} where ticket = ${ticket}`);
    }
    t.ok((await verify()).ok, 'verifies again once restored');
    await run(sql`delete from complaints where ticket = ${ticket}`);
    t.match(
      (await broken())[0]?.firstBroken,
      { kind: 'complaint.file', subjectId: ticket, problem: 'payload-mismatch', detail: /no longer stored/ },
      'deleted',
    );
  });
});

t.test('complaints without a filing entry', async (t) => {
  const world = await createWorld(t, undefined, { complaintsPerHour: 50 });
  const { regulator } = world;
  const { run, verify, baselines, insertComplaint, listBeforeLog } = auditOf(world);
  const farm = await world.party('farm');
  const other = await world.party('processor');
  const lot = await labelledLot(farm);
  const insert = (ticket: string, createdAt: string, status = 'open') =>
    insertComplaint(ticket, createdAt, { lot, partyCode: farm.code }, status);

  // stored before any filing was logged (as the code before this change stored them), and listed in
  // complaints_before_log as the migration lists every complaint stored when it runs
  await insert('TS20260101OLD001', '2026-01-01T02:00:00Z');
  await insert('TS20260101OLD002', '2026-01-01T03:00:00Z');
  // the migration's own statement: every complaint stored when it runs, none of them filed with an entry
  await run(sql.raw(migrationStatement('0077_complaints_before_log.sql', 2)));
  t.same(
    (await run<{ ticket: string }>(sql`select ticket from complaints_before_log order by ticket`)).map((row) => row.ticket),
    ['TS20260101OLD001', 'TS20260101OLD002'],
    'the migration lists the complaints stored before',
  );
  await world.app.services.audit.recordComplaintBaseline();
  t.same(await baselines(), [{ chain: 'system', subjectId: 'complaints_before_log' }], 'the start fixed the old complaints');
  t.ok((await verify()).ok, 'complaints stored before filings were logged verify');
  const moved = await regulator.post('/regulator/complaints/TS20260101OLD001/transitions', { status: 'investigating', note: '已受理' });
  expectStatus(t, moved, 200, 'an old complaint is moved on through the service');
  const resolved = await regulator.post('/regulator/complaints/TS20260101OLD001/transitions', {
    status: 'resolved',
    note: '确认',
    outcome: 'upheld',
  });
  expectStatus(t, resolved, 200, 'and resolved');

  const filed = await client(world.app).post('/complaints', { code: lot, category: 'quality', text: '有异味' });
  expectStatus(t, filed, 201, 'a complaint filed: filings are logged from here on');
  t.ok((await verify()).ok, 'the old complaints still verify, with their logged notes');
  t.equal((await baselines()).length, 1, 'a filing records no baseline of its own');

  // a complaint slipped in whole with its row dated before the first logged filing, resolved and upheld
  // with a note of its own: its date is the forger's to choose, so it is not one of the old complaints
  const forgedNote = JSON.stringify([{ at: '2026-01-02T00:00:00Z', status: 'resolved', note: '确认', by: null }]);
  await run(sql`insert into complaints (ticket, item_code, lot_code, party_code, category, text, status, outcome, notes, ip_hash,
      created_at, updated_at)
    values ('TS20260101BACK01', ${lot}, ${lot}, ${farm.code}, 'quality', '投诉', 'resolved', 'upheld', ${forgedNote}::jsonb, 'x',
      '2026-01-01T04:00:00Z'::timestamptz, '2026-01-02T00:00:00Z'::timestamptz)`);
  const backdated = await verify();
  t.notOk(backdated.ok, 'a backdated complaint does not verify');
  t.match(
    backdated.chains.find((chain) => chain.chain === farm.code)?.firstBroken,
    { kind: 'complaint.file', subjectId: 'TS20260101BACK01', problem: 'missing-entry' },
    'reported on the chain its filing would be on',
  );
  // listed among the old complaints as well: the list no longer hashes as the baseline recorded it
  await listBeforeLog('TS20260101BACK01');
  t.match(
    (await verify('system')).chains[0]?.firstBroken,
    { kind: 'complaint.baseline', subjectId: 'complaints_before_log', problem: 'payload-mismatch' },
    'a ticket added to the old complaints breaks the baseline',
  );
  await run(sql`delete from complaints where ticket = 'TS20260101BACK01'`);
  await run(sql`delete from complaints_before_log where ticket = 'TS20260101BACK01'`);
  t.ok((await verify()).ok, 'verifies again once removed');
  await run(sql`delete from complaints_before_log where ticket = 'TS20260101OLD002'`);
  t.match(
    (await verify('system')).chains[0]?.firstBroken,
    { kind: 'complaint.baseline', subjectId: 'complaints_before_log', problem: 'payload-mismatch' },
    'a ticket taken out of the old complaints breaks the baseline',
  );
  await listBeforeLog('TS20260101OLD002');
  t.ok((await verify()).ok, 'verifies again once restored');

  // an old complaint resolved behind the service's back: no entry covers it at all
  await run(sql`update complaints set status = 'resolved', outcome = 'dismissed' where ticket = 'TS20260101OLD002'`);
  const unlogged = (await verify()).chains.filter((chain) => !chain.ok);
  t.same(
    unlogged.map((chain) => chain.chain),
    ['system'],
  );
  t.match(
    unlogged[0]?.firstBroken,
    { kind: 'complaint.transition', subjectId: 'TS20260101OLD002#0', problem: 'missing-entry' },
    'a resolution no note records, of an old complaint',
  );
  t.ok((await verify(farm.code)).ok, "a party's chain alone is not concerned");
  await run(sql`update complaints set status = 'open', outcome = 'upheld' where ticket = 'TS20260101OLD002'`);
  t.match(
    (await verify('system')).chains[0]?.firstBroken,
    { subjectId: 'TS20260101OLD002#0', problem: 'missing-entry' },
    'or an outcome alone',
  );
  await run(sql`update complaints set outcome = null where ticket = 'TS20260101OLD002'`);
  t.ok((await verify()).ok, 'verifies again once restored');

  // a complaint slipped in whole, filed (by its row) since filings were logged, and resolved
  const since = new Date(Date.now() + 60_000).toISOString();
  await insert('TS20261205SLIP01', since, 'resolved');
  const report = await verify();
  t.same(
    report.chains
      .filter((chain) => !chain.ok)
      .map((chain) => chain.chain)
      .sort(),
    [farm.code, 'system'].sort(),
    'reported on the chain its filing would be on, and its resolution where unlogged moves are',
  );
  const farmChain = report.chains.find((chain) => chain.chain === farm.code);
  const [head] = await run<{ sequence: number }>(sql`select sequence from audit_heads where party_code = ${farm.code}`);
  t.match(farmChain?.firstBroken, {
    kind: 'complaint.file',
    subjectId: 'TS20261205SLIP01',
    problem: 'missing-entry',
    sequence: head.sequence + 1,
  });
  t.notOk((await verify(farm.code)).ok, "verifying the farm's chain alone finds it");
  t.ok((await verify(other.code)).ok, "another party's chain is not concerned");
  t.match(
    (await verify('system')).chains[0]?.firstBroken,
    { kind: 'complaint.transition', subjectId: 'TS20261205SLIP01#0', problem: 'missing-entry' },
    'resolved with no note logged',
  );
  await run(sql`delete from complaints where ticket = 'TS20261205SLIP01'`);
  t.ok((await verify()).ok, 'verifies again once removed');
});

t.test('the complaints stored before filings were logged are fixed at start, before any filing', async (t) => {
  const world = await createWorld(t);
  const { run, verify, baselines, insertComplaint, listBeforeLog } = auditOf(world);
  const recordBaseline = () => world.app.services.audit.recordComplaintBaseline();
  const farm = await world.party('farm');
  const about = { lot: await labelledLot(farm), partyCode: farm.code };
  // as migration 0077 found them, before the start after it
  for (const ticket of ['TS20260101OLD001', 'TS20260101OLD002']) {
    await insertComplaint(ticket, '2026-01-01T02:00:00Z', about);
    await listBeforeLog(ticket);
  }
  const missing = await verify();
  t.notOk(missing.ok, 'listed complaints with no baseline recorded do not verify');
  t.match(
    missing.chains.find((chain) => chain.chain === 'system')?.firstBroken,
    { kind: 'complaint.baseline', subjectId: 'complaints_before_log', problem: 'missing-entry', detail: /lists 2 complaint/ },
    'the baseline is missing, on the system chain',
  );
  t.match(
    (await verify('system')).chains[0]?.firstBroken,
    { kind: 'complaint.baseline', problem: 'missing-entry' },
    'verifying the system chain alone finds it',
  );
  t.ok((await verify(farm.code)).ok, "a party's chain alone is not concerned");

  // two instances starting at once, then a later start
  await Promise.all([recordBaseline(), recordBaseline()]);
  await recordBaseline();
  t.same(await baselines(), [{ chain: 'system', subjectId: 'complaints_before_log' }], 'one baseline');
  t.same(await run(sql`select subject_id from audit_entries where kind = 'complaint.file'`), [], 'recorded before any filing');
  t.ok((await verify()).ok, 'the old complaints verify');

  // a complaint slipped in whole after the start, listed among the old ones, then a filing (which once sealed it into the baseline)
  await insertComplaint('TS20260101FAKE01', '2026-01-01T04:00:00Z', about);
  await listBeforeLog('TS20260101FAKE01');
  const filed = await client(world.app).post('/complaints', { code: about.lot, category: 'quality', text: '有异味' });
  expectStatus(t, filed, 201, 'a complaint filed');
  t.equal((await baselines()).length, 1, 'the filing records no baseline');
  t.match(
    (await verify('system')).chains[0]?.firstBroken,
    { kind: 'complaint.baseline', subjectId: 'complaints_before_log', problem: 'payload-mismatch' },
    'the forged complaint breaks the baseline',
  );
});

t.test('a start with no complaints stored before filings were logged fixes the empty list', async (t) => {
  const world = await createWorld(t);
  const { verify, baselines, insertComplaint, listBeforeLog } = auditOf(world);
  t.ok((await verify()).ok, 'an empty list with no baseline verifies: nothing is left unfixed');
  await world.app.services.audit.recordComplaintBaseline();
  t.same(await baselines(), [{ chain: 'system', subjectId: 'complaints_before_log' }], 'the baseline of no complaints');
  t.ok((await verify()).ok, 'verifies');
  await insertComplaint('TS20260101FAKE01', '2026-01-01T04:00:00Z', null);
  await listBeforeLog('TS20260101FAKE01');
  t.match(
    (await verify('system')).chains[0]?.firstBroken,
    { kind: 'complaint.baseline', subjectId: 'complaints_before_log', problem: 'payload-mismatch' },
    'a forged complaint listed on a quiet installation breaks it',
  );
});
