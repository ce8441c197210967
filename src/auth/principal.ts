import { forbidden } from '../http/problem.js';

export const ROLES = ['admin', 'operator', 'regulator'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the API key on every non-public request. */
export type Principal = { keyId: string; role: Role; partyCode: string | null };

export function requireRole(principal: Principal, ...roles: Role[]): void {
  if (!roles.includes(principal.role)) {
    throw forbidden(`this action needs the ${roles.join(' or ')} role; the key has ${principal.role}`);
  }
}

/** Admins and regulators read everything; an operator reads only its own party's data. */
export function canReadPartyData(principal: Principal, partyCode: string): boolean {
  return principal.role !== 'operator' || principal.partyCode === partyCode;
}

export function assertCanReadPartyData(principal: Principal, partyCode: string): void {
  if (!canReadPartyData(principal, partyCode)) {
    throw forbidden(`party ${principal.partyCode} may not read data of party ${partyCode}`);
  }
}

/** Admins register master data for anyone; an operator only for its own party. */
export function assertCanWriteForParty(principal: Principal, partyCode: string): void {
  if (principal.role === 'admin') return;
  if (principal.role === 'operator' && principal.partyCode === partyCode) return;
  throw forbidden(`this key may not write data of party ${partyCode}`);
}

/** Events are always recorded by the operator key's own party. */
export function actingPartyOf(principal: Principal): string {
  if (principal.role !== 'operator' || !principal.partyCode) {
    throw forbidden('events are recorded with an operator key, acting for its own party');
  }
  return principal.partyCode;
}
