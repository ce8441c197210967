// Regulators dismiss a flag they looked into, with a reason: it leaves the open lists and the dashboard,
// no longer marks its pack counterfeit, and is audited; an occurrence with new evidence reopens it.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { createRepositories } from '../../src/app.js';
import { hashOf } from '../../src/audit/chain.js';
import { queryRows } from '../../src/db/client.js';
import { periodScope } from '../../src/figures/service.js';
import { reopensDismissed } from '../../src/scans/flags.js';
import { codedAroundTheCheck } from '../fixtures/brand-codes.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Flag = {
  code: string;
  kind: string;
  occurrences: number;
  detail: string;
  dismissal: { reason: string; by: string; at: string; occurrences: number; detail: string | null; evidence: number | null } | null;
};

t.test('flag dismissal', async (t) => {
  // a pack scanned from more than two addresses is over-scanned
  const world = await createWorld(t, undefined, { flagPolicy: { overScanThreshold: 2, maxTravelKmh: 800 } });
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 2);
  const [pack, untouched] = await issuePacks(world, processor, lot, 2);
  const bureau = await world.partyRegulator();

  let phones = 0;
  /** A consumer's scan from a phone on an address of its own (a new phone each time, unless one is named): its warnings. */
  const scan = async (code: string, phone = ++phones) => {
    const reply = await world.app.inject({
      method: 'GET',
      url: `/t/${code}?format=json`,
      remoteAddress: `198.51.100.${phone}`,
      headers: { 'user-agent': `phone ${phone}`, accept: 'application/json' },
    });
    return reply.json().warnings as string[];
  };
  const flagsOf = async (query = '') =>
    ((await world.regulator.get(`/regulator/flags?lotCode=${lot}${query}`)).body.items as Flag[]).map((flag) => [
      flag.code,
      flag.kind,
      flag.dismissal?.reason ?? null,
    ]);
  const dismissalOf = (code: string, kind: string) => `/regulator/flags/${encodeURIComponent(code)}/${kind}/dismissal`;
  const dashboard = async () => {
    const view = await world.app.services.dashboard.view({ keyId: 'county', role: 'regulator', partyCode: null }, periodScope({}));
    return {
      overScanned: view.flags.find((row) => row.kind === 'over_scanned')?.codes ?? 0,
      recent: view.recentFlags.filter((flag) => flag.code === pack).map((flag) => flag.kind),
    };
  };
  const auditEntries = (kind = 'flag.dismiss') =>
    queryRows<{ chain: string; subjectId: string; keyId: string }>(
      world.database.db,
      sql`select party_code as chain, subject_id as "subjectId", key_id as "keyId" from audit_entries where kind = ${kind} order by recorded_at`,
    );
  const verify = async (t: Test) => expectStatus(t, await world.regulator.get('/audit/verify'), 200, 'verify').body;

  for (let scans = 0; scans < 3; scans++) await scan(pack);
  const lastPhone = phones;
  t.same(await flagsOf(), [[pack, 'over_scanned', null]], 'scanned from three addresses: flagged');
  t.same(await scan(pack, lastPhone), ['counterfeit_suspected'], 'and the consumer warned (a reload of the last phone, not counted)');
  t.same(await dashboard(), { overScanned: 1, recent: ['over_scanned'] }, 'the dashboard counts it');

  t.test('other parties are refused, bad input is a 400 naming the field, an unknown flag a 404', async (t) => {
    const body = { reason: 'a display sample in the shop window' };
    const admin = expectStatus(t, await world.admin.post(dismissalOf(pack, 'over_scanned'), body), 403, 'admin');
    t.equal(admin.body.detail, 'only regulator keys may dismiss flags; this key has the admin role');
    expectStatus(t, await processor.api.post(dismissalOf(pack, 'over_scanned'), body), 403, 'the operator of the flagged lot');
    const noReason = expectStatus(t, await world.regulator.post(dismissalOf(pack, 'over_scanned'), {}), 400, 'no reason');
    t.equal(noReason.body.errors[0].pointer, '/reason');
    const blank = expectStatus(t, await world.regulator.post(dismissalOf(pack, 'over_scanned'), { reason: '   ' }), 400, 'a blank reason');
    t.equal(blank.body.errors[0].pointer, '/reason');
    const long = await world.regulator.post(dismissalOf(pack, 'over_scanned'), { reason: 'x'.repeat(1001) });
    t.equal(expectStatus(t, long, 400, 'a reason over 1000 characters').body.errors[0].pointer, '/reason');
    const control = await world.regulator.post(dismissalOf(pack, 'over_scanned'), { reason: 'cleared\u0000' });
    t.equal(expectStatus(t, control, 400, 'a control character').body.errors[0].pointer, '/reason');
    const kind = expectStatus(t, await world.regulator.post(dismissalOf(pack, 'fake'), body), 400, 'a kind that is no flag');
    t.equal(kind.body.errors[0].pointer, '/kind');
    const unknown = expectStatus(t, await world.regulator.post(dismissalOf(pack, 'impossible_travel'), body), 404, 'a flag not raised');
    t.equal(unknown.body.detail, `no impossible_travel flag on ${pack}`);
    expectStatus(t, await world.regulator.post(dismissalOf(untouched, 'over_scanned'), body), 404, 'a code never flagged');
    t.same(await flagsOf(), [[pack, 'over_scanned', null]], 'still open');
    t.same(await auditEntries(), [], 'nothing audited');
  });

  t.test('a regulator dismisses it: out of the open list and the dashboard, the pack no longer marked, audited', async (t) => {
    const dismissed = expectStatus(
      t,
      await world.regulator.post(dismissalOf(pack, 'over_scanned'), { reason: '  a display sample in the shop window  ' }),
      201,
      'dismissed',
    );
    t.match(
      dismissed.body,
      { reason: 'a display sample in the shop window', occurrences: 1 },
      'the reason trimmed, with the occurrences seen',
    );
    t.match(
      dismissed.body,
      { detail: 'scanned from 3 addresses (threshold 2)', evidence: 3 },
      'and the evidence it cleared: the detail, and the addresses counted',
    );
    t.same(await flagsOf(), [], 'no open flag');
    t.same(await flagsOf('&status=dismissed'), [[pack, 'over_scanned', 'a display sample in the shop window']], 'listed as dismissed');
    t.same(await flagsOf('&status=all'), [[pack, 'over_scanned', 'a display sample in the shop window']], 'and among all');
    const [listed] = (await world.regulator.get(`/regulator/flags?status=dismissed&lotCode=${lot}`)).body.items as Flag[];
    t.same(listed.dismissal, dismissed.body, 'the list carries the dismissal');
    const badStatus = expectStatus(t, await world.regulator.get('/regulator/flags?status=closed'), 400, 'a status that is none');
    t.equal(badStatus.body.errors[0].pointer, '/status');
    t.same(await dashboard(), { overScanned: 0, recent: [] }, 'the dashboard counts open flags only');
    t.same(await scan(pack, lastPhone), [], 'the consumer page no longer calls it counterfeit');

    const again = expectStatus(
      t,
      await world.regulator.post(dismissalOf(pack, 'over_scanned'), { reason: 'again' }),
      409,
      'dismissed twice',
    );
    t.match(again.body.detail, `the over_scanned flag on ${pack} was dismissed at ${dismissed.body.at}`);
    t.same(await flagsOf('&status=dismissed'), [[pack, 'over_scanned', 'a display sample in the shop window']], 'the first reason stands');

    const entries = await auditEntries();
    t.equal(entries.length, 1, 'one audit entry');
    t.match(entries[0], { chain: 'system', keyId: dismissed.body.by }, 'on the chain of the regulator key without a party');
    t.ok((await verify(t)).ok, 'the audit log verifies');
  });

  t.test('the dismissal’s audit entry covers the evidence it cleared', async (t) => {
    const db = world.database.db;
    const [row] = await queryRows<{ id: string; reason: string; keyId: string; dismissedAt: Date | string }>(
      db,
      sql`select id, reason, key_id as "keyId", dismissed_at as "dismissedAt" from code_flag_dismissals where code = ${pack}`,
    );
    const firstBroken = async () =>
      ((await verify(t)).chains as { firstBroken: { kind: string; subjectId: string; problem: string } | null }[])
        .map((chain) => chain.firstBroken)
        .filter((broken) => broken !== null);
    const tampered = [{ kind: 'flag.dismiss', subjectId: row.id, problem: 'payload-mismatch' }];
    for (const [what, change, undo] of [
      ['its detail', sql`detail = 'scanned from 30 addresses (threshold 2)'`, sql`detail = 'scanned from 3 addresses (threshold 2)'`],
      ['its evidence', sql`evidence = 30`, sql`evidence = 3`],
      ['whether its entry covers them', sql`evidence_audited = false`, sql`evidence_audited = true`],
    ] as const) {
      await db.execute(sql`update code_flag_dismissals set ${change} where id = ${row.id}`);
      t.match(await firstBroken(), tampered, `${what} altered: the entry no longer verifies`);
      await db.execute(sql`update code_flag_dismissals set ${undo} where id = ${row.id}`);
    }
    t.same(await firstBroken(), [], 'restored: it verifies');

    // a dismissal recorded before entries covered the evidence (0081 filled its detail since) hashes as its entry did
    await db.execute(sql`update code_flag_dismissals set evidence_audited = false where id = ${row.id}`);
    const hashes = await createRepositories(world.database).audit.payloadHashes('flag.dismiss', [row.id]);
    const recordedBefore = {
      id: row.id,
      code: pack,
      kind: 'over_scanned',
      reason: row.reason,
      keyId: row.keyId,
      dismissedAt: new Date(row.dismissedAt).toISOString(),
      occurrences: 1,
    };
    t.equal(hashes.get(row.id), hashOf(recordedBefore), 'hashed without them');
    await db.execute(sql`update code_flag_dismissals set evidence_audited = true where id = ${row.id}`);
  });

  t.test('scans from a few more addresses leave it dismissed; twice the addresses it cleared reopen it', async (t) => {
    const status = async () => {
      const [flag] = (await world.regulator.get(`/regulator/flags?status=all&kind=over_scanned&lotCode=${lot}`)).body.items as Flag[];
      return { occurrences: flag.occurrences, dismissed: flag.dismissal !== null };
    };
    t.same(await scan(pack), [], 'a fourth address: the consumer page is not marked');
    t.same(await status(), { occurrences: 2, dismissed: true }, 'the occurrence counted, the flag still dismissed');
    t.same(await scan(pack), [], 'a fifth: still not marked');
    t.same(await dashboard(), { overScanned: 0, recent: [] }, 'nor counted on the dashboard');
    t.same(await scan(pack), ['counterfeit_suspected'], 'a sixth, twice the three it cleared: raised again, and the consumer warned');
    const [reopened] = (await world.regulator.get(`/regulator/flags?lotCode=${lot}`)).body.items as Flag[];
    t.match(reopened, { code: pack, kind: 'over_scanned', occurrences: 4, dismissal: null }, 'open again, every occurrence counted');
    t.same(await flagsOf('&status=dismissed'), [], 'no longer dismissed');
    t.same(await dashboard(), { overScanned: 1, recent: ['over_scanned'] }, 'counted on the dashboard again');
    t.same(await scan(pack, lastPhone), ['counterfeit_suspected'], 'a reload shows it too');
    const [dismissal] = await queryRows<{ reason: string; detail: string; evidence: number }>(
      world.database.db,
      sql`select reason, detail, evidence from code_flag_dismissals where code = ${pack} and kind = 'over_scanned'`,
    );
    t.same(
      dismissal,
      { reason: 'a display sample in the shop window', detail: 'scanned from 3 addresses (threshold 2)', evidence: 3 },
      'the dismissal is kept, with the evidence it cleared',
    );
    t.ok((await verify(t)).ok, 'and its audit entry still verifies');

    const second = expectStatus(
      t,
      await bureau.post(dismissalOf(pack, 'over_scanned'), { reason: '店内展示样品，已核实' }),
      201,
      'dismissed again by a regulator party',
    );
    t.equal(second.body.occurrences, 4);
    const entries = await auditEntries();
    t.equal(entries.length, 2, 'a second entry');
    t.not(entries[1].chain, 'system', 'on the regulator party’s chain');
    t.ok((await verify(t)).ok, 'both verify');
  });

  const link = 'https://id.gs1.org/01/09506000134352/235/ABC';
  t.test('a code that names nothing is dismissed by its path-encoded code', async (t) => {
    await world.app.services.scans.raiseFlag({
      code: link,
      kind: 'unknown_code',
      lotCode: null,
      partyCode: null,
      detail: 'never issued',
      at: new Date(),
    });
    expectStatus(t, await world.regulator.post(dismissalOf(link, 'unknown_code'), { reason: 'a test print' }), 201, 'dismissed');
    const dismissed = (await world.regulator.get('/regulator/flags?status=dismissed&kind=unknown_code')).body.items as Flag[];
    t.same(
      dismissed.map((flag) => [flag.code, flag.dismissal?.reason]),
      [[link, 'a test print']],
    );
    t.ok((await verify(t)).ok, 'the audit log verifies');
    const again = { code: link, kind: 'unknown_code', lotCode: null, partyCode: null, detail: 'never issued', at: new Date() };
    t.ok(await world.app.services.scans.raiseFlag(again), 'scanned again: each scan of a code never issued is a new event');
    const reopened = (await world.regulator.get('/regulator/flags?kind=unknown_code')).body.items as Flag[];
    t.match(
      reopened.filter((flag) => flag.code === link),
      [{ occurrences: 2, dismissal: null }],
      'reopened',
    );
  });

  t.test('a regulator reopens a dismissed flag by hand, with a reason: open and counted again, recorded and audited', async (t) => {
    const reopeningOf = (code: string, kind: string) => `/regulator/flags/${encodeURIComponent(code)}/${kind}/reopening`;
    const reason = 'no display sample in that shop: a copied code after all';
    const admin = expectStatus(t, await world.admin.post(reopeningOf(pack, 'over_scanned'), { reason }), 403, 'admin');
    t.equal(admin.body.detail, 'only regulator keys may reopen flags; this key has the admin role');
    expectStatus(t, await processor.api.post(reopeningOf(pack, 'over_scanned'), { reason }), 403, 'the operator of the flagged lot');
    const noReason = expectStatus(t, await world.regulator.post(reopeningOf(pack, 'over_scanned'), {}), 400, 'no reason');
    t.equal(noReason.body.errors[0].pointer, '/reason');
    const blank = expectStatus(t, await world.regulator.post(reopeningOf(pack, 'over_scanned'), { reason: ' ' }), 400, 'a blank reason');
    t.equal(blank.body.errors[0].pointer, '/reason');
    const kind = expectStatus(t, await world.regulator.post(reopeningOf(pack, 'fake'), { reason }), 400, 'a kind that is no flag');
    t.equal(kind.body.errors[0].pointer, '/kind');
    const unknown = expectStatus(
      t,
      await world.regulator.post(reopeningOf(pack, 'impossible_travel'), { reason }),
      404,
      'a flag not raised',
    );
    t.equal(unknown.body.detail, `no impossible_travel flag on ${pack}`);
    const open = expectStatus(t, await world.regulator.post(reopeningOf(link, 'unknown_code'), { reason }), 409, 'an open flag');
    t.equal(open.body.detail, `the unknown_code flag on ${link} is open: only a dismissed flag is reopened`);
    t.same(await flagsOf(), [], 'nothing reopened');
    t.same(await auditEntries('flag.reopen'), [], 'nothing audited');

    const reopened = expectStatus(t, await bureau.post(reopeningOf(pack, 'over_scanned'), { reason: ` ${reason} ` }), 201, 'reopened');
    t.match(
      reopened.body,
      {
        reason,
        dismissal: { reason: '店内展示样品，已核实', occurrences: 4, detail: 'scanned from 6 addresses (threshold 2)', evidence: 6 },
      },
      'the reason trimmed, with the dismissal it ends',
    );
    t.same(await flagsOf(), [[pack, 'over_scanned', null]], 'open again');
    t.same(await dashboard(), { overScanned: 1, recent: ['over_scanned'] }, 'counted on the dashboard');
    t.same(await scan(pack, lastPhone), ['counterfeit_suspected'], 'the consumer warned again');
    const kept = await queryRows<{ reason: string }>(
      world.database.db,
      sql`select reason from code_flag_dismissals where code = ${pack} and kind = 'over_scanned' order by dismissed_at`,
    );
    t.same(kept, [{ reason: 'a display sample in the shop window' }, { reason: '店内展示样品，已核实' }], 'both dismissals kept');
    const recorded = await queryRows<{ reason: string; keyId: string; reopenedAt: Date | string; dismissalReason: string }>(
      world.database.db,
      sql`select r.reason, r.key_id as "keyId", r.reopened_at as "reopenedAt", d.reason as "dismissalReason"
        from code_flag_reopenings r join code_flag_dismissals d on d.id = r.dismissal_id`,
    );
    t.same(
      recorded.map((row) => ({ ...row, reopenedAt: new Date(row.reopenedAt).toISOString() })),
      [{ reason, keyId: reopened.body.by, reopenedAt: reopened.body.at, dismissalReason: '店内展示样品，已核实' }],
      'the reopening recorded: who, when, why, and the dismissal it ended',
    );
    const entries = await auditEntries('flag.reopen');
    t.equal(entries.length, 1, 'one audit entry');
    t.match(entries[0], { keyId: reopened.body.by }, 'by the reopening key');
    t.not(entries[0].chain, 'system', 'on the regulator party’s chain');
    t.ok((await verify(t)).ok, 'the audit log verifies');
    await world.database.db.execute(sql`update code_flag_reopenings set reason = 'no reason'`);
    t.notOk((await verify(t)).ok, 'a reopening altered does not');
    await world.database.db.execute(sql`update code_flag_reopenings set reason = ${reason}`);

    const again = expectStatus(t, await bureau.post(reopeningOf(pack, 'over_scanned'), { reason }), 409, 'reopened twice');
    t.equal(again.body.detail, `the over_scanned flag on ${pack} is open: only a dismissed flag is reopened`);
    expectStatus(t, await world.regulator.post(dismissalOf(pack, 'over_scanned'), { reason: 'looked into again' }), 201, 'dismissed again');
    t.same(await flagsOf('&status=dismissed'), [[pack, 'over_scanned', 'looked into again']], 'dismissed by the new one');
    t.ok((await verify(t)).ok, 'every entry verifies');
  });

  t.test('a recalled lot’s pack rescanned: the dismissed flag stays dismissed', async (t) => {
    await world.ok(bureau.post('/recalls', { lotCodes: [lot], level: 1, reason: '检出致病菌', hazard: '沙门氏菌' }));
    await scan(untouched);
    const inactive = () => world.regulator.get(`/regulator/flags?status=all&kind=inactive_lot&lotCode=${lot}`);
    t.match((await inactive()).body.items, [{ code: untouched, dismissal: null }], 'flagged');
    expectStatus(
      t,
      await world.regulator.post(dismissalOf(untouched, 'inactive_lot'), { reason: 'a recall notice test' }),
      201,
      'dismissed',
    );
    await scan(untouched);
    t.match(
      (await inactive()).body.items,
      [{ code: untouched, occurrences: 2, dismissal: { reason: 'a recall notice test' } }],
      'stays dismissed',
    );
  });
});

