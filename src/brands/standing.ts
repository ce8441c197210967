// A brand member's standing over time, from its authorization's validity and dated state changes.
// Pure: the caller loads the rows; days are calendar days (YYYY-MM-DD, China time), compared as text,
// and instants ISO 8601 in UTC (as Date#toISOString writes them), compared as text too.

import { regionName } from '../codes/regions.js';
import type { PartyKind } from '../codes/service-codes.js';
import { chinaDay, LAST_STORABLE_MS } from '../codes/timestamp.js';

export const BRAND_KINDS = ['regional', 'gi', 'enterprise'] as const;
export type BrandKind = (typeof BRAND_KINDS)[number];

/** The "5 + 20 + N" matrix: 5 head enterprises, 20 backbone enterprises, any number authorized. */
export const TIERS = ['head', 'backbone', 'authorized'] as const;
export type Tier = (typeof TIERS)[number];
export const TIER_CAPS: Record<Tier, number> = { head: 5, backbone: 20, authorized: Number.POSITIVE_INFINITY };

/**
 * The kinds of party a brand admits: those that make or pack produce under it. A cold store, a carrier,
 * a lab or a regulator makes none: admitted, it would lend the brand to produce it holds, carries or tests.
 */
export const ADMISSIBLE_KINDS: readonly PartyKind[] = ['farm', 'slaughterhouse', 'cutting_plant', 'processor', 'distributor', 'retailer'];

/** Whether a GB/T 2260 county code lies in an area: a code or its prefix (2 digits a province, 4 a city, 6 a county). */
export const withinArea = (regionCode: string, area: string): boolean => regionCode.startsWith(area);

/**
 * Why a brand may not admit a party, or null: a kind that makes no produce (ADMISSIBLE_KINDS); for a
 * regional or GI brand, whose badge vouches for the place, a party registered outside its area (`area`:
 * the brand's, or its owner's county for one registered before areas were kept; none, no such rule).
 * It names the rule and the party's kind (its code's letter says it), never where another party is.
 */
export function admissionRefusal(
  brand: { code: string; kind: BrandKind; area: string | null },
  party: { code: string; kind: PartyKind; regionCode: string },
): string | null {
  if (!ADMISSIBLE_KINDS.includes(party.kind)) {
    return `party ${party.code} is a ${party.kind}: a brand admits only parties that make or pack its produce (${ADMISSIBLE_KINDS.join(', ')})`;
  }
  if (brand.kind !== 'enterprise' && brand.area !== null && !withinArea(party.regionCode, brand.area)) {
    return `party ${party.code} is not registered within brand ${brand.code}'s area (${[brand.area, regionName(brand.area)].filter(Boolean).join(' ')}): a ${brand.kind} brand admits only parties registered there`;
  }
  return null;
}

/** The last day an admission may start on: the same date a year after today (28 February for a 29 February). */
export function aYearAfter(day: string): string {
  const [year, month, date] = day.split('-');
  const next = `${Number(year) + 1}-${month}-${date}`;
  return month === '02' && date === '29' ? `${Number(year) + 1}-02-28` : next;
}

/**
 * Why an admission may not start on `validFrom`, or null: before the day (China time) its brand was registered,
 * when there was no brand to admit to, or more than a year after today, too far ahead for the office to judge.
 * The field detail names the bound.
 */
export function validFromRefusal(
  brand: { code: string; registeredOn: string },
  validFrom: string,
  today: string,
): { detail: string; field: string } | null {
  if (validFrom < brand.registeredOn) {
    return {
      detail: `an admission to brand ${brand.code} cannot start on ${validFrom}, before the brand was registered (${brand.registeredOn})`,
      field: `must not be before ${brand.registeredOn}, the day brand ${brand.code} was registered`,
    };
  }
  const latest = aYearAfter(today);
  if (validFrom > latest) {
    return {
      detail: `an admission to brand ${brand.code} cannot start on ${validFrom}, more than a year after today (${today})`,
      field: `must not be after ${latest}, a year from today`,
    };
  }
  return null;
}

