// A brand member's standing over time: the state machine, the state in force on a day, badges and misuse.
import {
  type AuthorizationHistory,
  addDays,
  admittedOn,
  aYearAfter,
  type BrandStanding,
  badgesOf,
  disposalStatus,
  exitedBy,
  heldToBrand,
  labelRefusals,
  misuseFindings,
  stateOn,
  transitionRefusal,
  validFromRefusal,
} from '../../src/brands/standing.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The lines of the misuse findings a scanned pack shows. */
const misuseLines = (...args: Parameters<typeof misuseFindings>) => misuseFindings(...args).map((finding) => finding.line);

const member: AuthorizationHistory = {
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
  // each recorded at noon China time of the day it took effect
  changes: [
    { toState: 'admitted', effectiveOn: '2026-01-01', recordedAt: '2026-01-01T04:00:00.000Z' },
    { toState: 'suspended', effectiveOn: '2026-03-01', recordedAt: '2026-03-01T04:00:00.000Z' },
    { toState: 'admitted', effectiveOn: '2026-04-01', recordedAt: '2026-04-01T04:00:00.000Z' },
    { toState: 'exited', effectiveOn: '2026-06-15', recordedAt: '2026-06-15T04:00:00.000Z' },
  ],
};
/** A lot produced on a day and recorded at a time of it (China time). */
const made = (producedOn: string, time = '10:00') => ({
  producedOn,
  recordedAt: new Date(`${producedOn}T${time}:00+08:00`).toISOString(),
});
/** …and a code of it issued on a day, at a time of it. */
const coded = (producedOn: string, issuedOn: string, time = '10:00') => ({
  ...made(producedOn),
  issuedOn,
  issuedAt: new Date(`${issuedOn}T${time}:00+08:00`).toISOString(),
});
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

t.test('badges: only brands the owner was admitted to when it made the lot, and has not left', async (t) => {
  const standings: BrandStanding[] = [
    { brand: GI, authorizations: [member], coveredSince: null },
    {
      brand: REGIONAL,
      authorizations: [{ validFrom: '2026-01-01', validUntil: null, changes: [{ toState: 'admitted', effectiveOn: '2026-01-01' }] }],
      coveredSince: null,
    },
  ];
  // seen on 2026-05-01, while the GI member is admitted again
  t.same(badgesOf(standings, made('2026-02-01'), '2026-05-01'), [GI, REGIONAL]);
  t.same(badgesOf(standings, made('2026-03-15'), '2026-05-01'), [REGIONAL], 'no GI badge for a lot made while suspended');
  t.same(badgesOf(standings, made('2026-03-01', '14:00'), '2026-05-01'), [REGIONAL], 'nor one made after the suspension was recorded');
  t.same(
    badgesOf(standings, made('2026-03-01', '09:00'), '2026-05-01'),
    [GI, REGIONAL],
    'one made on the day of the suspension before it was recorded keeps it',
  );
  t.same(badgesOf(standings, made('2026-07-01'), '2026-07-01'), [REGIONAL], 'nor for one made after exit');
  t.same(badgesOf(standings, made('2026-02-01'), '2026-07-01'), [REGIONAL], 'and once it has exited, its earlier lots lose the badge too');
  t.same(
    badgesOf([{ brand: GI, authorizations: [], coveredSince: null }], made('2026-07-01'), '2026-07-01'),
    [],
    'never a member: no badge',
  );
  const lapsed = { ...member, changes: member.changes.slice(0, 1), validUntil: '2026-05-31' };
  const expiring: BrandStanding[] = [{ brand: GI, authorizations: [lapsed], coveredSince: null }];
  t.same(badgesOf(expiring, made('2026-05-31'), '2026-07-01'), [GI], 'a lot made on the last valid day keeps its badge after it');
  t.same(badgesOf(expiring, made('2026-06-01', '00:30'), '2026-07-01'), [], 'one made the day after has none');
  const joined: BrandStanding[] = [{ ...standings[1], coveredSince: '2026-02-01T04:00:00.000Z' }];
  t.same(badgesOf(joined, made('2026-02-01', '11:00'), '2026-05-01'), [], 'a lot recorded before its product joined the brand has none');
  t.same(badgesOf(joined, made('2026-02-01', '13:00'), '2026-05-01'), [REGIONAL], 'one recorded after it joined has it');
});

