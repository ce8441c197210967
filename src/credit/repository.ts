// The SQL of enterprise credit: how often each factor occurred per party in a period, and the
// stored history of scores. Counts are per party (all, or the one named) so a recompute run reads
// each factor once for every enterprise.
import { desc, eq, type SQL, sql } from 'drizzle-orm';
import { chunkForInsert } from '../db/chunk.js';
import { type Db, queryRows } from '../db/client.js';
import { creditScores } from '../db/schema.js';
import { live, standingFailure } from '../events/retests.js';
import { inPeriod, type Scope } from '../figures/repository.js';

/** A period of event times, [from, to). */
export type Period = { from: Date; to: Date };
export type CountsByParty = Map<string, number>;
export type CreditScoreRow = typeof creditScores.$inferSelect;

const scope = (period: Period): Scope => ({ from: period.from, to: period.to });
const ofParty = (column: SQL, partyCode: string | undefined) => (partyCode ? sql`${column} = ${partyCode}` : sql`true`);

async function countsOf(db: Db, query: SQL): Promise<CountsByParty> {
  const rows = await queryRows<{ partyCode: string; count: number | string }>(db, query);
  return new Map(rows.map((row) => [row.partyCode, Number(row.count)]));
}

export function createCreditRepository(db: Db) {
  return {
    /** Enterprises that get a score: every party but labs and regulators (all, or the one named). */
    enterprises(partyCode?: string) {
      return queryRows<{ code: string; name: string; kind: string }>(
        db,
        sql`select code, name, kind from parties where kind not in ('lab', 'regulator') and ${ofParty(sql`code`, partyCode)} order by code`,
      );
    },

    /**
     * Inspections in the period that failed a lot of the party and still stand for it (one per
     * inspection, however many of its lots it covered): by standingFailure, as the anomalies read
     * them, so a re-test that passed settles a failure there and here alike.
     */
    failedInspections(period: Period, partyCode?: string) {
      return countsOf(
        db,
        sql`select l.party_code as "partyCode", count(distinct e.id)::int as count
        from events e join event_lots el on el.event_id = e.id and el.role = 'subject' join lots l on l.code = el.lot_code
        where ${standingFailure(sql`e`, sql`el.lot_code`)}
          and ${inPeriod(sql`e.event_time`, scope(period))} and ${ofParty(sql`l.party_code`, partyCode)}
        group by l.party_code`,
      );
    },

    /** Complaints filed in the period about the party's packs and resolved as upheld. */
    upheldComplaints(period: Period, partyCode?: string) {
      return countsOf(
        db,
        sql`select party_code as "partyCode", count(*)::int as count from complaints
        where outcome = 'upheld' and party_code is not null and ${inPeriod(sql`created_at`, scope(period))}
          and ${ofParty(sql`party_code`, partyCode)}
        group by party_code`,
      );
    },

    /** Recalls opened in the period whose root lots include a lot of the party, by level (1, 2, 3). */
    async recallsByLevel(period: Period, partyCode?: string): Promise<Map<number, CountsByParty>> {
      const rows = await queryRows<{ partyCode: string; level: number; count: number | string }>(
        db,
        sql`select l.party_code as "partyCode", r.level, count(distinct r.id)::int as count
        from recalls r cross join jsonb_array_elements_text(r.root_lot_codes) as root(code) join lots l on l.code = root.code
        where ${inPeriod(sql`r.opened_at`, scope(period))} and ${ofParty(sql`l.party_code`, partyCode)}
        group by l.party_code, r.level`,
      );
      const byLevel = new Map<number, CountsByParty>();
      for (const row of rows) {
        const counts = byLevel.get(row.level) ?? new Map<string, number>();
        counts.set(row.partyCode, Number(row.count));
        byLevel.set(row.level, counts);
      }
      return byLevel;
    },

    /**
     * Shipments that left in the period, before `shippedBefore`, and are still not booked in, by
     * addressee. A shipment of nothing (only lines of 0, as the writer stored some before it refused
     * them) is no delivery: its addressee can neither see nor receive it.
     */
    unreceivedShipments(period: Period, shippedBefore: Date, partyCode?: string) {
      return countsOf(
        db,
        sql`select to_party_code as "partyCode", count(*)::int as count from shipments s
        where status = 'open' and shipped_at < ${shippedBefore.toISOString()}::timestamptz
          and exists (select 1 from shipment_lines l where l.shipment_id = s.id and l.quantity > 0)
          and ${inPeriod(sql`shipped_at`, scope(period))} and ${ofParty(sql`to_party_code`, partyCode)}
        group by to_party_code`,
      );
    },

    /** Standing events of the period the party recorded more than `lateAfterHours` after their event time. */
    lateRecords(period: Period, lateAfterHours: number, partyCode?: string) {
      return countsOf(
        db,
        sql`select e.party_code as "partyCode", count(*)::int as count from events e
        where ${live(sql`e`)} and ${inPeriod(sql`e.event_time`, scope(period))}
          and e.record_time > e.event_time + make_interval(hours => ${lateAfterHours}::int)
          and ${ofParty(sql`e.party_code`, partyCode)}
        group by e.party_code`,
      );
    },

    /** Stores a run's scores, in statements of at most 60,000 parameters (a county has more than 9,000 farms). */
    async insertScores(rows: CreditScoreRow[], tx: Db = db): Promise<void> {
      // a second run at the same instant found the same scores
      for (const chunk of chunkForInsert(rows)) await tx.insert(creditScores).values(chunk).onConflictDoNothing();
    },

    /** A party's stored scores, the newest first. */
    history(partyCode: string, limit: number): Promise<CreditScoreRow[]> {
      return db
        .select()
        .from(creditScores)
        .where(eq(creditScores.partyCode, partyCode))
        .orderBy(desc(creditScores.computedAt))
        .limit(limit);
    },

    /** The grade the last recompute run gave the party, if any. */
    async latestGrade(partyCode: string): Promise<string | null> {
      const [row] = await db
        .select({ grade: creditScores.grade })
        .from(creditScores)
        .where(eq(creditScores.partyCode, partyCode))
        .orderBy(desc(creditScores.computedAt))
        .limit(1);
      return row?.grade ?? null;
    },
  };
}

export type CreditRepository = ReturnType<typeof createCreditRepository>;