export const AUTHORIZATION_STATES = ['admitted', 'suspended', 'exited'] as const;
export type AuthorizationState = (typeof AUTHORIZATION_STATES)[number];

/** Which state may follow which: a suspension is lifted by reinstatement; an exit is final. */
const NEXT_STATES: Record<AuthorizationState, readonly AuthorizationState[]> = {
  admitted: ['suspended', 'exited'],
  suspended: ['admitted', 'exited'],
  exited: [],
};

/** `recordedAt`: when the change was recorded (ISO 8601 UTC), which orders it against a lot or code of its own day. */
export type StateChange = { toState: AuthorizationState; effectiveOn: string; recordedAt?: string };
/**
 * `changes` in the order they were made (their `seq`, which also orders those recorded at one instant),
 * the first the admission that opened the authorization.
 */
export type AuthorizationHistory = { validFrom: string; validUntil: string | null; changes: StateChange[] };

/** Why the change is refused, or null when the state machine allows it. */
export function transitionRefusal(from: AuthorizationState, to: AuthorizationState): string | null {
  if (NEXT_STATES[from].includes(to)) return null;
  if (from === 'exited') return 'the authorization has exited; an exit is final (a new admission is a new authorization)';
  return `an authorization that is ${from} cannot become ${to}; from ${from} it can become ${NEXT_STATES[from].join(' or ')}`;
}

/**
 * Which changes a judgement reads besides those effective by its day. None given: every one recorded
 * (the state today). `madeAt`: for a lot recorded at that instant, a change recorded on the very day
 * it takes effect holds only what was recorded after it (what was made before, that day, was made in
 * the state before); one recorded on a later day (a suspension found late) holds its whole day, as do
 * the admission that opened the authorization and its validity, which are by days. `knownAt`: as the
 * service knew them at that instant, when it issued a code: a change recorded after it is not read.
 */
export type Reading = { madeAt: string } | { knownAt: string };

const unread = (change: StateChange, index: number, day: string, reading: Reading): boolean => {
  if (change.recordedAt === undefined) return false;
  if ('knownAt' in reading) return change.recordedAt > reading.knownAt;
  return index > 0 && change.effectiveOn === day && chinaDay(new Date(change.recordedAt)) === day && change.recordedAt > reading.madeAt;
};

/**
 * The state in force on a day: that of the last change effective on or before it (changes are in
 * the order they were made) and read (see Reading), or null before the first. Outside the
 * validity period nothing is in force.
 */
export function stateOn(history: AuthorizationHistory, day: string, reading?: Reading): AuthorizationState | null {
  if (day < history.validFrom || (history.validUntil !== null && day > history.validUntil)) return null;
  let state: AuthorizationState | null = null;
  for (const [index, change] of history.changes.entries()) {
    if (change.effectiveOn <= day && !(reading && unread(change, index, day, reading))) state = change.toState;
  }
  return state;
}

/** Was any of the party's authorizations for a brand admitted (and valid) on that day? */
export const admittedOn = (histories: readonly AuthorizationHistory[], day: string): boolean =>
  histories.some((history) => stateOn(history, day) === 'admitted');

/**
 * Was the party admitted when it made a lot on that day, recorded at that instant? A change of that
 * very day recorded after the lot does not hold it (a lot made before a suspension or exit was made
 * while the member stood admitted, one made before a reinstatement while it was suspended); a change
 * recorded on a later day holds the lots of its whole day (see Reading).
 */
export const admittedWhenMade = (histories: readonly AuthorizationHistory[], day: string, recordedAt: string): boolean =>
  histories.some((history) => stateOn(history, day, { madeAt: recordedAt }) === 'admitted');

/**
 * Was the party admitted, as the service knew it, when a code was issued on that day at that instant?
 * A code the service issued while the member stood admitted stays so when a change recorded later
 * takes effect from an earlier day: the service issues codes only to members admitted then.
 */
