// Browser sessions of the dashboard, and the counts its panels show that no figure endpoint gives.
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../db/client.js';
import { inPeriod, regionOf, type Scope } from '../figures/repository.js';

export type SessionPrincipal = { keyId: string; role: string; partyCode: string | null };

export function createDashboardRepository(db: Db) {
  return {
    async insertSession(session: { tokenHash: string; keyId: string; expiresAt: Date }): Promise<void> {
      await db.execute(
        sql`insert into regulator_sessions (token_hash, key_id, expires_at)
          values (${session.tokenHash}, ${session.keyId}, ${session.expiresAt.toISOString()}::timestamptz)`,
      );
    },
    /** The key behind a session that has not expired and whose key is not revoked. */
    async findSession(tokenHash: string, now: Date): Promise<SessionPrincipal | undefined> {
      const [row] = await queryRows<SessionPrincipal>(
        db,
        sql`select k.id as "keyId", k.role, k.party_code as "partyCode" from regulator_sessions s join api_keys k on k.id = s.key_id
          where s.token_hash = ${tokenHash} and s.expires_at > ${now.toISOString()}::timestamptz and k.revoked_at is null`,
      );
      return row;
    },
    /** Ends the session, and clears every expired one on the way. */
    async deleteSession(tokenHash: string, now: Date): Promise<void> {
      await db.execute(
        sql`delete from regulator_sessions where token_hash = ${tokenHash} or expires_at <= ${now.toISOString()}::timestamptz`,
      );
    },
    // As the other panels: a period of when it happened and a region of the party concerned (the owner of
    // the flagged code's lot, the producer complained about); a code or complaint tied to no party (an
    // unknown code) is of no region, so counted only when no region is chosen.
    /** Codes first flagged in the period (a flag seen again later counts in the period it was raised) and open, by kind. */
    flagsByKind(scope: Scope) {
      return queryRows<{ kind: string; codes: number }>(
        db,
        sql`select f.kind, count(*)::int as codes from code_flags f left join parties p on p.code = f.party_code
          where f.dismissal_id is null and ${inPeriod(sql`f.first_at`, scope)} and ${regionOf(sql`p.region_code`, scope.region)}
          group by f.kind order by f.kind`,
      );
    },
    /** The open flags of those codes last seen most recently. */
    async recentFlags(scope: Scope, limit: number) {
      const rows = await queryRows<{ code: string; kind: string; lotCode: string | null; lastAt: Date | string }>(
        db,
        sql`select f.code, f.kind, f.lot_code as "lotCode", f.last_at as "lastAt" from code_flags f left join parties p on p.code = f.party_code
          where f.dismissal_id is null and ${inPeriod(sql`f.first_at`, scope)} and ${regionOf(sql`p.region_code`, scope.region)}
          order by f.last_at desc, f.code, f.kind limit ${limit}`,
      );
      return rows.map((row) => ({ ...row, lastAt: new Date(row.lastAt) }));
    },
    /** Complaints filed in the period, by status. */
    complaintsByStatus(scope: Scope) {
      return queryRows<{ status: string; complaints: number }>(
        db,
        sql`select c.status, count(*)::int as complaints from complaints c left join parties p on p.code = c.party_code
          where ${inPeriod(sql`c.created_at`, scope)} and ${regionOf(sql`p.region_code`, scope.region)}
          group by c.status order by c.status`,
      );
    },
  };
}

export type DashboardRepository = ReturnType<typeof createDashboardRepository>;
