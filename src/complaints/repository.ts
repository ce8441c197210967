import { and, asc, desc, eq, gt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { brandProducts, type ComplaintNote, complaints, lots } from '../db/schema.js';

export type ComplaintRow = typeof complaints.$inferSelect;

/** A page of complaints, of one status or any. */
type Listing = { status?: string; limit: number; offset: number };

export function createComplaintsRepository(db: Db) {
  /**
   * The complaints `about` selects (all when undefined), of the status asked for, the newest first; complaints filed
   * at one instant in ticket order, so that pages neither repeat nor skip one.
   */
  const newestFirst = (about: SQL | undefined, filter: Listing): Promise<ComplaintRow[]> =>
    db
      .select()
      .from(complaints)
      .where(and(filter.status ? eq(complaints.status, filter.status) : undefined, about))
      .orderBy(desc(complaints.createdAt), complaints.ticket)
      .limit(filter.limit)
      .offset(filter.offset);

  return {
    /** The complaint stored, or undefined when its ticket is taken already (draw another): the transaction goes on. */
    async insert(row: typeof complaints.$inferInsert, tx: Db = db): Promise<ComplaintRow | undefined> {
      const [inserted] = await tx.insert(complaints).values(row).onConflictDoNothing({ target: complaints.ticket }).returning();
      return inserted;
    },
    /**
     * Holds the complaints of one client address (its salted hash) to the end of the transaction: a
     * second post from it counts them once the first is stored, on whichever instance it arrives.
     */
    async lockAddress(ipHash: string, tx: Db): Promise<void> {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`complaints.ip:${ipHash}`}))`);
    },
    /** When each complaint from one client address filed after `since` was filed, the oldest first (a handful an hour). */
    async filedFrom(ipHash: string, since: Date, tx: Db = db): Promise<Date[]> {
      const rows = await tx
        .select({ createdAt: complaints.createdAt })
        .from(complaints)
        .where(and(eq(complaints.ipHash, ipHash), gt(complaints.createdAt, since)))
        .orderBy(asc(complaints.createdAt));
      return rows.map((row) => row.createdAt);
    },
    /** The latest complaint from one client address filed after `since` that says the same of the same code, if any. */
    async sameFiledFrom(
      ipHash: string,
      since: Date,
      same: { itemCode: string; category: string; text: string },
      tx: Db = db,
    ): Promise<ComplaintRow | undefined> {
      const [row] = await tx
        .select()
        .from(complaints)
        .where(
          and(
            eq(complaints.ipHash, ipHash),
            gt(complaints.createdAt, since),
            eq(complaints.itemCode, same.itemCode),
            eq(complaints.category, same.category),
            eq(complaints.text, same.text),
          ),
        )
        .orderBy(desc(complaints.createdAt))
        .limit(1);
      return row;
    },
    async find(ticket: string): Promise<ComplaintRow | undefined> {
      const [row] = await db.select().from(complaints).where(eq(complaints.ticket, ticket));
      return row;
    },
    /** Compare-and-set on the status, so two regulators cannot both move the same complaint. */
    async transition(
      ticket: string,
      from: string,
      change: { status: string; outcome: string | null; notes: ComplaintNote[]; updatedAt: Date },
      tx: Db = db,
    ): Promise<ComplaintRow | undefined> {
      const [row] = await tx
        .update(complaints)
        .set(change)
        .where(and(eq(complaints.ticket, ticket), eq(complaints.status, from)))
        .returning();
      return row;
    },
    /** Every complaint, or those about one lot (or case). */
    list(filter: Listing & { lotCode?: string }): Promise<ComplaintRow[]> {
      return newestFirst(filter.lotCode ? eq(complaints.lotCode, filter.lotCode) : undefined, filter);
    },
    /**
     * Complaints about packs (or lots, cases) of the brand's products — the lot a complaint names is of a product
     * the brand covered when the lot was recorded (a lot recorded before is not held to the brand).
     */
    ofBrand(filter: Listing & { brandCode: string }): Promise<ComplaintRow[]> {
      return newestFirst(
        sql`exists (select 1 from ${lots} join ${brandProducts} on ${brandProducts.productCode} = ${lots.productCode}
          where ${lots.code} = ${complaints.lotCode} and ${brandProducts.brandCode} = ${filter.brandCode}
            and (${brandProducts.addedAt} is null or ${lots.createdAt} >= ${brandProducts.addedAt}))`,
        filter,
      );
    },
    /** Complaints about a maker's goods: those the complaint named the party as maker of when it was filed. */
    ofMaker(filter: Listing & { partyCode: string }): Promise<ComplaintRow[]> {
      return newestFirst(eq(complaints.partyCode, filter.partyCode), filter);
    },
  };
}

export type ComplaintsRepository = ReturnType<typeof createComplaintsRepository>;
