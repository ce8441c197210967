import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import { authorizationHistory, madeAuthorization } from '../brands/repository.js';
import type { BrandStanding } from '../brands/standing.js';
import { createBatchLoader } from '../db/batch-loader.js';
import { anyOf } from '../db/chunk.js';
import { type Database, type Db, isoMs, queryRows } from '../db/client.js';
import { type Answered, type IdempotentRequest, keptAnswer, once } from '../db/idempotency.js';
import { type ClaimOf, claimJobRows, type JobLease, leaseEnd, releaseJobs, renewJobs } from '../db/leases.js';
import { codeFlagDismissals, codeFlags, codeJobs, items, type LotHold, lots } from '../db/schema.js';
import { pageChangesOf, recallsOfLot } from '../lots/repository.js';

export type CodeJobRow = typeof codeJobs.$inferSelect;
/** How much of a lot there is, as a code job's admission reads it once the lot is locked. */
export type LotQuantity = { quantity: number; unit: string };
/** What a code job's admission came to: the job queued, or the codes of the lot or the party in the way. */
type JobAdmission = { job: CodeJobRow } | { claimed: number; lot: LotQuantity } | { queued: number };
export type ResolvedItem = {
  code: string;
  lotCode: string;
  partyCode: string;
  containerCode: string | null;
  scanCount: number;
  firstScannedAt: Date | null;
};
export type ScannedItem = ResolvedItem & {
  lastRegion: string | null;
  /** When the scan that gave `lastRegion` was: the impossible-travel check measures from it. */
  lastRegionAt: Date | null;
  /** The address (hashed) of the scan that gave `lastRegion`: a scan from it is never travel from that one. */
  lastRegionIpHash: string | null;
  lastScannedAt: Date | null;
  lotStatus: string;
  lotOnHold: boolean;
  /** Its lot's making was declared in error (and not made again): the lot, and so the pack, never existed. */
  lotVoided: boolean;
  /** Counts of what its lot's consumer page shows that can change while the lot's chain does not (pageChangesOf). */
  lotPageChanges: string;
  /** The kinds of the open flags of the code (a dismissed one no longer marks it); which of them mark a copied code is the scans' rule (marksCounterfeit). */
  flagKinds: string[];
  /** The addresses its dismissed over_scanned flag cleared; null unless that flag stands dismissed. */
  overScanCleared: number | null;
  /** When its issuance job was started. */
  issuedAt: Date;
  /** The snapshot its scan counts were read in (pg_current_snapshot()): which batches of scans they include. */
  snapshot: string;
};

/**
 * A code job's lot as a batch's transaction finds it once locked, with what its owner may label
 * today of the brands covering its product. The lot's own columns are as the last write committed
 * them; its recalls are those the batch's statement saw begin (a recall committed while the batch
 * waited for the lot shows as its status alone).
 */
export type IssuingLot = {
  code: string;
  kind: string;
  status: string;
  hold: LotHold | null;
  voidedByEventId: string | null;
  partyCode: string;
  productionDate: string | null;
  /** When it was recorded, as Date#toISOString writes it. */
  createdAt: string;
  recalls: string[] | null;
  standings: BrandStanding[];
};

/**
 * The item codes issued or queued for a lot (`lotCode`, an SQL expression): the totals of its jobs that
 * did not fail. One code a pack, so a lot counted in pieces has no fewer pieces than these.
 */
export const codesClaimedOf = (lotCode: SQL) =>
  sql<number>`(select coalesce(sum(total), 0)::int from code_jobs where lot_code = ${lotCode} and status <> 'failed')`;