t.test('labelling: refused what is not admitted today, or a lot made while not admitted, which misuse would flag', async (t) => {
  const standings: BrandStanding[] = [{ brand: GI, authorizations: [member], coveredSince: null }];
  const issuedAt = (lot: { producedOn: string; recordedAt: string }, day: string) => ({
    ...lot,
    issuedOn: day,
    issuedAt: new Date(`${day}T10:00:00+08:00`).toISOString(),
  });
  const cases = [
    { lot: made('2026-02-01'), day: '2026-05-01', refused: [] },
    {
      lot: made('2026-03-15'),
      day: '2026-05-01',
      refused: ['奉节腊肉 (FJLR): not admitted when the lot was made (produced on 2026-03-15)'],
    },
    {
      lot: made('2025-12-30'),
      day: '2026-05-01',
      refused: ['奉节腊肉 (FJLR): not admitted when the lot was made (produced on 2025-12-30)'],
    },
    { lot: made('2026-02-01'), day: '2026-03-15', refused: ['奉节腊肉 (FJLR): suspended'] },
    { lot: made('2026-02-01'), day: '2026-07-01', refused: ['奉节腊肉 (FJLR): exited'] },
  ];
  for (const { lot, day, refused } of cases) {
    t.same(labelRefusals(standings, lot, day), refused, `a lot made on ${lot.producedOn}, labelled on ${day}`);
    // the issuer refuses no code a scan would flag
    if (refused.length === 0) t.same(misuseLines(standings, issuedAt(lot, day)), [], 'what it labels is no misuse');
    else t.equal(misuseLines(standings, issuedAt(lot, day)).length, 1, 'what it refuses would be misuse');
  }
  const joined: BrandStanding[] = [{ ...standings[0], coveredSince: '2026-02-01T04:00:00.000Z' }];
  t.same(
    labelRefusals(joined, made('2025-12-30', '08:00'), '2026-05-01'),
    [],
    'a lot from before its product joined is not held to the brand',
  );
  t.notOk(heldToBrand(joined[0], made('2025-12-30', '08:00')), 'it is no stock of the brand');
  t.ok(heldToBrand(joined[0], made('2026-02-02')), 'one made once it joined, while admitted, is');
  t.notOk(heldToBrand(joined[0], made('2026-03-15')), 'one made while suspended is not');
});