export const admittedWhenIssued = (histories: readonly AuthorizationHistory[], day: string, issuedAt: string): boolean =>
  histories.some((history) => stateOn(history, day, { knownAt: issuedAt }) === 'admitted');

export type BrandRef = { code: string; kind: BrandKind; nameZh: string; nameEn: string };
/**
 * A brand covering a lot's product, with the lot owner's authorizations for it (none if it never had
 * one), and since when the brand covers the product (ISO 8601 UTC; null: since before that was recorded).
 */
export type BrandStanding = { brand: BrandRef; authorizations: AuthorizationHistory[]; coveredSince: string | null };

/** What a lot is judged by: the day it was produced (China time) and the instant it was recorded. */
export type LotMaking = { producedOn: string; recordedAt: string };

/** A stored lot's making: its production day, its recording day when it has none. */
export const makingOf = (lot: { productionDate: string | null; createdAt: Date }): LotMaking => ({
  producedOn: lot.productionDate ?? chinaDay(lot.createdAt),
  recordedAt: lot.createdAt.toISOString(),
});

/**
 * Did the brand cover the product when the lot was made? Not for a lot recorded before the product
 * joined: the brand's rules (its badge, misuse) hold the lots made once the product is in it, and
 * the service knows a lot from when it was recorded (its production day, which the maker writes,
 * may be any day before).
 */
export const coveredWhenMade = (standing: BrandStanding, lot: LotMaking): boolean =>
  standing.coveredSince === null || lot.recordedAt >= standing.coveredSince;

/**
 * An authorization exited before its first day (one admitted from a day to come by mistake, exited
 * from today as the brand office corrects it) was never in force: it is no standing of its party.
 * Before its first day as recorded then: an exit recorded once it had started (say, suspended
 * before its first day) is an exit however far back it is dated, or backdating it would hand the
 * badges back to an older, lapsed authorization.
 */
const neverStarted = (history: AuthorizationHistory): boolean =>
  history.changes.some(
    (change) =>
      change.toState === 'exited' &&
      (change.recordedAt === undefined ? change.effectiveOn : chinaDay(new Date(change.recordedAt))) < history.validFrom,
  );

/** A member's state as the members list shows it: expired, past its authorization's last day without having exited within it. */
export type MemberState = AuthorizationState | 'expired';

/**
 * The party's state in the brand on that day, or null before it had any: that of its latest authorization to
 * have started (one that exited before it started never did). After its last day, it stands as it ended: exited
 * if it exited within its validity (recorded then or later), else expired (a lapse, or the exit closing a lapsed
 * one for a new authorization, stored from the day after its last).
 */
export const memberStateOn = (histories: readonly AuthorizationHistory[], day: string): MemberState | null => {
  const started = histories.filter((history) => history.validFrom <= day && !neverStarted(history));
  if (started.length === 0) return null;
  const latest = started.reduce((last, history) => (history.validFrom >= last.validFrom ? history : last));
  if (latest.validUntil === null || day <= latest.validUntil) return stateOn(latest, day);
  return stateOn(latest, latest.validUntil) === 'exited' ? 'exited' : 'expired';
};

/** Has the party left the brand by that day (see memberStateOn)? */
export const exitedBy = (histories: readonly AuthorizationHistory[], day: string): boolean => memberStateOn(histories, day) === 'exited';

/**
 * Was the party admitted on any day from `from` to `to` (see admittedOn)? Its standing changes only on a
 * validity's first day and on a change's day (and ends after a validity's last), so it was if it was on the
 * first of them or on one of those days within them.
 */
export function admittedWithin(histories: readonly AuthorizationHistory[], from: string, to: string): boolean {
  if (to < from) return false;
  const turns = histories.flatMap((history) => [history.validFrom, ...history.changes.map((change) => change.effectiveOn)]);
  return [from, ...turns.filter((day) => from < day && day <= to)].some((day) => admittedOn(histories, day));
}

