// Inspections stored before requireInspectionClaim held a test's kind and lab to its recorder (a
// processor's third_party test naming a lab) stay stored as they were, and every reader takes them
// as their recorder could have said them (inspectionClaimAsRead; unit-tested in
// test/access/inspection-claims-as-read.test.ts): the pack page, the trace, pass rates, failed
// inspections and credit. Such events are made here as older code stored them: recorded through the
// writer, then their claim changed in place through the test's database handle.
import { sql } from 'drizzle-orm';
import { inspectionClaimAsRead } from '../../src/access/index.js';
import { PARTY_KINDS } from '../../src/codes/service-codes.js';
import { queryRows } from '../../src/db/client.js';
import { inspectionKindAsRead } from '../../src/events/retests.js';
import { inspectionWorld } from '../fixtures/inspection-world.js';
import { type Actor, at, createWorld, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** Stores the inspection of the report as older code would have: with this claim of kind and lab. */
async function storeClaim(world: World, reportNumber: string, claim: { kind: string; labPartyCode?: string }) {
  await queryRows(
    world.database.db,
    sql`update events set payload = jsonb_set(payload, '{inspection}', ((payload->'inspection') - 'labPartyCode') || ${JSON.stringify(claim)}::jsonb)
      where type = 'inspect' and payload->'inspection'->>'reportNumber' = ${reportNumber}`,
  );
}

t.test('the pack page, the trace and the pass rates read a stored claim as its recorder could have made it', async (t) => {
  const { world, processor, lab, otherLab, bureau, lot, pack } = await inspectionWorld(t);
  const inspect = (who: Actor, reportNumber: string, inspection: Record<string, unknown>) =>
    world.ok(who.event({ type: 'inspect', lotCodes: [lot], inspection: { result: 'pass', reportNumber, ...inspection } }));

  // claims allowed today, which read as stored
  await inspect(processor, 'SELF-1', { kind: 'self' });
  await inspect(lab, 'LAB-1', { kind: 'third_party' });
  await inspect(bureau, 'SAMPLE-1', { kind: 'sampling', labPartyCode: lab.code });
  // claims stored before the rule
  await inspect(processor, 'OLD-P-3P', { kind: 'self', result: 'fail' });
  await storeClaim(world, 'OLD-P-3P', { kind: 'third_party', labPartyCode: lab.code });
  await inspect(processor, 'OLD-P-SAMPLE', { kind: 'self' });
  await storeClaim(world, 'OLD-P-SAMPLE', { kind: 'sampling', labPartyCode: lab.code });
  await inspect(processor, 'OLD-P-RAPID', { kind: 'rapid' });
  await storeClaim(world, 'OLD-P-RAPID', { kind: 'rapid', labPartyCode: otherLab.code });
  await inspect(lab, 'OLD-L-SELF', { kind: 'third_party' });
  await storeClaim(world, 'OLD-L-SELF', { kind: 'self' });
  await inspect(lab, 'OLD-L-OTHER', { kind: 'third_party' });
  await storeClaim(world, 'OLD-L-OTHER', { kind: 'third_party', labPartyCode: otherLab.code });
  await inspect(bureau, 'OLD-B-SELF', { kind: 'sampling' });
  await storeClaim(world, 'OLD-B-SELF', { kind: 'self', labPartyCode: lab.code });

  const page = (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json();
  t.strictSame(
    page.tests
      .map((test: { kind: string; party: string; lab: string | null; reportNumber: string }) =>
        [test.reportNumber, test.kind, test.party, test.lab ?? '-'].join(' '),
      )
      .sort(),
    [
      'LAB-1 third_party 县检测中心 县检测中心',
      'OLD-B-SELF sampling 县市场监管局 县检测中心',
      'OLD-L-OTHER third_party 县检测中心 县检测中心',
      'OLD-L-SELF third_party 县检测中心 县检测中心',
      'OLD-P-3P self 夔州腊味 -',
      'OLD-P-RAPID rapid 夔州腊味 -',
      'OLD-P-SAMPLE self 夔州腊味 -',
      'SAMPLE-1 sampling 县市场监管局 县检测中心',
      'SELF-1 self 夔州腊味 -',
    ],
    'the pack page shows each test as its recorder could have recorded it',
  );
  const html = (await world.app.inject({ method: 'GET', url: `/t/${pack}`, headers: { accept: 'text/html' } })).body;
  t.notMatch(html, /市检测院/, 'its HTML names no lab that recorded no test');

  const trace = (await world.regulator.get(`/trace/${lot}`)).body;
  const [node] = trace.nodes.filter((node: { code: string }) => node.code === lot);
  t.strictSame(
    node.inspections
      .map((inspection: { reportNumber: string; kind: string; partyCode: string; labPartyCode: string | null }) =>
        [inspection.reportNumber, inspection.kind, inspection.partyCode, inspection.labPartyCode ?? '-'].join(' '),
      )
      .sort(),
    [
      `LAB-1 third_party ${lab.code} ${lab.code}`,
      `OLD-B-SELF sampling ${bureau.code} ${lab.code}`,
      `OLD-L-OTHER third_party ${lab.code} ${lab.code}`,
      `OLD-L-SELF third_party ${lab.code} ${lab.code}`,
      `OLD-P-3P self ${processor.code} -`,
      `OLD-P-RAPID rapid ${processor.code} -`,
      `OLD-P-SAMPLE self ${processor.code} -`,
      `SAMPLE-1 sampling ${bureau.code} ${lab.code}`,
      `SELF-1 self ${processor.code} -`,
    ],
    'the trace’s node reads them alike',
  );
  const recorded = trace.events.find(
    (event: { details: { inspection?: { reportNumber?: string } } }) => event.details.inspection?.reportNumber === 'OLD-P-3P',
  );
  t.strictSame(
    recorded.details.inspection,
    { kind: 'third_party', result: 'fail', labPartyCode: lab.code, reportNumber: 'OLD-P-3P' },
    'while its events are the records as stored',
  );

  const rates = (await world.regulator.get('/regulator/figures/pass-rates')).body;
  t.strictSame(
    rates.byKind.map((row: { kind: string; total: number; passed: number }) => [row.kind, row.total, row.passed]),
    [
      ['rapid', 1, 1],
      ['sampling', 2, 2],
      ['self', 3, 2],
      ['third_party', 3, 3],
    ],
    'the pass rates count each test under the kind it reads as',
  );
});

t.test('failed inspections and credit settle a failure by a re-test of the kind each reads as', async (t) => {
  const world = await createWorld(t, undefined, { now: () => new Date('2026-04-01T00:00:00Z') });
  const processor = await world.party('processor');
  const lab = await world.party('lab');
  const bureau = await world.party('regulator');
  const product = await processor.product('kg');
  const [sampled, labFailed, ownFailed] = [
    await processor.commission(product, 10),
    await processor.commission(product, 10),
    await processor.commission(product, 10),
  ];
  const inspect = (who: Actor, lotCode: string, hour: number, reportNumber: string, inspection: Record<string, unknown>) =>
    world.ok(who.event({ type: 'inspect', eventTime: at(hour), lotCodes: [lotCode], inspection: { reportNumber, ...inspection } }));

  // the regulator's sampling failed the lot; the lab's pass stored as a sampling is the lab's own test, no re-test of it
  await inspect(bureau, sampled, 100, 'S-FAIL', { kind: 'sampling', result: 'fail' });
  await inspect(lab, sampled, 101, 'S-PASS', { kind: 'third_party', result: 'pass' });
  await storeClaim(world, 'S-PASS', { kind: 'sampling' });
  // the lab's failure stored as a self-test is its third-party test, which its later third-party pass settles
  await inspect(lab, labFailed, 102, 'L-FAIL', { kind: 'third_party', result: 'fail' });
  await storeClaim(world, 'L-FAIL', { kind: 'self' });
  await inspect(lab, labFailed, 103, 'L-PASS', { kind: 'third_party', result: 'pass' });
  // the processor's failure stored as a lab's test is its self-test, which its later self-test settles
  await inspect(processor, ownFailed, 104, 'O-FAIL', { kind: 'self', result: 'fail' });
  await storeClaim(world, 'O-FAIL', { kind: 'third_party', labPartyCode: lab.code });
  await inspect(processor, ownFailed, 105, 'O-PASS', { kind: 'self', result: 'pass' });

  const anomalies = (await world.regulator.get('/regulator/anomalies')).body;
  t.strictSame(
    anomalies.failedInspectionsWithoutHold.map((row: { lotCode: string; kind: string; inspectedBy: string; reportNumber: string }) => [
      row.lotCode,
      row.kind,
      row.inspectedBy,
      row.reportNumber,
    ]),
    [[sampled, 'sampling', bureau.code, 'S-FAIL']],
    'only the sampling’s failure stands among the anomalies',
  );
  t.equal(anomalies.counts.failedInspectionsWithoutHold, 1, 'and in their count');
  const credit = (await world.regulator.get(`/credit/${processor.code}`)).body;
  t.match(
    credit.factors.find((factor: { key: string }) => factor.key === 'failed_inspections'),
    { count: 1, contribution: -5 },
    'and in the processor’s credit',
  );
});

t.test('the SQL readers’ kind agrees with inspectionClaimAsRead for every recorder, kind and lab', async (t) => {
  const world = await createWorld(t);
  const recorders = await Promise.all(PARTY_KINDS.map(async (kind) => ({ kind, code: (await world.party(kind)).code })));
  const otherLab = recorders.find((recorder) => recorder.kind === 'lab')?.code as string;
  const cases = recorders.flatMap((recorder) =>
    ['self', 'rapid', 'sampling', 'third_party', 'residue'].flatMap((kind) =>
      [null, recorder.code, `${otherLab}`].map((labPartyCode) => ({ recorder, stored: { kind, labPartyCode } })),
    ),
  );
  const rows = cases.map(
    ({ recorder, stored }, index) =>
      sql`(${index}::int, ${recorder.code}::text, ${JSON.stringify({ inspection: { ...stored, result: 'pass' } })}::jsonb)`,
  );
  const read = await queryRows<{ index: number; kind: string }>(
    world.database.db,
    sql`select e.index, ${inspectionKindAsRead(sql`e`)} as kind from (values ${sql.join(rows, sql`, `)}) e(index, party_code, payload)
      order by e.index`,
  );
  t.equal(read.length, cases.length);
  for (const [index, { recorder, stored }] of cases.entries()) {
    t.equal(
      read[index].kind,
      inspectionClaimAsRead(recorder, stored).kind,
      `${recorder.kind}'s ${stored.kind} naming ${stored.labPartyCode ?? 'no one'}`,
    );
  }
});
