// A brand member's standing over time: the state machine, the state in force on a day, badges and misuse.
import {
  type AuthorizationHistory,
  addDays,
  admittedOn,
  type BrandStanding,
  badgesOf,
  disposalStatus,
  misuseOf,
  stateOn,
  transitionRefusal,
} from '../../src/brands/standing.js';
import { fileTest } from '../root.js';

const t = fileTest();

const member: AuthorizationHistory = {
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
  changes: [
    { toState: 'admitted', effectiveOn: '2026-01-01' },
    { toState: 'suspended', effectiveOn: '2026-03-01' },
    { toState: 'admitted', effectiveOn: '2026-04-01' },
    { toState: 'exited', effectiveOn: '2026-06-15' },
  ],
};
const GI = { code: 'FJLR', kind: 'gi' as const, nameZh: '奉节腊肉', nameEn: 'Fengjie Cured Pork' };
const REGIONAL = { code: 'FSHP', kind: 'regional' as const, nameZh: '奉上好品', nameEn: 'Fengjie Finest' };

t.test('the state machine: suspension, reinstatement, exit; exit is final', async (t) => {
  t.equal(transitionRefusal('admitted', 'suspended'), null);
  t.equal(transitionRefusal('suspended', 'admitted'), null, 'reinstatement');
  t.equal(transitionRefusal('admitted', 'exited'), null);
  t.equal(transitionRefusal('suspended', 'exited'), null);
  t.equal(
    transitionRefusal('admitted', 'admitted'),
    'an authorization that is admitted cannot become admitted; from admitted it can become suspended or exited',
  );
  t.equal(
    transitionRefusal('suspended', 'suspended'),
    'an authorization that is suspended cannot become suspended; from suspended it can become admitted or exited',
  );
  for (const to of ['admitted', 'suspended', 'exited'] as const) t.match(transitionRefusal('exited', to), /exit is final/);
});

t.test('the state in force on a day: the last change effective by then, within the validity period', async (t) => {
  t.equal(stateOn(member, '2025-12-31'), null, 'before admission');
  t.equal(stateOn(member, '2026-01-01'), 'admitted', 'from the day of admission');
  t.equal(stateOn(member, '2026-02-28'), 'admitted');
  t.equal(stateOn(member, '2026-03-01'), 'suspended', 'a suspension takes effect on its day');
  t.equal(stateOn(member, '2026-04-01'), 'admitted', 'reinstated');
  t.equal(stateOn(member, '2026-06-14'), 'admitted');
  t.equal(stateOn(member, '2026-06-15'), 'exited', 'no longer on the day of exit');
  const lapsed = { ...member, changes: member.changes.slice(0, 1), validUntil: '2026-05-31' };
  t.equal(stateOn(lapsed, '2026-05-31'), 'admitted', 'valid through its last day');
  t.equal(stateOn(lapsed, '2026-06-01'), null, 'nothing in force after validity ends');
  const sameDay = { ...member, changes: [...member.changes.slice(0, 1), { toState: 'suspended' as const, effectiveOn: '2026-01-01' }] };
  t.equal(stateOn(sameDay, '2026-01-01'), 'suspended', 'of two changes on one day, the later recorded wins');
  t.ok(
    admittedOn(
      [lapsed, { validFrom: '2026-06-01', validUntil: null, changes: [{ toState: 'admitted', effectiveOn: '2026-06-01' }] }],
      '2026-07-01',
    ),
  );
  t.notOk(admittedOn([], '2026-07-01'), 'never admitted');
});

t.test('badges: only brands the owner was admitted to on the production day, and has not left', async (t) => {
  const standings: BrandStanding[] = [
    { brand: GI, authorizations: [member] },
    {
      brand: REGIONAL,
      authorizations: [{ validFrom: '2026-01-01', validUntil: null, changes: [{ toState: 'admitted', effectiveOn: '2026-01-01' }] }],
    },
  ];
  // seen on 2026-05-01, while the GI member is admitted again
  t.same(badgesOf(standings, '2026-02-01', '2026-05-01'), [GI, REGIONAL]);
  t.same(badgesOf(standings, '2026-03-15', '2026-05-01'), [REGIONAL], 'no GI badge for a lot made while suspended');
  t.same(badgesOf(standings, '2026-07-01', '2026-07-01'), [REGIONAL], 'nor for one made after exit');
  t.same(badgesOf(standings, '2026-02-01', '2026-07-01'), [REGIONAL], 'and once it has exited, its earlier lots lose the badge too');
  t.same(badgesOf([{ brand: GI, authorizations: [] }], '2026-07-01', '2026-07-01'), [], 'never a member: no badge');
});

t.test('misuse: produced or coded while the owner was not admitted, one finding per brand', async (t) => {
  const standings: BrandStanding[] = [{ brand: GI, authorizations: [member] }];
  t.same(misuseOf(standings, { producedOn: '2026-05-01', issuedOn: '2026-05-02' }), [], 'made and coded while admitted');
  t.same(misuseOf(standings, { producedOn: '2026-05-01', issuedOn: '2026-07-01' }), [
    '奉节腊肉 (FJLR): code issued on 2026-07-01, while its owner was not admitted to the brand',
  ]);
  t.same(misuseOf(standings, { producedOn: '2026-07-01', issuedOn: '2026-07-02' }), [
    '奉节腊肉 (FJLR): produced on 2026-07-01, code issued on 2026-07-02, while its owner was not admitted to the brand',
  ]);
  t.same(misuseOf(standings, { producedOn: '2026-05-01', issuedOn: '2026-06-15' }), [], 'coded on the day of exit: before it was recorded');
  t.same(misuseOf([], { producedOn: '2026-07-01', issuedOn: '2026-07-02' }), [], 'an unbranded product is never misuse');
});

t.test('disposal: cleared when nothing is left, overdue when stock outlives the deadline', async (t) => {
  t.equal(addDays('2026-06-15', 30), '2026-07-15');
  t.equal(addDays('2026-12-20', 30), '2027-01-19', 'across a year');
  t.equal(disposalStatus(0, '2026-07-15', '2026-08-01'), 'cleared');
  t.equal(disposalStatus(12, '2026-07-15', '2026-07-15'), 'disposing', 'the deadline day itself is still in time');
  t.equal(disposalStatus(12, '2026-07-15', '2026-07-16'), 'overdue');
});
