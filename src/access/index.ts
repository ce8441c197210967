// Who may do what: every access decision of the service is made here, from the principal an API
// key resolves to. Pure: callers look up the facts (a lot's owner, the parties that held it) and
// ask. Admins register parties and keys; an operator acts for one party and reads that party's
// private data; regulators read everything.
import { createHash, timingSafeEqual } from 'node:crypto';
import { forbidden, notFound } from '../errors/problem.js';

export const ROLES = ['admin', 'operator', 'regulator'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the API key on every non-public request. */
export type Principal = { keyId: string; role: Role; partyCode: string | null };

type Grant = { roles: readonly Role[]; what: string };

/** Actions that only depend on the role. */
const ROLE_GRANTS = {
  'api-keys.manage': { roles: ['admin'], what: 'manage API keys' },
  'parties.register': { roles: ['admin'], what: 'register parties' },
  'regulator.read': { roles: ['regulator', 'admin'], what: 'read scan statistics and flags' },
  'complaints.handle': { roles: ['regulator', 'admin'], what: 'handle complaints' },
  'figures.read': { roles: ['regulator', 'admin'], what: 'read mass balances, anomalies, coverage, pass rates and exports' },
  'registrations.review': { roles: ['regulator', 'admin'], what: 'review applications to join' },
} satisfies Record<string, Grant>;
export type RoleAction = keyof typeof ROLE_GRANTS;

export function requireRole(principal: Principal, action: RoleAction): void {
  const grant: Grant = ROLE_GRANTS[action];
  if (!grant.roles.includes(principal.role)) {
    throw forbidden(`only ${grant.roles.join(' or ')} keys may ${grant.what}; this key has the ${principal.role} role`);
  }
}

/**
 * Whose private data (quantities, holders, events, jobs) the principal reads: `null` for every
 * party's, else the one party code. List queries filter by it.
 */
export function privateScope(principal: Principal): string | null {
  return principal.role === 'operator' ? (principal.partyCode as string) : null;
}

/** May the principal read this party's private data? */
export function canReadPartyData(principal: Principal, partyCode: string): boolean {
  const scope = privateScope(principal);
  return scope === null || scope === partyCode;
}

export function requirePartyData(principal: Principal, partyCode: string, what = 'data'): void {
  if (!canReadPartyData(principal, partyCode)) throw forbidden(`party ${principal.partyCode} may not read ${what} of party ${partyCode}`);
}

/**
 * The party filter of a list query: an operator always lists its own party's (asking for another
 * party is refused); admins and regulators list the party asked for, or all.
 */
export function partyFilter(principal: Principal, asked: string | undefined, what: string): string | undefined {
  const scope = privateScope(principal);
  if (scope === null) return asked;
  if (asked !== undefined && asked !== scope) throw forbidden(`party ${scope} may not list ${what} of ${asked}`);
  return scope;
}

/**
 * Lots and traces are open to every party that owned, held or was sent the lot; an operator
 * outside that circle asks a regulator.
 */
export function requireLotReader(principal: Principal, lotCode: string, involvedParties: ReadonlySet<string>): void {
  const scope = privateScope(principal);
  if (scope !== null && !involvedParties.has(scope)) {
    throw forbidden(`party ${scope} has never owned or held ${lotCode}; ask a regulator for it`);
  }
}

/**
 * A party's contact persons, phone numbers, licences and site addresses: admins and regulators
 * see them, and an operator sees those of its own party and of parties it has shipped to or
 * received from. Everyone sees a party's public identity (code, kind, name, region).
 */
export function canSeePrivateDetails(principal: Principal, partyCode: string, tradingPartners: ReadonlySet<string>): boolean {
  const scope = privateScope(principal);
  return scope === null || scope === partyCode || tradingPartners.has(partyCode);
}

/** Master data (locations, products): admins for anyone, an operator for its own party. */
export function requireMasterDataWriter(principal: Principal, partyCode: string): void {
  if (principal.role === 'admin') return;
  if (principal.role === 'operator' && principal.partyCode === partyCode) return;
  throw forbidden(`this key may not write data of party ${partyCode}`);
}

/** Events are recorded (natively, through EPCIS or by devices) by the key's own party. */
export function actingParty(principal: Principal): string {
  if (principal.role !== 'operator' || !principal.partyCode) {
    throw forbidden('events are recorded with an operator key, acting for its own party');
  }
  return principal.partyCode;
}

/** Item codes are issued by the lot's owner for its own lot. */
export function requireLotOwner(principal: Principal, lot: { code: string; partyCode: string }, what: string): void {
  if (principal.role !== 'operator' || principal.partyCode !== lot.partyCode) {
    throw forbidden(`only the owner of lot ${lot.code} (${lot.partyCode}) may ${what}`);
  }
}

export const hashTicket = (ticket: string) => createHash('sha256').update(ticket).digest();

/**
 * An enterprise applying to join has no key yet: the ticket it was given when it applied opens its
 * own application. A wrong ticket reads as no such application, so ids cannot be probed.
 */
export function requireApplicant(ticket: string | undefined, storedTicketHash: string, what: string): void {
  const stored = Buffer.from(storedTicketHash, 'hex');
  if (ticket === undefined || !timingSafeEqual(hashTicket(ticket), stored))
    throw notFound(`no ${what}, or not with this Registration-Ticket`);
}