t.test('misuse: made or coded while the owner was not admitted, one finding per brand', async (t) => {
  const standings: BrandStanding[] = [{ brand: GI, authorizations: [member], coveredSince: null }];
  t.same(misuseLines(standings, coded('2026-05-01', '2026-05-02')), [], 'made and coded while admitted');
  t.same(misuseLines(standings, coded('2026-05-01', '2026-07-01')), [
    '奉节腊肉 (FJLR): code issued on 2026-07-01, while its owner was not admitted to the brand',
  ]);
  t.same(misuseLines(standings, coded('2026-07-01', '2026-07-02')), [
    '奉节腊肉 (FJLR): produced on 2026-07-01, code issued on 2026-07-02, while its owner was not admitted to the brand',
  ]);
  t.same(misuseLines(standings, coded('2026-05-01', '2026-06-15', '09:00')), [], 'coded on the day of exit before it was recorded');
  t.same(
    misuseLines(standings, coded('2026-05-01', '2026-06-15', '15:00')),
    ['奉节腊肉 (FJLR): code issued on 2026-06-15, while its owner was not admitted to the brand'],
    'coded on the day of exit after it was recorded',
  );
  t.same(
    misuseLines(standings, { ...made('2026-03-01', '09:00'), issuedOn: '2026-04-02', issuedAt: '2026-04-02T02:00:00.000Z' }),
    [],
    'made on the day of a suspension before it was recorded: made while admitted',
  );
  t.same(
    misuseLines(standings, { ...made('2026-03-01', '14:00'), issuedOn: '2026-04-02', issuedAt: '2026-04-02T02:00:00.000Z' }),
    ['奉节腊肉 (FJLR): produced on 2026-03-01, while its owner was not admitted to the brand'],
    'made on that day after it was recorded: misuse',
  );
  const lapsed = { ...member, changes: member.changes.slice(0, 1), validUntil: '2026-05-31' };
  t.same(
    misuseLines([{ brand: GI, authorizations: [lapsed], coveredSince: null }], coded('2026-06-01', '2026-05-31')),
    ['奉节腊肉 (FJLR): produced on 2026-06-01, while its owner was not admitted to the brand'],
    'made the day after the authorization ran out (a day known in advance, not a change of that day)',
  );
  const joinedLate: BrandStanding[] = [{ brand: GI, authorizations: [], coveredSince: '2026-05-10T04:00:00.000Z' }];
  t.same(
    misuseLines(joinedLate, coded('2026-05-10', '2026-05-10')),
    [],
    'a lot recorded before its product joined the brand is not held to it',
  );
  t.same(misuseLines(joinedLate, coded('2026-05-01', '2026-05-02')), [], 'nor one of days before');
  t.same(
    misuseLines(joinedLate, { ...coded('2026-05-01', '2026-05-11'), recordedAt: '2026-05-11T02:00:00.000Z' }),
    ['奉节腊肉 (FJLR): produced on 2026-05-01, code issued on 2026-05-11, while its owner was not admitted to the brand'],
    'a lot recorded after it joined is, whatever production day it gives',
  );
  t.same(misuseLines([], coded('2026-07-01', '2026-07-02')), [], 'an unbranded product is never misuse');
});

t.test('each misuse finding says which brand it is about, whatever the brand’s name reads like', async (t) => {
  const lookalike = { ...REGIONAL, nameZh: '仿 (FJLR): 好品' };
  const standings: BrandStanding[] = [
    { brand: GI, authorizations: [member], coveredSince: null },
    { brand: lookalike, authorizations: [], coveredSince: null },
  ];
  t.same(
    misuseFindings(standings, coded('2026-05-01', '2026-05-02')),
    [
      {
        brandCode: 'FSHP',
        line: '仿 (FJLR): 好品 (FSHP): produced on 2026-05-01, code issued on 2026-05-02, while its owner was not admitted to the brand',
      },
    ],
    'admitted to FJLR: a finding of FSHP alone, though its name holds “(FJLR): ”',
  );
  t.same(
    misuseFindings(standings, coded('2026-07-01', '2026-07-02')).map((finding) => finding.brandCode),
    ['FJLR', 'FSHP'],
    'a finding per brand misused',
  );
  t.same(
    misuseLines(standings, coded('2026-07-01', '2026-07-02')),
    misuseFindings(standings, coded('2026-07-01', '2026-07-02')).map((finding) => finding.line),
    'their lines',
  );
});