t.test('the upsert reopens a dismissed flag exactly when reopensDismissed says so', async (t) => {
  const world = await createWorld(t);
  const over = (evidence: number) => ({ detail: `scanned from ${evidence} addresses (threshold 2)`, evidence });
  const detail = (text: string) => ({ detail: text, evidence: undefined });
  const cases = [
    ['over_scanned', over(3), over(4)],
    ['over_scanned', over(3), over(5)],
    ['over_scanned', over(3), over(6)],
    ['over_scanned', over(3), over(9)],
    ['inactive_lot', detail('scanned while its lot is recalled'), detail('scanned while its lot is recalled')],
    ['inactive_lot', detail('scanned while its lot is recalled'), detail('scanned while its lot is destroyed')],
    ['brand_misuse', detail('not admitted to brand A'), detail('not admitted to brand A')],
    ['brand_misuse', detail('not admitted to brand A'), detail('not admitted to brand B')],
    ['brand_misuse', detail('not admitted to brand A\nnot admitted to brand B'), detail('not admitted to brand B')],
    ['brand_misuse', detail('not admitted to brand B'), detail('not admitted to brand A\nnot admitted to brand B')],
    ['unknown_code', detail('never issued'), detail('never issued')],
    ['impossible_travel', detail('11 → 44: 1889 km in 0.02 h'), detail('11 → 44: 1889 km in 0.02 h')],
  ] as const;
  for (const [i, [kind, dismissed, occurrence]] of cases.entries()) {
    const code = `AGREE${i}`;
    const raise = (evidence: { detail: string; evidence?: number }) =>
      world.app.services.scans.raiseFlag({ code, kind, lotCode: null, partyCode: null, ...evidence, at: new Date() });
    await raise(dismissed);
    await world.ok(world.regulator.post(`/regulator/flags/${code}/${kind}/dismissal`, { reason: 'looked into' }));
    const open = await raise(occurrence);
    const rule = reopensDismissed(
      kind,
      { ...dismissed, evidence: dismissed.evidence ?? null },
      { ...occurrence, evidence: occurrence.evidence ?? null },
    );
    t.equal(open, rule, `${kind}: ${dismissed.detail} → ${occurrence.detail}`);
  }
  t.same(
    cases.map(([kind, dismissed, occurrence]) =>
      reopensDismissed(
        kind,
        { ...dismissed, evidence: dismissed.evidence ?? null },
        { ...occurrence, evidence: occurrence.evidence ?? null },
      ),
    ),
    [false, false, true, true, false, true, false, true, false, true, true, true],
    'the cases cover both answers of each rule',
  );
});

