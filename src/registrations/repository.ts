import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { anyOf } from '../db/chunk.js';
import { type Db, queryRows } from '../db/client.js';
import { registrationDocuments, registrations } from '../db/schema.js';

export type RegistrationRow = typeof registrations.$inferSelect;
export type DocumentRow = Omit<typeof registrationDocuments.$inferSelect, 'content'>;

const documentColumns = {
  id: registrationDocuments.id,
  registrationId: registrationDocuments.registrationId,
  name: registrationDocuments.name,
  contentType: registrationDocuments.contentType,
  size: registrationDocuments.size,
  uploadedAt: registrationDocuments.uploadedAt,
};

export function createRegistrationsRepository(db: Db) {
  return {
    async insert(row: typeof registrations.$inferInsert): Promise<RegistrationRow> {
      const [inserted] = await db.insert(registrations).values(row).returning();
      return inserted;
    },
    async find(id: string, tx: Db = db): Promise<RegistrationRow | undefined> {
      const [row] = await tx.select().from(registrations).where(eq(registrations.id, id));
      return row;
    },
    async findPendingByUscc(uscc: string): Promise<RegistrationRow | undefined> {
      const [row] = await db
        .select()
        .from(registrations)
        .where(and(eq(registrations.uscc, uscc), eq(registrations.status, 'pending')));
      return row;
    },
    list(filter: { status?: string; limit: number; offset: number }): Promise<RegistrationRow[]> {
      return db
        .select()
        .from(registrations)
        .where(filter.status ? eq(registrations.status, filter.status) : undefined)
        .orderBy(asc(registrations.submittedAt), asc(registrations.id))
        .limit(filter.limit)
        .offset(filter.offset);
    },
    /** Compare-and-set from pending, so two regulators cannot both decide one application. */
    async decide(
      id: string,
      decision: { status: 'approved' | 'rejected'; decidedBy: string; reason: string | null; partyCode: string | null },
      tx: Db = db,
    ): Promise<RegistrationRow | undefined> {
      const [row] = await tx
        .update(registrations)
        .set({ ...decision, decidedAt: new Date() })
        .where(and(eq(registrations.id, id), eq(registrations.status, 'pending')))
        .returning();
      return row;
    },
    /** Marks the first key as shown; false when it already was (the key is shown once). */
    async claimFirstKey(id: string): Promise<boolean> {
      const rows = await db
        .update(registrations)
        .set({ keyIssuedAt: new Date() })
        .where(and(eq(registrations.id, id), eq(registrations.status, 'approved'), isNull(registrations.keyIssuedAt)))
        .returning({ id: registrations.id });
      return rows.length === 1;
    },
    /**
     * Stores a document of a pending application unless it already has `max`: the count is taken
     * by the same row update, so parallel uploads cannot pass the limit together.
     */
    async addDocument(row: typeof registrationDocuments.$inferInsert, max: number): Promise<boolean> {
      return db.transaction(async (tx) => {
        const counted = await tx
          .update(registrations)
          .set({ documentCount: sql`${registrations.documentCount} + 1` })
          .where(
            and(
              eq(registrations.id, row.registrationId),
              eq(registrations.status, 'pending'),
              sql`${registrations.documentCount} < ${max}`,
            ),
          )
          .returning({ id: registrations.id });
        if (counted.length === 0) return false;
        await tx.insert(registrationDocuments).values(row);
        return true;
      });
    },
    documentsOf(registrationIds: string[]): Promise<DocumentRow[]> {
      if (registrationIds.length === 0) return Promise.resolve([]);
      return db
        .select(documentColumns)
        .from(registrationDocuments)
        .where(anyOf(registrationDocuments.registrationId, registrationIds))
        .orderBy(asc(registrationDocuments.uploadedAt), asc(registrationDocuments.id));
    },
    async document(registrationId: string, documentId: string) {
      const [row] = await db
        .select()
        .from(registrationDocuments)
        .where(and(eq(registrationDocuments.registrationId, registrationId), eq(registrationDocuments.id, documentId)));
      return row;
    },
    /**
     * The licences and certifications approved enterprises declared, with their validity, on their
     * applications to join: one party's (`partyCode`), by category, type, number and end (what its
     * brand's office reads of a member); or every party's that end before `endingBefore` (expired
     * ones included), soonest first.
     */
    declaredCredentials(filter: { partyCode: string } | { endingBefore: string }) {
      const [which, order] =
        'partyCode' in filter
          ? [sql`r.party_code = ${filter.partyCode}`, sql`c.category, type, number, "validUntil"`]
          : [sql`c.credential->>'validUntil' < ${filter.endingBefore}`, sql`c.credential->>'validUntil', r.party_code`];
      return queryRows<{
        partyCode: string;
        name: string;
        category: 'licence' | 'certification';
        type: string;
        number: string;
        validFrom: string | null;
        validUntil: string;
      }>(
        db,
        sql`select r.party_code as "partyCode", r.name, c.category, c.credential->>'type' as type,
            c.credential->>'number' as number, c.credential->>'validFrom' as "validFrom",
            c.credential->>'validUntil' as "validUntil"
          from registrations r
          cross join lateral (
            select 'licence' as category, l as credential from jsonb_array_elements(r.licences) l
            union all
            select 'certification', c from jsonb_array_elements(r.certifications) c
          ) c
          where r.status = 'approved' and ${which}
          order by ${order}`,
      );
    },
  };
}

export type RegistrationsRepository = ReturnType<typeof createRegistrationsRepository>;
