// A dismissed flag reopens only with new evidence: the rule, pure (the upsert's SQL is held to it in
// test/regulator/flag-dismissal.test.ts).
import { FLAG_KINDS, findingsDetail, misuseFlag, REOPENED_BY, reopensDismissed, scanFlags } from '../../src/scans/flags.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('an over-scan reopens at twice the addresses its dismissal cleared', async (t) => {
  const cleared = { detail: 'scanned from 21 addresses (threshold 20)', evidence: 21 };
  const at = (evidence: number) => ({ detail: `scanned from ${evidence} addresses (threshold 20)`, evidence });
  t.notOk(reopensDismissed('over_scanned', cleared, at(22)), 'a display sample’s trickle: still dismissed');
  t.notOk(reopensDismissed('over_scanned', cleared, at(41)), 'one short of twice');
  t.ok(reopensDismissed('over_scanned', cleared, at(42)), 'twice: a copied code spreading');
  t.ok(reopensDismissed('over_scanned', { detail: null, evidence: null }, at(22)), 'a dismissal that kept no count: any occurrence');
});

t.test('brand misuse and an inactive lot reopen on a new finding only', async (t) => {
  const recalled = { detail: 'scanned while its lot is recalled', evidence: null };
  for (const kind of ['inactive_lot', 'brand_misuse']) {
    t.notOk(reopensDismissed(kind, recalled, recalled), `${kind}: the same finding rescanned stays dismissed`);
    t.ok(reopensDismissed(kind, recalled, { detail: 'scanned while its lot is destroyed', evidence: null }), `${kind}: a new one reopens`);
  }
});

t.test('one scan’s findings are one detail, a line each in one order; some of those cleared are no new finding', async (t) => {
  const both = findingsDetail(['奉上好品 (BR-2): code issued', '奉上好品 (BR-1): code issued']);
  t.equal(both, '奉上好品 (BR-1): code issued\n奉上好品 (BR-2): code issued');
  t.equal(findingsDetail(['奉上好品 (BR-1): code issued', '奉上好品 (BR-2): code issued']), both, 'whatever order they were found in');
  const cleared = { detail: both, evidence: null };
  t.notOk(reopensDismissed('brand_misuse', cleared, cleared), 'both rescanned: still dismissed');
  t.notOk(reopensDismissed('brand_misuse', cleared, { detail: '奉上好品 (BR-2): code issued', evidence: null }), 'one of them');
  const third = findingsDetail(['奉上好品 (BR-1): code issued', '奉上好品 (BR-3): code issued']);
  t.ok(reopensDismissed('brand_misuse', cleared, { detail: third, evidence: null }), 'another brand misused: reopened');
  t.ok(reopensDismissed('brand_misuse', { detail: null, evidence: null }, cleared), 'a dismissal that kept no detail: any finding');
});

t.test('a scan’s misuse findings are its flag’s detail and the brands they are about', async (t) => {
  t.same(
    misuseFlag([
      { brandCode: 'BR-2', line: '奉上好品 (BR-1): 仿 (BR-2): code issued' },
      { brandCode: 'BR-3', line: '奉上好品 (BR-3): code issued' },
    ]),
    { detail: '奉上好品 (BR-1): 仿 (BR-2): code issued\n奉上好品 (BR-3): code issued', brandCodes: ['BR-2', 'BR-3'] },
    'the brands as found, not as the lines read',
  );
});

t.test('an unknown code and impossible travel reopen on every occurrence', async (t) => {
  const same = { detail: 'never issued', evidence: null };
  t.ok(reopensDismissed('unknown_code', same, same));
  t.ok(reopensDismissed('impossible_travel', same, same));
});

t.test('every kind has a rule, and an over-scan carries its addresses as evidence', async (t) => {
  t.same(Object.keys(REOPENED_BY).sort(), [...FLAG_KINDS].sort());
  const [flag] = scanFlags(
    {
      scanners: 3,
      region: null,
      ipHash: 'a',
      previousRegion: null,
      previousScanAt: null,
      previousIpHash: null,
      at: new Date(),
      lotStatus: 'active',
    },
    { overScanThreshold: 2, maxTravelKmh: 800 },
  );
  t.match(flag, { kind: 'over_scanned', evidence: 3 });
});