export function createItemsRepository(database: Pick<Database, 'db' | 'copyRows'>) {
  const { db } = database;
  const findItemsStatement = db
    .select({
      code: items.code,
      lotCode: items.lotCode,
      partyCode: items.partyCode,
      containerCode: items.containerCode,
      scanCount: items.scanCount,
      firstScannedAt: items.firstScannedAt,
      lastScannedAt: items.lastScannedAt,
      lastRegion: items.lastRegion,
      lastRegionAt: items.lastRegionAt,
      lastRegionIpHash: items.lastRegionIpHash,
      lotStatus: lots.status,
      lotOnHold: sql<boolean>`${lots.hold} is not null`,
      lotVoided: sql<boolean>`${lots.voidedByEventId} is not null`,
      lotPageChanges: pageChangesOf(items.lotCode),
      flagKinds: sql<
        string[]
      >`array(select ${codeFlags.kind} from ${codeFlags} where ${codeFlags.code} = ${items.code} and ${codeFlags.dismissalId} is null)`,
      overScanCleared: sql<number | null>`(select d.evidence from ${codeFlags} f join ${codeFlagDismissals} d on d.id = f.dismissal_id
        where f.code = ${items.code} and f.kind = 'over_scanned')`,
      issuedAt: codeJobs.createdAt,
      snapshot: sql<string>`pg_current_snapshot()::text`,
    })
    .from(items)
    .innerJoin(codeJobs, eq(codeJobs.id, items.jobId))
    .innerJoin(lots, eq(lots.code, items.lotCode))
    .where(and(sql`${items.code} = any(${sql.placeholder('codes')}::text[])`, eq(codeJobs.status, 'succeeded')))
    .prepare('find_items');
  const itemLoader = createBatchLoader(async (codes: string[]) => {
    const rows = await findItemsStatement.execute({ codes });
    return new Map(rows.map((row) => [row.code, row]));
  });
  return {
    /**
     * Queues a job unless the lot's codes (of jobs not failed) would then exceed `limits.lot` of the
     * lot, or the party's codes queued or being issued (in any lot) `limits.party`; returns the codes
     * already claimed of the lot (with its quantity and unit), or those the party has queued, instead.
     * The party's admissions take turns and the lot row is locked, so two requests at once cannot both
     * take the last codes; the limit and `admit` (which may throw) are asked about the lot as it
     * stands once locked, so a hold, a recall or a correction of its quantity that came in since the
     * caller read it is not missed (a correction locks the lot too, and counts the codes it has).
     * Under an Idempotency-Key, the key is claimed in the same transaction and keeps the queued job's
     * answer (see src/db/idempotency.ts): a key used before answers as it did, queuing nothing.
     */
    async insertJobWithin(
      row: typeof codeJobs.$inferInsert,
      limits: { lot: (lot: LotQuantity) => number; party: number },
      lease?: JobLease,
      admit?: (lot: {
        code: string;
        kind: string;
        status: string;
        hold: LotHold | null;
        voidedByEventId: string | null;
        recalls: string[] | null;
      }) => void,
      idempotent?: IdempotentRequest<CodeJobRow>,
    ): Promise<Answered<JobAdmission>> {
      // the key keeps the answer of an admission that queued the job: the job
      const keyed: IdempotentRequest<JobAdmission> | undefined = idempotent && {
        ...idempotent,
        present: (admitted) => ('job' in admitted ? idempotent.present(admitted.job) : ''),
      };
      return db.transaction((tx) =>
        once(
          tx,
          keyed,
          row.partyCode,
          row.createdAt ?? new Date(),
          async () => {
            // before the lot's row: every admission takes the two locks in the same order
            await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`code_jobs.party:${row.partyCode}`}))`);
            const [lot] = await tx
              .select({
                code: lots.code,
                kind: lots.kind,
                status: lots.status,
                hold: lots.hold,
                voidedByEventId: lots.voidedByEventId,
                quantity: lots.quantity,
                unit: lots.unit,
                recalls: sql<string[] | null>`${recallsOfLot(sql`${lots.code}`, sql`${lots.status}`)}`,
              })
              .from(lots)
              .where(eq(lots.code, row.lotCode))
              .for('no key update');
            if (lot) admit?.(lot);
            const [{ claimed }] = await queryRows<{ claimed: number }>(tx, sql`select ${codesClaimedOf(sql`${row.lotCode}`)} as claimed`);
            if (lot && Number(claimed) + row.total > limits.lot(lot)) return { claimed: Number(claimed), lot };
            const [{ queued }] = await queryRows<{ queued: number }>(
              tx,
              sql`select coalesce(sum(total), 0)::int as queued from code_jobs
            where party_code = ${row.partyCode} and status in ('queued', 'running')`,
            );
            if (Number(queued) + row.total > limits.party) return { queued: Number(queued) };
            // claimed at once by the process that queues it
            const [job] = await tx
              .insert(codeJobs)
              .values(lease ? { ...row, claimedBy: lease.owner, leaseUntil: leaseEnd(lease) } : row)
              .returning();
            return { job };
          },
          (admitted) => 'job' in admitted,
        ),
      );
    },
    /** The answer kept for the party's key (see keptAnswer), read before anything else of a request. */
    keptAnswer: (partyCode: string, request: IdempotentRequest<CodeJobRow>, now: Date) => keptAnswer(db, partyCode, request, now),
    async findJob(id: string): Promise<CodeJobRow | undefined> {
      const [row] = await db.select().from(codeJobs).where(eq(codeJobs.id, id));
      return row;
    },
    /** Claims the unfinished jobs this process may take (see claimJobs), oldest first, as they stand now. */
    claimJobs: (lease: JobLease, running: string[], which: ClaimOf): Promise<CodeJobRow[]> =>
      claimJobRows(db, codeJobs, lease, running, which),
    /** Renews this process's lease on its jobs. */
    renewJobs: (lease: JobLease, ids: string[]) => renewJobs(db, codeJobs, lease, ids),
    /** Lets go of this process's unfinished jobs (see releaseJobs). */
    releaseJobs: (lease: JobLease) => releaseJobs(db, codeJobs, lease),
    /**
     * Stores a batch of a job's codes, numbered in its order from `first` on. Given this process's
     * lease, only while the process holds the job, in one transaction with the job's progress (`done`
     * grows by the batch; the batch that completes it marks the job succeeded); says whether it
     * stored them. The transaction's first statement locks the job's lot and its owner's
     * authorizations for the brands covering its product, then writes the progress (its lease runs
     * from after any wait for them), against every write of them until it commits (a write already
     * waiting for one of them is stored first, unless a batch of another job of the lot holds it
     * too), and gives them to `admit` as they then stand (see IssuingLot), which throws to store
     * nothing: a hold, recall or withdrawal committed before the batch is not missed, and one
     * committed later comes after its codes. The batch that completes the job dates its end
     * `finishedAt`, by the clock that dated its start.
     */
    insertCodes(
      jobId: string,
      lotCode: string,
      partyCode: string,
      codes: string[],
      first: number,
      lease?: JobLease,
      admit?: (lot: IssuingLot) => void,
      finishedAt = new Date(),
    ): Promise<boolean> {
      return database.copyRows(
        'items',
        ['code', 'lot_code', 'party_code', 'job_id', 'seq'],
        codes.map((code, i) => [code, lotCode, partyCode, jobId, first + i]),
        // the progress and the lease are written once the lot and the brand rights are locked: a
        // lease set before a long wait for either (behind a recall opening, a suspension) could
        // have run out by the batch's commit
        lease &&
          sql`with lot as (select code, kind, status, hold, voided_by_event_id, party_code, product_code, production_date, created_at from lots
            where code = ${lotCode} for share),
          rights as (select id, brand_code, valid_from, valid_until, state, state_since from brand_authorizations
            where party_code = (select party_code from lot)
              and brand_code in (select brand_code from brand_products where product_code = (select product_code from lot))
              -- one with no change was never admitted
              and ${madeAuthorization(sql`brand_authorizations.id`)}
            for share),
          -- one row however many rights there are, read once every one is locked
          rights_locked as (select count(*) from rights),
          job as (update code_jobs set done = done + ${codes.length}, lease_until = ${leaseEnd(lease)},
              status = case when done + ${codes.length} >= total then 'succeeded' else status end,
              finished_at = case when done + ${codes.length} >= total then ${finishedAt.toISOString()}::timestamptz else finished_at end
            where id = ${jobId} and claimed_by = ${lease.owner} and exists (select from lot) and exists (select from rights_locked)
            returning id)
          select lot.code, lot.kind, lot.status, lot.hold, lot.voided_by_event_id as "voidedByEventId", lot.party_code as "partyCode",
            lot.production_date::text as "productionDate", ${isoMs(sql`lot.created_at`)} as "createdAt",
            ${recallsOfLot(sql`lot.code`, sql`lot.status`)} as recalls,
            (select coalesce(json_agg(json_build_object(
                'brand', json_build_object('code', b.code, 'kind', b.kind, 'nameZh', b.name_zh, 'nameEn', b.name_en),
                'coveredSince', ${isoMs(sql`bp.added_at`)},
                -- today's state of an authorization is the one its locked row holds (a change takes
                -- effect today or earlier, never later, and sets the row), with its history
                'authorizations', (select coalesce(json_agg(${authorizationHistory(sql`r`)}), '[]')
                  from rights r where r.brand_code = b.code)) order by b.code), '[]')
              from brand_products bp join brands b on b.code = bp.brand_code where bp.product_code = lot.product_code) as standings
          from lot where exists (select from job)`,
        admit && ((row) => admit(row as IssuingLot)),
      );
    },
    async existingCodes(codes: string[]): Promise<Set<string>> {
      const rows = await queryRows<{ code: string }>(db, sql`select code from items where ${anyOf(sql`code`, codes)}`);
      return new Set(rows.map((row) => row.code));
    },
    /**
     * Removes a job's codes (its run starts again, or failed). Given this process's lease, only
     * while the process holds the job, in one transaction with setting the job's state; says whether it did.
     */
    async deleteJobCodes(jobId: string, lease?: JobLease, values?: Partial<typeof codeJobs.$inferInsert>): Promise<boolean> {
      if (!lease) {
        await db.delete(items).where(eq(items.jobId, jobId));
        return true;
      }
      return db.transaction(async (tx) => {
        const held = await tx
          .update(codeJobs)
          .set({ ...values, leaseUntil: leaseEnd(lease) })
          .where(and(eq(codeJobs.id, jobId), eq(codeJobs.claimedBy, lease.owner)))
          .returning({ id: codeJobs.id });
        if (held.length === 0) return false;
        await tx.delete(items).where(eq(items.jobId, jobId));
        return true;
      });
    },
    /** A page of a finished job's codes in their order, those numbered after `after` (keyset paging for streaming). */
    codesOfJob(jobId: string, after: number, limit: number): Promise<{ code: string; seq: number }[]> {
      return db
        .select({ code: items.code, seq: items.seq })
        .from(items)
        .where(and(eq(items.jobId, jobId), gt(items.seq, after)))
        .orderBy(asc(items.seq))
        .limit(limit);
    },
    /**
     * An issued code, only if its job finished. Every scan runs this: a named prepared statement
     * (parsed once per connection, then a generic plan), shared by the scans of one loop turn.
     */
    findItem(code: string): Promise<ScannedItem | undefined> {
      return itemLoader.load(code);
    },
    /** One issued (visible) code of a lot, for the demo banner. */
    async firstCodeOfLot(lotCode: string): Promise<string | undefined> {
      const rows = await queryRows<{ code: string }>(
        db,
        sql`
        select i.code from items i join code_jobs j on j.id = i.job_id
        where i.lot_code = ${lotCode} and j.status = 'succeeded' order by i.code limit 1`,
      );
      return rows[0]?.code;
    },
    /** Issued (visible) items among the codes, with their lots. */
    async findIssued(codes: string[], tx: Db = db): Promise<{ code: string; lotCode: string }[]> {
      if (codes.length === 0) return [];
      return queryRows<{ code: string; lotCode: string }>(
        tx,
        sql`
        select i.code, i.lot_code as "lotCode" from items i join code_jobs j on j.id = i.job_id
        where ${anyOf(sql`i.code`, codes)} and j.status = 'succeeded'`,
      );
    },
  };
}

export type ItemsRepository = ReturnType<typeof createItemsRepository>;
