import { and, asc, desc, eq, gt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { brandProducts, type ComplaintNote, complaints, lots } from '../db/schema.js';

export type ComplaintRow = typeof complaints.$inferSelect;

export function createComplaintsRepository(db: Db) {
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
    /** The newest first; complaints filed at one instant in ticket order, so that pages neither repeat nor skip one. */
    list(filter: { status?: string; lotCode?: string; limit: number; offset: number }): Promise<ComplaintRow[]> {
      const conditions: SQL[] = [];
      if (filter.status) conditions.push(eq(complaints.status, filter.status));
      if (filter.lotCode) conditions.push(eq(complaints.lotCode, filter.lotCode));
      return db
        .select()
        .from(complaints)
        .where(and(...conditions))
        .orderBy(desc(complaints.createdAt), complaints.ticket)
        .limit(filter.limit)
        .offset(filter.offset);
    },
    /**
     * Complaints about packs (or lots, cases) of the brand's products — the lot a complaint names is of a product
     * the brand covered when the lot was recorded (a lot recorded before is not held to the brand) — the newest
     * first, as `list` orders them.
     */
    ofBrand(filter: { brandCode: string; status?: string; limit: number; offset: number }): Promise<ComplaintRow[]> {
      return db
        .select()
        .from(complaints)
        .where(
          and(
            filter.status ? eq(complaints.status, filter.status) : undefined,
            sql`exists (select 1 from ${lots} join ${brandProducts} on ${brandProducts.productCode} = ${lots.productCode}
              where ${lots.code} = ${complaints.lotCode} and ${brandProducts.brandCode} = ${filter.brandCode}
                and (${brandProducts.addedAt} is null or ${lots.createdAt} >= ${brandProducts.addedAt}))`,
          ),
        )
        .orderBy(desc(complaints.createdAt), complaints.ticket)
        .limit(filter.limit)
        .offset(filter.offset);
    },
  };
}

export type ComplaintsRepository = ReturnType<typeof createComplaintsRepository>;