t.test('migration 0081 gives the dismissals standing then the evidence their flags still show', async (t) => {
  const world = await createWorld(t);
  const raised = { lotCode: null, partyCode: null, at: new Date() };
  await world.app.services.scans.raiseFlag({
    code: 'OLD1',
    kind: 'over_scanned',
    detail: 'scanned from 21 addresses (threshold 20)',
    ...raised,
  });
  await world.app.services.scans.raiseFlag({ code: 'OLD2', kind: 'inactive_lot', detail: 'scanned while its lot is recalled', ...raised });
  for (const [code, kind] of [
    ['OLD1', 'over_scanned'],
    ['OLD2', 'inactive_lot'],
  ]) {
    await world.ok(world.regulator.post(`/regulator/flags/${code}/${kind}/dismissal`, { reason: 'looked into' }));
  }
  // as a dismissal recorded before the evidence was kept
  await world.database.db.execute(sql`update code_flag_dismissals set detail = null, evidence = null`);
  await world.database.db.execute(sql.raw(migrationStatement('0081_flag_dismissal_evidence.sql', 3)));
  t.same(await queryRows(world.database.db, sql`select code, detail, evidence from code_flag_dismissals order by code`), [
    { code: 'OLD1', detail: 'scanned from 21 addresses (threshold 20)', evidence: 21 },
    { code: 'OLD2', detail: 'scanned while its lot is recalled', evidence: null },
  ]);
});