/** A change recorded at a time of a day (China time). */
const at = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`).toISOString();

t.test('an exit withdraws the badge from every pack of its member, after the authorization ran out too', async (t) => {
  const admission = { toState: 'admitted' as const, effectiveOn: '2026-11-01', recordedAt: at('2026-11-01', '12:00') };
  const exitedLate: AuthorizationHistory = {
    validFrom: '2026-11-01',
    validUntil: '2026-12-04',
    // an exit within the validity, recorded after it ran out
    changes: [admission, { toState: 'exited', effectiveOn: '2026-12-02', recordedAt: at('2026-12-05', '10:00') }],
  };
  const standing = (...authorizations: AuthorizationHistory[]): BrandStanding[] => [{ brand: GI, authorizations, coveredSince: null }];
  t.same(badgesOf(standing(exitedLate), made('2026-11-20'), '2026-12-05'), [], 'the exit withdraws it once the validity is over');
  t.same(badgesOf(standing(exitedLate), made('2026-11-20'), '2026-12-03'), [], 'as within it');
  const lapsed: AuthorizationHistory = { validFrom: '2026-11-01', validUntil: '2026-12-04', changes: [admission] };
  t.same(badgesOf(standing(lapsed), made('2026-11-20'), '2026-12-05'), [GI], 'a lapse is no exit: the lot keeps it');
  // a new authorization closes the lapsed one as exited from the day after its last
  const closed: AuthorizationHistory = {
    ...lapsed,
    changes: [admission, { toState: 'exited', effectiveOn: '2026-12-05', recordedAt: at('2026-12-20', '10:00') }],
  };
  const renewed = (validFrom: string, ...changes: AuthorizationHistory['changes']): AuthorizationHistory => ({
    validFrom,
    validUntil: null,
    changes: [{ toState: 'admitted', effectiveOn: validFrom, recordedAt: at('2026-12-20', '10:00') }, ...changes],
  });
  t.same(badgesOf(standing(closed, renewed('2026-12-20')), made('2026-11-20'), '2026-12-21'), [GI], 'renewed: kept');
  t.same(
    badgesOf(standing(closed, renewed('2027-01-01')), made('2026-11-20'), '2026-12-21'),
    [GI],
    'renewed from a day to come: kept meanwhile, the lapsed one closed is no exit',
  );
  t.same(
    badgesOf(standing(closed, renewed('2026-12-20', { toState: 'exited', effectiveOn: '2026-12-21' })), made('2026-11-20'), '2026-12-22'),
    [],
    'the renewed one exited: withdrawn from the packs of both',
  );
  t.same(
    badgesOf(standing(exitedLate, { ...renewed('2026-12-20'), validUntil: '2026-12-31' }), made('2026-11-20'), '2027-01-05'),
    [GI],
    'an exit an authorization since has followed, lapsed in its turn, withdraws nothing',
  );
});

t.test('an authorization exited before it started (a mistaken one) never stands for its party', async (t) => {
  // admitted on 12-01 from 12-15 by mistake, exited on 12-01 (the correction prescribed), and admitted again from 12-01
  const mistaken: AuthorizationHistory = {
    validFrom: '2026-12-15',
    validUntil: null,
    changes: [
      { toState: 'admitted', effectiveOn: '2026-12-15', recordedAt: at('2026-12-01', '09:00') },
      { toState: 'exited', effectiveOn: '2026-12-01', recordedAt: at('2026-12-01', '09:05') },
    ],
  };
  const live: AuthorizationHistory = {
    validFrom: '2026-12-01',
    validUntil: null,
    changes: [{ toState: 'admitted', effectiveOn: '2026-12-01', recordedAt: at('2026-12-01', '09:10') }],
  };
  const standing: BrandStanding[] = [{ brand: GI, authorizations: [mistaken, live], coveredSince: null }];
  for (const day of ['2026-12-01', '2026-12-14', '2026-12-15', '2027-03-01']) {
    t.equal(exitedBy([mistaken, live], day), false, `not left on ${day}: the live one stands`);
    t.same(badgesOf(standing, made('2026-12-02'), day), [GI], `a pack keeps its badge on ${day}`);
    t.same(labelRefusals(standing, made('2026-12-02'), day), [], `and its maker may label on ${day}`);
  }
  t.equal(exitedBy([mistaken], '2026-12-20'), false, 'alone, it is no exit either: it never stood');
  const liveExited: AuthorizationHistory = {
    ...live,
    changes: [...live.changes, { toState: 'exited', effectiveOn: '2026-12-20', recordedAt: at('2026-12-20', '09:00') }],
  };
  t.equal(exitedBy([mistaken, liveExited], '2026-12-20'), true, 'the live one exiting is an exit');
  t.same(badgesOf([{ brand: GI, authorizations: [mistaken, liveExited], coveredSince: null }], made('2026-12-02'), '2026-12-20'), []);
  // one exited on the very day it started did stand, for what was made that day before the exit
  const exitedOnItsFirstDay: AuthorizationHistory = {
    ...mistaken,
    changes: [mistaken.changes[0], { toState: 'exited', effectiveOn: '2026-12-15', recordedAt: at('2026-12-15', '09:05') }],
  };
  t.equal(exitedBy([exitedOnItsFirstDay], '2026-12-15'), true, 'an exit on its first day is an exit');
});

t.test('an exit recorded once the authorization started is an exit, however far back it is dated', async (t) => {
  // admitted 12-01..12-03 (lapsed); on 12-06 admitted again from 12-11 and suspended that day, before
  // its first day; on 12-13 exited, dated back to the suspension's day (12-06)
  const lapsed: AuthorizationHistory = {
    validFrom: '2026-12-01',
    validUntil: '2026-12-03',
    changes: [
      { toState: 'admitted', effectiveOn: '2026-12-01', recordedAt: at('2026-12-01', '09:00') },
      { toState: 'exited', effectiveOn: '2026-12-04', recordedAt: at('2026-12-06', '09:00') },
    ],
  };
  const backdated: AuthorizationHistory = {
    validFrom: '2026-12-11',
    validUntil: null,
    changes: [
      { toState: 'admitted', effectiveOn: '2026-12-11', recordedAt: at('2026-12-06', '09:00') },
      { toState: 'suspended', effectiveOn: '2026-12-06', recordedAt: at('2026-12-06', '09:05') },
      { toState: 'exited', effectiveOn: '2026-12-06', recordedAt: at('2026-12-13', '09:00') },
    ],
  };
  t.equal(exitedBy([lapsed, backdated], '2026-12-13'), true, 'it stood (suspended) from its first day: its exit is an exit');
  t.same(badgesOf([{ brand: GI, authorizations: [lapsed, backdated], coveredSince: null }], made('2026-12-01'), '2026-12-13'), []);
  // the same exit recorded before its first day: it never started, and the lapsed one is what the party left
  const exitedInTime: AuthorizationHistory = {
    ...backdated,
    changes: [...backdated.changes.slice(0, 2), { toState: 'exited', effectiveOn: '2026-12-06', recordedAt: at('2026-12-08', '09:00') }],
  };
  t.equal(exitedBy([lapsed, exitedInTime], '2026-12-13'), false, 'exited before its first day, it never stood');
});

t.test('a change recorded on its own day holds what was recorded after it; one recorded later, its whole day', async (t) => {
  // suspended from 12-03, as decided on 12-05 at 10:00
  const backdated: AuthorizationHistory = {
    validFrom: '2026-11-01',
    validUntil: null,
    changes: [
      { toState: 'admitted', effectiveOn: '2026-11-01', recordedAt: at('2026-11-01', '12:00') },
      { toState: 'suspended', effectiveOn: '2026-12-03', recordedAt: at('2026-12-05', '10:00') },
    ],
  };
  const standings: BrandStanding[] = [{ brand: GI, authorizations: [backdated], coveredSince: null }];
  t.same(badgesOf(standings, made('2026-12-02', '23:00'), '2026-12-06'), [GI], 'made the day before: kept');
  t.same(badgesOf(standings, made('2026-12-03', '08:00'), '2026-12-06'), [], 'made on its first day: none');
  t.same(badgesOf(standings, made('2026-12-04'), '2026-12-06'), [], 'nor the day after');
  t.same(badgesOf(standings, made('2026-12-05', '09:00'), '2026-12-06'), [], 'nor on the day it was recorded, before it was');
  t.same(
    misuseLines(standings, coded('2026-12-02', '2026-12-05', '09:00')),
    [],
    'a code issued while admitted, before the change was recorded',
  );
  t.same(
    misuseLines(standings, coded('2026-12-03', '2026-12-04')),
    ['奉节腊肉 (FJLR): produced on 2026-12-03, while its owner was not admitted to the brand'],
    'made in the suspension, coded before it was recorded: its making is misuse, its code not',
  );
  t.same(
    misuseLines(standings, coded('2026-12-02', '2026-12-05', '11:00')),
    ['奉节腊肉 (FJLR): code issued on 2026-12-05, while its owner was not admitted to the brand'],
    'a code issued after the change was recorded is',
  );

  // member: suspended from 03-01, reinstated on 04-01 at noon
  const regional: BrandStanding = {
    brand: REGIONAL,
    authorizations: [{ validFrom: '2026-01-01', validUntil: null, changes: [{ toState: 'admitted', effectiveOn: '2026-01-01' }] }],
    coveredSince: null,
  };
  const suspendedThenReinstated: BrandStanding[] = [{ brand: GI, authorizations: [member], coveredSince: null }, regional];
  t.same(
    badgesOf(suspendedThenReinstated, made('2026-04-01', '09:00'), '2026-05-01'),
    [REGIONAL],
    'made on the day of the reinstatement before it was recorded: made while suspended, no badge',
  );
  t.same(badgesOf(suspendedThenReinstated, made('2026-04-01', '14:00'), '2026-05-01'), [GI, REGIONAL], 'made after it: the badge');
  t.same(
    misuseLines(suspendedThenReinstated, coded('2026-04-01', '2026-04-02')),
    ['奉节腊肉 (FJLR): produced on 2026-04-01, while its owner was not admitted to the brand'],
    'made while suspended, coded once reinstated: its making is misuse',
  );
  t.same(
    badgesOf(suspendedThenReinstated, made('2026-01-01', '09:00'), '2026-02-01'),
    [GI, REGIONAL],
    'the admission opens the validity: made on its first day before it was recorded is made within it',
  );
});

t.test('disposal: cleared when nothing is left, overdue when stock outlives the deadline', async (t) => {
  t.equal(addDays('2026-06-15', 30), '2026-07-15');
  t.equal(addDays('2026-12-20', 30), '2027-01-19', 'across a year');
  t.equal(addDays('9999-12-31', 1), '9999-12-31', 'no later than the last day the service stores');
  t.equal(addDays('9999-12-20', 30), '9999-12-31');
  t.equal(disposalStatus(0, '2026-07-15', '2026-08-01'), 'cleared');
  t.equal(disposalStatus(12, '2026-07-15', '2026-07-15'), 'disposing', 'the deadline day itself is still in time');
  t.equal(disposalStatus(12, '2026-07-15', '2026-07-16'), 'overdue');
});

t.test("an admission's first day: from its brand's registration day to a year after today", async (t) => {
  t.equal(aYearAfter('2026-05-20'), '2027-05-20');
  t.equal(aYearAfter('2028-02-29'), '2029-02-28', 'a leap day: the last day of February a year on');
  t.equal(aYearAfter('2026-12-31'), '2027-12-31');
  const brand = { code: 'FSHP', registeredOn: '2026-03-10' };
  t.equal(validFromRefusal(brand, '2026-03-10', '2026-05-20'), null, 'the registration day');
  t.equal(validFromRefusal(brand, '2027-05-20', '2026-05-20'), null, 'a year from today');
  t.match(validFromRefusal(brand, '2026-03-09', '2026-05-20'), {
    field: 'must not be before 2026-03-10, the day brand FSHP was registered',
  });
  t.match(validFromRefusal(brand, '2027-05-21', '2026-05-20'), { field: 'must not be after 2027-05-20, a year from today' });
});