/**
 * Is the lot held to the brand: made once its product was in it, by an owner admitted when it made
 * it (see admittedWhenMade)? Its packs carry the brand (the badge, until the owner exits), and are
 * the brand-labelled stock a suspension or exit has to dispose of. The brands' repository counts
 * that stock by the same rule in SQL (heldToBrandSql).
 */
export const heldToBrand = (standing: BrandStanding, lot: LotMaking): boolean =>
  coveredWhenMade(standing, lot) && admittedWhenMade(standing.authorizations, lot.producedOn, lot.recordedAt);

/**
 * Was the lot made under the brand (its product in it) while its owner was not admitted? Every
 * pack of it is misuse, however its code came: no door may label one.
 */
const madeUnadmitted = (standing: BrandStanding, lot: LotMaking): boolean =>
  coveredWhenMade(standing, lot) && !admittedWhenMade(standing.authorizations, lot.producedOn, lot.recordedAt);

/**
 * The brands a lot may show today: those it is held to (see heldToBrand), whose owner has not left
 * since (an exit withdraws the badge from all its packs).
 */
export const badgesOf = (standings: readonly BrandStanding[], lot: LotMaking, today: string): BrandRef[] =>
  standings.filter((standing) => heldToBrand(standing, lot) && !exitedBy(standing.authorizations, today)).map((standing) => standing.brand);

/** A certification as a member declared it on an approved application to join (its validity by days, the first optional). */
export type DeclaredCertification = { type: string; number: string; validFrom: string | null; validUntil: string };

/**
 * Why the certifications shown as an admission's evidence do not support it, one per item that does not, by its
 * index: the member declared no certification of that type and number on an approved application to join, or none
 * such valid on `validFrom`, the admission's first day. The office's free-text note is not checked.
 */
export function evidenceRefusals(
  evidence: readonly { type: string; number: string }[],
  declared: readonly DeclaredCertification[],
  party: string,
  validFrom: string,
): { index: number; detail: string }[] {
  return evidence.flatMap(({ type, number }, index) => {
    const same = declared.filter((held) => held.type === type && held.number === number);
    const named = `${type} certification ${number}`;
    if (same.length === 0) return [{ index, detail: `${named} is not one party ${party} declared on an approved application to join` }];
    const valid = same.some((held) => (held.validFrom ?? validFrom) <= validFrom && validFrom <= held.validUntil);
    return valid
      ? []
      : [{ index, detail: `${named} is not valid on ${validFrom}, the admission's first day, as party ${party} declared it` }];
  });
}

/** The certification (a type declared on an approved application to join) that earns each product mark. */
export const MARK_CERTIFICATIONS: Readonly<Record<string, string>> = {
  geographical_indication: 'gi_use_permit',
  green_food: 'green_food',
  organic: 'organic',
};

/**
 * The marks a lot's product may show: of those it declares, the ones earned, which declaring one is not.
 * Each by its certification held by the lot's owner when it made the lot (`certifications`, their types:
 * 绿色食品, 有机产品, a GI use permit); the 地理标志 (GI) mark also by a badge of a GI brand the lot shows
 * (badgesOf: held to it, its owner not exited since).
 */
export const earnedMarks = (marks: readonly string[], badges: readonly BrandRef[], certifications: readonly string[]): string[] =>
  marks.filter(
    (mark) =>
      certifications.includes(MARK_CERTIFICATIONS[mark]) ||
      (mark === 'geographical_indication' && badges.some((badge) => badge.kind === 'gi')),
  );

/** A misuse finding: the brand it is about, and the line saying what was wrong (of a `brand_misuse` flag's detail). */
export type MisuseFinding = { brandCode: string; line: string };

/** A pack as a scan judges it: its lot's making and when its code was issued. */
export type CodedPack = LotMaking & { issuedOn: string; issuedAt: string };

