// Where a read of events in recordTime order may end now without ever skipping one that commits later.
import { sql } from 'drizzle-orm';
import { type Db, queryRows, SERVICE_NAME } from './client.js';

/** How far behind "now" such a read ends at the least, for service processes' clocks disagreeing (unless set). */
export const DEFAULT_RECORD_LAG_MS = 2000;

/**
 * The recordTime before which every event this service writes has committed: `lagMs` before the
 * start of the oldest transaction still writing on this database, or before `at` when none is. An
 * event's recordTime is taken when its write starts, but it can be read only once its transaction
 * commits (a capture job's, seconds later): a read ending past a write in flight (a subscription's
 * delivery window, a sync cursor of GET /events) would skip its events for good.
 *
 * Why this and not commit order (a transaction id stored with each event, read below the
 * snapshot's xmin): it needs no new column, migration or cursor format, and costs one read of
 * pg_stat_activity per look; when nothing is in flight the bound is `lagMs` ago.
 * It holds because:
 * - the writer takes recordTime only after locking its audit heads (an upsert), so by then its
 *   transaction has an xid, and it started before: a transaction without one (only reading, as
 *   a backup or a report) writes no event yet and holds nothing back;
 * - a committing transaction leaves pg_stat_activity only after its commit is visible, and
 *   this reads it outside a transaction (no cached copy), so a statement after it sees every
 *   transaction that is no longer listed;
 * - the age is measured by the database's clock and taken from this service's `at`, so the two
 *   clocks need not agree; `lagMs` still allows for service processes' clocks disagreeing.
 * Only this service's sessions count (its application_name): an administrator's psql session or
 * another program left open in a transaction holds nothing back. Every service process on the
 * database is counted, as long as they connect as one role (or this one may read all statistics:
 * pg_read_all_stats): PostgreSQL hides the transaction start of other roles' sessions.
 * PGlite runs one transaction at a time and lists none: the bound is simply `lagMs` ago there.
 */
export async function settledBefore(db: Db, at: Date, lagMs: number): Promise<Date> {
  const [inFlight] = await queryRows<{ ms: number }>(
    db,
    sql`select coalesce(extract(epoch from clock_timestamp() - min(xact_start)) * 1000, 0)::float8 as ms
      from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and application_name = ${SERVICE_NAME}
        and backend_type = 'client backend' and backend_xid is not null`,
  );
  return new Date(at.getTime() - lagMs - Math.max(0, inFlight?.ms ?? 0));
}
