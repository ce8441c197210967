import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type ComplaintNote, complaints } from '../db/schema.js';

export type ComplaintRow = typeof complaints.$inferSelect;

export function createComplaintsRepository(db: Db) {
  return {
    async insert(row: typeof complaints.$inferInsert): Promise<ComplaintRow> {
      const [inserted] = await db.insert(complaints).values(row).returning();
      return inserted;
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
  };
}

export type ComplaintsRepository = ReturnType<typeof createComplaintsRepository>;
