// Background jobs (capture jobs, code issuance jobs) are rows of a table that any service process
// on the database may run. A process claims a job by writing its id (`claimed_by`) and the end of
// its lease (`lease_until`) into the row, in one statement that only takes a job nobody holds; it
// renews the lease of its jobs while they wait and run, and writes a job's progress only while it
// still holds the job (each step's transaction first locks the row under its own id). A process
// that dies stops renewing: once its leases end, another takes its jobs over. Every time is the
// database's clock, never a process's. On PGlite only one process opens the data, so at start it
// takes every unfinished job, whatever holds it.
import { randomUUID } from 'node:crypto';
import { inArray, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { type Db, queryRows } from './client.js';

/** How long a job stays with a process that no longer renews its lease, unless JOB_LEASE_SECONDS says otherwise. */
export const DEFAULT_JOB_LEASE_SECONDS = 30;

/** This process's hold on the jobs it runs. */
export type JobLease = {
  /** The process (one id per started service), as written to `claimed_by`. */
  owner: string;
  /** How long a claim or renewal holds a job. */
  seconds: number;
  /** The only process on the database (PGlite): it takes unfinished jobs whatever lease they carry. */
  exclusive: boolean;
};

export function jobLease(options: Partial<JobLease> = {}): JobLease {
  return {
    owner: options.owner ?? randomUUID(),
    seconds: options.seconds ?? DEFAULT_JOB_LEASE_SECONDS,
    exclusive: options.exclusive ?? false,
  };
}

/** A job's lease that starts now, by the database's clock (clock_timestamp: within a long transaction too). */
export const leaseEnd = (lease: JobLease): SQL => sql`clock_timestamp() + make_interval(secs => ${lease.seconds}::float8)`;

/** A job's run found that another process holds the job now: it stops, storing nothing more. */
export class LeaseLost extends Error {
  override name = 'LeaseLost';
  constructor(jobId: string) {
    super(`job ${jobId} is held by another process`);
  }
}

/** A table of jobs: its rows have these columns. */
type JobTable = PgTable & { id: PgColumn; status: PgColumn; createdAt: PgColumn; claimedBy: PgColumn; leaseUntil: PgColumn };

const UNFINISHED = sql`('queued', 'running')`;

/**
 * Which unfinished jobs a claim takes: at start, those nobody holds, whose lease has ended, or
 * that this process holds but does not run (a run that failed unrecorded), or every one if the
 * lease is exclusive; `expired`: only those nobody holds or whose lease has ended.
 */
export type ClaimOf = 'start' | 'expired';

/**
 * Claims the unfinished jobs this process may take (never `running`, those it runs or has queued
 * now). Jobs whose row another transaction has locked (a step of a job running elsewhere) are
 * skipped. Returns their ids, oldest job first.
 */
export async function claimJobs(db: Db, table: JobTable, lease: JobLease, running: string[], which: ClaimOf): Promise<string[]> {
  const free =
    which === 'start' && lease.exclusive
      ? sql`true`
      : sql`(${table.claimedBy} is null or ${table.leaseUntil} < now()${which === 'start' ? sql` or ${table.claimedBy} = ${lease.owner}` : sql``})`;
  const rows = await queryRows<{ id: string }>(
    db,
    sql`with claimed as (
        update ${table} set claimed_by = ${lease.owner}, lease_until = ${leaseEnd(lease)}
        where id in (select ${table.id} from ${table}
          where ${table.status} in ${UNFINISHED} and not (${table.id} = any(${sql.param(running)}::text[])) and ${free}
          for update skip locked)
        returning id, created_at)
      select id from claimed order by created_at, id`,
  );
  return rows.map((row) => row.id);
}

/** Claims jobs as claimJobs does and reads their rows as they stand now, oldest job first. */
export async function claimJobRows<Table extends JobTable>(
  db: Db,
  table: Table,
  lease: JobLease,
  running: string[],
  which: ClaimOf,
): Promise<Table['$inferSelect'][]> {
  const ids = await claimJobs(db, table, lease, running, which);
  if (ids.length === 0) return [];
  // a table's rows typed from the table given: drizzle's select types them from PgTable only
  const rows = (await db
    .select()
    .from(table as PgTable)
    .where(inArray(table.id, ids))) as Table['$inferSelect'][];
  const byId = new Map<unknown, Table['$inferSelect']>(rows.map((row) => [row.id, row]));
  return ids.flatMap<Table['$inferSelect']>((id) => byId.get(id) ?? []);
}

/** Renews the leases of these jobs that this process still holds (a job whose step runs now keeps its row's lock instead). */
export async function renewJobs(db: Db, table: JobTable, lease: JobLease, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.execute(
    sql`update ${table} set lease_until = ${leaseEnd(lease)}
      where id in (select ${table.id} from ${table}
        where ${table.id} = any(${sql.param(ids)}::text[]) and ${table.claimedBy} = ${lease.owner}
        for update skip locked)`,
  );
}

/**
 * Lets go of this process's unfinished jobs (a stop that cannot wait for them to end): another
 * process takes them at its next look, not once their leases end, and this one stores nothing more
 * of them. A job whose step runs now (its row locked) keeps its lease. Returns how many it let go.
 */
export async function releaseJobs(db: Db, table: JobTable, lease: JobLease): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`update ${table} set claimed_by = null, lease_until = null
      where id in (select ${table.id} from ${table}
        where ${table.claimedBy} = ${lease.owner} and ${table.status} in ${UNFINISHED}
        for update skip locked)
      returning id`,
  );
  return rows.length;
}

/**
 * Every third of a lease: renews this process's leases, then takes over the jobs whose lease has
 * ended (their process stopped). Returns a stop that waits for a tick under way.
 */
export function keepLeases(lease: JobLease, tick: () => Promise<void>, onError: (error: unknown) => void): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(
    () => {
      running ??= tick()
        .catch(onError)
        .finally(() => {
          running = undefined;
        });
    },
    Math.max(100, (lease.seconds * 1000) / 3),
  );
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
