// A brand member's standing over time, from its authorization's validity and dated state changes.
// Pure: the caller loads the rows; days are calendar days (YYYY-MM-DD, China time), compared as text.

export const BRAND_KINDS = ['regional', 'gi', 'enterprise'] as const;
export type BrandKind = (typeof BRAND_KINDS)[number];

/** The "5 + 20 + N" matrix: 5 head enterprises, 20 backbone enterprises, any number authorized. */
export const TIERS = ['head', 'backbone', 'authorized'] as const;
export type Tier = (typeof TIERS)[number];
export const TIER_CAPS: Record<Tier, number> = { head: 5, backbone: 20, authorized: Number.POSITIVE_INFINITY };

export const AUTHORIZATION_STATES = ['admitted', 'suspended', 'exited'] as const;
export type AuthorizationState = (typeof AUTHORIZATION_STATES)[number];

/** Which state may follow which: a suspension is lifted by reinstatement; an exit is final. */
const NEXT_STATES: Record<AuthorizationState, readonly AuthorizationState[]> = {
  admitted: ['suspended', 'exited'],
  suspended: ['admitted', 'exited'],
  exited: [],
};

export type StateChange = { toState: AuthorizationState; effectiveOn: string };
export type AuthorizationHistory = { validFrom: string; validUntil: string | null; changes: StateChange[] };

/** Why the change is refused, or null when the state machine allows it. */
export function transitionRefusal(from: AuthorizationState, to: AuthorizationState): string | null {
  if (NEXT_STATES[from].includes(to)) return null;
  if (from === 'exited') return 'the authorization has exited; an exit is final (a new admission is a new authorization)';
  return `an authorization that is ${from} cannot become ${to}; from ${from} it can become ${NEXT_STATES[from].join(' or ')}`;
}

/**
 * The state in force on a day: that of the last change effective on or before it (changes are in
 * the order they were recorded), or null before the first. Outside the validity period nothing is in force.
 */
export function stateOn(history: AuthorizationHistory, day: string): AuthorizationState | null {
  if (day < history.validFrom || (history.validUntil !== null && day > history.validUntil)) return null;
  let state: AuthorizationState | null = null;
  for (const change of history.changes) if (change.effectiveOn <= day) state = change.toState;
  return state;
}

/** Was any of the party's authorizations for a brand admitted (and valid) on that day? */
export const admittedOn = (histories: readonly AuthorizationHistory[], day: string): boolean =>
  histories.some((history) => stateOn(history, day) === 'admitted');

export type BrandRef = { code: string; kind: BrandKind; nameZh: string; nameEn: string };
/** A brand covering a lot's product, with the lot owner's authorizations for it (none if it never had one). */
export type BrandStanding = { brand: BrandRef; authorizations: AuthorizationHistory[] };

/** Has the party left the brand by that day: an exit in force, and no authorization admitted or suspended? */
const exitedBy = (histories: readonly AuthorizationHistory[], day: string): boolean => {
  const states = histories.map((history) => stateOn(history, day));
  return states.includes('exited') && !states.some((state) => state === 'admitted' || state === 'suspended');
};

/**
 * The brands a lot may show today: those its owner was admitted to on the day the lot was
 * produced, and has not left since (an exit withdraws the badge from all its packs).
 */
export const badgesOf = (standings: readonly BrandStanding[], producedOn: string, today: string): BrandRef[] =>
  standings
    .filter((standing) => admittedOn(standing.authorizations, producedOn) && !exitedBy(standing.authorizations, today))
    .map((standing) => standing.brand);

/**
 * Brand misuse (冒用) a scanned pack shows: a lot of a branded product produced, or its code issued,
 * on a day its owner was not admitted to the brand. One finding per brand, saying what was wrong.
 * Codes issued on the day of a suspension or exit count as issued while admitted: issuance is
 * refused from the moment the change is recorded, and within its day the two cannot be ordered.
 */
export function misuseOf(standings: readonly BrandStanding[], pack: { producedOn: string; issuedOn: string }): string[] {
  const findings: string[] = [];
  for (const { brand, authorizations } of standings) {
    const issuedWhileAdmitted = admittedOn(authorizations, pack.issuedOn) || admittedOn(authorizations, addDays(pack.issuedOn, -1));
    const wrong = [
      admittedOn(authorizations, pack.producedOn) ? null : `produced on ${pack.producedOn}`,
      issuedWhileAdmitted ? null : `code issued on ${pack.issuedOn}`,
    ].filter((what) => what !== null);
    if (wrong.length) findings.push(`${brand.nameZh} (${brand.code}): ${wrong.join(', ')}, while its owner was not admitted to the brand`);
  }
  return findings;
}

/** A day plus a number of days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

type DisposalStatus = 'disposing' | 'cleared' | 'overdue';

/** Brand-labelled stock after a suspension or exit: gone (cleared), still within the deadline, or overdue. */
export function disposalStatus(onHand: number, deadline: string, today: string): DisposalStatus {
  if (onHand <= 0) return 'cleared';
  return today > deadline ? 'overdue' : 'disposing';
}
