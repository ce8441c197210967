// Browser sessions of the dashboard, and the counts its panels show that no figure endpoint gives.
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../db/client.js';

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
    flagsByKind() {
      return queryRows<{ kind: string; codes: number }>(
        db,
        sql`select kind, count(*)::int as codes from code_flags group by kind order by kind`,
      );
    },
    complaintsByStatus() {
      return queryRows<{ status: string; complaints: number }>(
        db,
        sql`select status, count(*)::int as complaints from complaints group by status order by status`,
      );
    },
  };
}

export type DashboardRepository = ReturnType<typeof createDashboardRepository>;
