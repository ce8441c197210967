// How a stored inspection's kind and lab read (inspectionClaimAsRead): as its recorder could have said
// them under requireInspectionClaim, whatever was stored before that rule. The SQL readers' copy of
// the kind is held to this function by test/events/inspections-as-read.test.ts.
import { inspectionClaimAsRead, requireInspectionClaim } from '../../src/access/index.js';
import { PARTY_KINDS } from '../../src/codes/service-codes.js';
import { fileTest } from '../root.js';

const t = fileTest();

const recorder = (kind: string) => ({ code: 'P-RECORDER', kind });
const read = (kind: string, stored: string, labPartyCode: string | null = null) =>
  inspectionClaimAsRead(recorder(kind), { kind: stored, labPartyCode });
const claimAllowed = (actor: { code: string; kind: string }, claim: { kind: string; labPartyCode: string | null }) => {
  try {
    requireInspectionClaim(actor, { kind: claim.kind, labPartyCode: claim.labPartyCode ?? undefined }, (field) => [field]);
    return true;
  } catch {
    return false;
  }
};

t.test('a claim the recorder may not make reads as what it could have said', async (t) => {
  t.strictSame(
    read('processor', 'third_party', 'L-LAB'),
    { kind: 'self', labPartyCode: null },
    'a processor’s third-party test: its self-test',
  );
  t.strictSame(read('processor', 'sampling', 'L-LAB'), { kind: 'self', labPartyCode: null }, 'its sampling naming a lab: its self-test');
  t.strictSame(read('farm', 'sampling', null), { kind: 'self', labPartyCode: null }, 'a farm’s sampling: its self-test');
  t.strictSame(read('processor', 'self', 'L-LAB'), { kind: 'self', labPartyCode: null }, 'a self-test names no lab');
  t.strictSame(read('retailer', 'rapid', 'L-LAB'), { kind: 'rapid', labPartyCode: null }, 'nor a rapid test');
  t.strictSame(
    read('lab', 'self', null),
    { kind: 'third_party', labPartyCode: 'P-RECORDER' },
    'a lab’s self-test: its own third-party test',
  );
  t.strictSame(read('lab', 'sampling', 'L-OTHER'), { kind: 'third_party', labPartyCode: 'P-RECORDER' }, 'a lab’s sampling likewise');
  t.strictSame(
    read('lab', 'third_party', 'L-OTHER'),
    { kind: 'third_party', labPartyCode: 'P-RECORDER' },
    'a lab’s test of another lab: its own',
  );
  t.strictSame(read('lab', 'rapid', 'L-OTHER'), { kind: 'rapid', labPartyCode: null }, 'a lab’s rapid test naming another lab names none');
  t.strictSame(read('regulator', 'self', 'L-LAB'), { kind: 'sampling', labPartyCode: 'L-LAB' }, 'a regulator’s self-test: its sampling');
  t.strictSame(read('regulator', 'third_party', 'L-LAB'), { kind: 'sampling', labPartyCode: 'L-LAB' }, 'its third-party test likewise');
});

t.test('an allowed claim reads as stored', async (t) => {
  t.strictSame(read('processor', 'self'), { kind: 'self', labPartyCode: null });
  t.strictSame(read('processor', 'self', 'P-RECORDER'), { kind: 'self', labPartyCode: 'P-RECORDER' });
  t.strictSame(read('retailer', 'rapid'), { kind: 'rapid', labPartyCode: null });
  t.strictSame(read('lab', 'third_party', 'P-RECORDER'), { kind: 'third_party', labPartyCode: 'P-RECORDER' });
  t.strictSame(read('lab', 'rapid', 'P-RECORDER'), { kind: 'rapid', labPartyCode: 'P-RECORDER' });
  t.strictSame(read('regulator', 'sampling', 'L-LAB'), { kind: 'sampling', labPartyCode: 'L-LAB' });
  t.strictSame(read('regulator', 'sampling'), { kind: 'sampling', labPartyCode: null });
  t.strictSame(read('processor', 'residue', null), { kind: 'residue', labPartyCode: null }, 'a kind the schema does not know is kept');
});

t.test('for every recorder, kind and lab: an allowed claim is kept, and every claim reads as one the recorder may make', async (t) => {
  for (const partyKind of PARTY_KINDS) {
    const actor = recorder(partyKind);
    for (const kind of ['self', 'rapid', 'sampling', 'third_party']) {
      for (const labPartyCode of [null, actor.code, 'L-OTHER']) {
        const stored = { kind, labPartyCode };
        const asRead = inspectionClaimAsRead(actor, stored);
        const what = `${partyKind}'s ${kind} naming ${labPartyCode ?? 'no one'}`;
        t.ok(claimAllowed(actor, asRead), `${what} reads as a claim it may make`);
        // a lab's third-party test naming no lab is stored naming it (the writer fills it in)
        const asStored = kind === 'third_party' && partyKind === 'lab' ? { kind, labPartyCode: actor.code } : stored;
        if (claimAllowed(actor, stored)) t.strictSame(asRead, asStored, `${what} reads as stored`);
      }
    }
  }
});