t.test('a pack misusing two brands: one scan is one occurrence of both findings, and its dismissal holds when rescanned', async (t) => {
  const world = await createWorld(t);
  const office = await world.brandOffice();
  const processor = await world.party('processor');
  const product = await processor.product('piece');
  const brands = ['BR-MIS-A', 'BR-MIS-B'];
  for (const code of brands) await world.brand(office, { code, products: [product] }, { members: [processor.code] });
  const lot = await processor.commission(product, 20, { productionDate: '2026-06-01' });
  for (const code of brands) {
    const exit = { state: 'exited', effectiveOn: '2026-07-01', reason: '退出' };
    await world.ok(office.post(`/brands/${code}/authorizations/${processor.code}/state`, exit), 200);
  }
  // issued after both exits took effect: each brand's a finding
  const pack = await codedAroundTheCheck(world, processor, lot);
  let phones = 0;
  const scan = () =>
    world.app.inject({ method: 'GET', url: `/t/${pack}`, remoteAddress: `203.0.113.${++phones}`, headers: { accept: 'application/json' } });
  const misuse = async () =>
    (await world.regulator.get(`/regulator/flags?status=all&kind=brand_misuse&lotCode=${lot}`)).body.items as Flag[];
  const credited = async () =>
    (await world.regulator.get(`/credit/${processor.code}`)).body.factors.find((factor: { key: string }) => factor.key === 'brand_misuse')
      .count;

  await scan();
  const [flag] = await misuse();
  t.match(flag, { code: pack, occurrences: 1, dismissal: null }, 'one scan: one occurrence');
  t.same(
    flag.detail.split('\n').map((finding) => finding.match(/\((BR-MIS-.)\)/)?.[1]),
    brands,
    'its detail names both brands, one finding a line',
  );
  t.equal(await credited(), 1, 'counted against the producer’s credit');
  const dismissed = expectStatus(
    t,
    await world.regulator.post(`/regulator/flags/${pack}/brand_misuse/dismissal`, { reason: '已核实' }),
    201,
    'dismissed',
  );
  t.equal(dismissed.body.detail, flag.detail, 'clearing both findings');
  await scan();
  t.match(await misuse(), [{ occurrences: 2, dismissal: { reason: '已核实' } }], 'rescanned with the same findings: still dismissed');
  t.equal(await credited(), 0, 'and not counted');

  expectStatus(
    t,
    await world.regulator.post(`/regulator/flags/${pack}/brand_misuse/reopening`, { reason: '复查：仍在冒用' }),
    201,
    'reopened by hand',
  );
  t.match(await misuse(), [{ occurrences: 2, dismissal: null }], 'open again');
  t.equal(await credited(), 1, 'counted against the credit again');
});