/**
 * Brand misuse (冒用) a scanned pack shows: a lot of a branded product made, or its code issued, when
 * its owner was not admitted to the brand. One finding per brand, naming it and saying what was wrong. A lot is
 * judged by admittedWhenMade, a code by what the service knew when it issued it (admittedWhenIssued);
 * a lot made before its product joined the brand is not held to the brand at all. A lot scanned by its own
 * label (no code the service issued) is judged by its making alone.
 */
export function misuseFindings(standings: readonly BrandStanding[], scanned: CodedPack | LotMaking): MisuseFinding[] {
  const findings: MisuseFinding[] = [];
  for (const standing of standings) {
    if (!coveredWhenMade(standing, scanned)) continue;
    const { brand, authorizations } = standing;
    const wrong = [
      madeUnadmitted(standing, scanned) ? `produced on ${scanned.producedOn}` : null,
      !('issuedOn' in scanned) || admittedWhenIssued(authorizations, scanned.issuedOn, scanned.issuedAt)
        ? null
        : `code issued on ${scanned.issuedOn}`,
    ].filter((what) => what !== null);
    if (wrong.length) findings.push({ brandCode: brand.code, line: misuseFinding(brand, wrong) });
  }
  return findings;
}

/** A misuse finding's line: the brand's name and code, then what was wrong (no parentheses). */
const misuseFinding = (brand: { code: string; nameZh: string }, wrong: readonly string[]) =>
  `${brand.nameZh} (${brand.code}): ${wrong.join(', ')}, while its owner was not admitted to the brand`;

/**
 * The brand a misuse finding's line names: the code in the last parentheses, right before the colon (a brand's
 * name may hold parentheses, what follows the colon holds none). Which brands a flag is of is stored with it
 * (code_flags.brand_codes, from misuseFindings); this picks, of the lines of a flag shown to a brand's office,
 * those of its brand. Migration 0095 filled the stored brands of earlier flags by this pattern.
 */
const MISUSE_FINDING_BRAND = /\(([A-Z0-9][A-Z0-9-]*)\): [^()]*$/;

/** The brand code a misuse finding's line names (MISUSE_FINDING_BRAND), undefined for a line of another form. */
export const brandOfFinding = (line: string): string | undefined => MISUSE_FINDING_BRAND.exec(line)?.[1];

/**
 * Why a party may not label packs of its lot of a branded product on a day (issue their item codes,
 * commission serials): one line per brand covering the product that the party is not admitted to
 * then, naming the brand and its state, or that holds the lot and its packs as misuse, made while
 * the party was not admitted (see misuseFindings: what this allows a scan does not flag). Empty when it
 * may. One rule for every door that labels packs.
 */
export function labelRefusals(standings: readonly BrandStanding[], lot: LotMaking, day: string): string[] {
  return standings.flatMap((standing) => {
    const { brand, authorizations } = standing;
    if (!admittedOn(authorizations, day)) {
      const states = authorizations.map((history) => stateOn(history, day) ?? 'not valid today');
      return [`${brand.nameZh} (${brand.code}): ${states.length ? states.join(', ') : 'never admitted'}`];
    }
    if (madeUnadmitted(standing, lot))
      return [`${brand.nameZh} (${brand.code}): not admitted when the lot was made (produced on ${lot.producedOn})`];
    return [];
  });
}

/**
 * A day plus a number of days, no later than 9999-12-31: the last day the service stores (a later one would be
 * written +010000-…, which neither the schema nor PostgreSQL reads as a date).
 */
export function addDays(day: string, days: number): string {
  return new Date(Math.min(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000, LAST_STORABLE_MS)).toISOString().slice(0, 10);
}

type DisposalStatus = 'disposing' | 'cleared' | 'overdue';

/** Brand-labelled stock after a suspension or exit: gone (cleared), still within the deadline, or overdue. */
export function disposalStatus(onHand: number, deadline: string, today: string): DisposalStatus {
  if (onHand <= 0) return 'cleared';
  return today > deadline ? 'overdue' : 'disposing';
}
