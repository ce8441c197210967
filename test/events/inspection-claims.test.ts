// What an inspection says of who tested is the recording party's own: a third-party test is recorded
// by the lab that made it (naming itself), an official sampling by a regulator (naming, if it will,
// the lab that tested its sample), a self-test by the lot's owner or holder. Anything else is refused
// (403 at the field), so the consumer's pack page and the regulator's pass rates show only what those
// parties recorded. The EPCIS doors meet the same rule: test/epcis/inspections.test.ts.
import { inspectionWorld } from '../fixtures/inspection-world.js';
import { type Actor, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('an inspection’s kind and lab are the recording party’s own', async (t) => {
  const { world, processor, lab, otherLab, bureau, lot, pack } = await inspectionWorld(t);
  const inspect = (who: Actor, inspection: Record<string, unknown>) =>
    who.event({ type: 'inspect', lotCodes: [lot], inspection: { result: 'pass', ...inspection } });

  const refusals: [string, Actor, Record<string, unknown>, string, RegExp][] = [
    [
      'a processor’s third-party test naming a lab',
      processor,
      { kind: 'third_party', labPartyCode: lab.code, reportNumber: 'R-1' },
      '/inspection/kind',
      /only a lab records a third_party test/,
    ],
    ['a processor’s official sampling', processor, { kind: 'sampling' }, '/inspection/kind', /only a regulator records a sampling/],
    [
      'a processor’s sampling naming a lab',
      processor,
      { kind: 'sampling', labPartyCode: lab.code },
      '/inspection/kind',
      /only a regulator records a sampling/,
    ],
    [
      'a processor’s self-test naming a lab',
      processor,
      { kind: 'self', labPartyCode: lab.code },
      '/inspection/labPartyCode',
      /only a regulator’s sampling names a lab other than the party recording it/,
    ],
    [
      'a processor’s rapid test naming a lab',
      processor,
      { kind: 'rapid', labPartyCode: lab.code },
      '/inspection/labPartyCode',
      /only a regulator’s sampling names a lab/,
    ],
    [
      'a lab’s third-party test naming another lab',
      lab,
      { kind: 'third_party', labPartyCode: otherLab.code },
      '/inspection/labPartyCode',
      new RegExp(`a lab records its own tests: ${lab.code} may not record one of ${otherLab.code}`),
    ],
    ['a lab’s official sampling', lab, { kind: 'sampling' }, '/inspection/kind', /only a regulator records a sampling/],
    ['a lab’s self-test', lab, { kind: 'self' }, '/inspection/kind', /a self-test is the lot owner’s or holder’s/],
    ['a regulator’s self-test', bureau, { kind: 'self' }, '/inspection/kind', /a self-test is the lot owner’s or holder’s/],
    [
      'a regulator’s third-party test',
      bureau,
      { kind: 'third_party', labPartyCode: lab.code },
      '/inspection/kind',
      /only a lab records a third_party test/,
    ],
  ];
  for (const [what, who, inspection, pointer, detail] of refusals) {
    const refused = expectStatus(t, await inspect(who, inspection), 403, what);
    t.match(refused.body, { type: '/problems/forbidden', detail, errors: [{ in: 'body', pointer }] }, `${what}: at ${pointer}`);
  }
  const page = async () => (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json();
  const html = async () => (await world.app.inject({ method: 'GET', url: `/t/${pack}`, headers: { accept: 'text/html' } })).body;
  t.strictSame((await page()).tests, [], 'the pack page shows none of them');
  t.notMatch(await html(), /抽样检验|第三方检测/, 'nor does its HTML');

  expectStatus(t, await inspect(processor, { kind: 'self', reportNumber: 'SELF-1' }), 201, 'the processor’s self-test');
  expectStatus(t, await inspect(processor, { kind: 'rapid', reportNumber: 'RAPID-1' }), 201, 'and its rapid test');
  const own = expectStatus(t, await inspect(lab, { kind: 'third_party', reportNumber: 'LAB-1' }), 201, 'the lab’s own test');
  t.equal(own.body.event.details.inspection.labPartyCode, lab.code, 'naming the lab that recorded it');
  expectStatus(
    t,
    await inspect(lab, { kind: 'third_party', labPartyCode: lab.code, reportNumber: 'LAB-2' }),
    201,
    'the lab’s own test, naming itself',
  );
  expectStatus(
    t,
    await inspect(bureau, { kind: 'sampling', labPartyCode: lab.code, reportNumber: 'SAMPLE-1' }),
    201,
    'the regulator’s sampling, naming the lab that tested the sample',
  );
  expectStatus(t, await inspect(bureau, { kind: 'sampling', labPartyCode: processor.code }), 422, 'a sampling names a registered lab');

  const shown = (await page()).tests.map((test: { kind: string; party: string; lab: string | null; reportNumber: string }) =>
    [test.reportNumber, test.kind, test.party, test.lab].join(' '),
  );
  t.strictSame(
    shown.sort(),
    [
      'LAB-1 third_party 县检测中心 县检测中心',
      'LAB-2 third_party 县检测中心 县检测中心',
      'RAPID-1 rapid 夔州腊味 ',
      'SAMPLE-1 sampling 县市场监管局 县检测中心',
      'SELF-1 self 夔州腊味 ',
    ],
    'the pack page shows each test by the party that recorded it',
  );
  t.match(await html(), /抽样检验[\s\S]*第三方检测|第三方检测[\s\S]*抽样检验/, 'its HTML the sampling and the third-party tests');
  const rates = (await world.regulator.get('/regulator/figures/pass-rates')).body;
  t.strictSame(
    rates.byKind.map((row: { kind: string; total: number }) => [row.kind, row.total]),
    [
      ['rapid', 1],
      ['sampling', 1],
      ['self', 1],
      ['third_party', 2],
    ],
    'the pass rates count only the tests recorded',
  );
});
