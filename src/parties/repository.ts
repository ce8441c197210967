import { and, eq, isNotNull, like, or, type SQL, sql } from 'drizzle-orm';
import { anyOf } from '../db/chunk.js';
import { type Db, queryRows } from '../db/client.js';
import { parties, products } from '../db/schema.js';

export type PartyRow = typeof parties.$inferSelect;
/** A page of a list: a registry may hold more conflicts than one answer should carry. */
export type Page = { limit: number; offset: number };

/** Every leading part of a code (`690`, `6901`, …): the company prefixes that could start it, probed by equality. */
const leadingParts = (code: string) => Array.from(code, (_, i) => code.slice(0, i + 1));
/** A `like` pattern for the values that start with `start` (its wildcards escaped). */
const startingWith = (start: string) => `${start.replace(/[\\%_]/g, '\\$&')}%`;

export function createPartiesRepository(db: Db) {
  return {
    async insert(row: typeof parties.$inferInsert, tx: Db = db): Promise<PartyRow> {
      const [inserted] = await tx.insert(parties).values(row).returning();
      return inserted;
    },
    async findByCodes(codes: string[], tx: Db = db): Promise<PartyRow[]> {
      if (codes.length === 0) return [];
      return tx.select().from(parties).where(anyOf(parties.code, codes));
    },
    async findByCode(code: string): Promise<PartyRow | undefined> {
      const [row] = await db.select().from(parties).where(eq(parties.code, code));
      return row;
    },
    async findByUscc(uscc: string, tx: Db = db): Promise<PartyRow | undefined> {
      const [row] = await tx.select().from(parties).where(eq(parties.uscc, uscc));
      return row;
    },
    list(filter: { kind?: string; regionCode?: string; limit: number; offset: number }): Promise<PartyRow[]> {
      const conditions: SQL[] = [];
      if (filter.kind) conditions.push(eq(parties.kind, filter.kind));
      // a county code, or a city's or province's prefix of it
      if (filter.regionCode) conditions.push(like(parties.regionCode, `${filter.regionCode}%`));
      return db
        .select()
        .from(parties)
        .where(and(...conditions))
        .orderBy(parties.createdAt, parties.code)
        .limit(filter.limit)
        .offset(filter.offset);
    },
    /**
     * Serialises registrations of company prefixes, and of GTINs (which a prefix covers), until the
     * transaction ends: whether a new prefix overlaps one registered meanwhile, or covers a GTIN
     * registered meanwhile, cannot be left to a unique index.
     */
    async lockCompanyPrefixes(tx: Db): Promise<void> {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('parties.gs1_company_prefix'))`);
    },
    /**
     * Parties whose company prefix is this one, starts with it, or starts it; both read through
     * parties_gs1_company_prefix_idx (the prefixes that start it are its leading parts, a dozen at most).
     */
    async findOverlappingCompanyPrefixes(prefix: string, tx: Db = db): Promise<PartyRow[]> {
      return tx
        .select()
        .from(parties)
        .where(
          and(
            isNotNull(parties.gs1CompanyPrefix),
            or(anyOf(parties.gs1CompanyPrefix, leadingParts(prefix)), like(parties.gs1CompanyPrefix, startingWith(prefix))),
          ),
        );
    },
    /** A product (its code, GTIN and owner) whose GTIN-14 carries this company prefix (read through products_gtin_company_part_idx). */
    async findProductUnderCompanyPrefix(
      prefix: string,
      tx: Db = db,
    ): Promise<{ code: string; gtin: string; partyCode: string } | undefined> {
      const [row] = await tx
        .select({ code: products.code, gtin: products.gtin, partyCode: products.partyCode })
        .from(products)
        .where(sql`substr(${products.gtin}, 2) like ${startingWith(prefix)}`)
        .orderBy(products.gtin)
        .limit(1);
      return row as { code: string; gtin: string; partyCode: string } | undefined;
    },
    /** The party's own company prefix and the party (if any) whose prefix begins this GTIN-14's company prefix and item reference. */
    async companyPrefixesFor(partyCode: string, gtin14: string, tx: Db = db): Promise<{ code: string; prefix: string }[]> {
      const rows = await tx
        .select({ code: parties.code, prefix: parties.gs1CompanyPrefix })
        .from(parties)
        .where(
          and(
            isNotNull(parties.gs1CompanyPrefix),
            or(eq(parties.code, partyCode), anyOf(parties.gs1CompanyPrefix, leadingParts(gtin14.slice(1)))),
          ),
        );
      return rows as { code: string; prefix: string }[];
    },
    /** The parties a GLN is another's of: those whose company prefix starts it, and the party whose own GLN it is. */
    async glnOwners(gln: string): Promise<{ code: string; prefix: string | null; gln: string | null }[]> {
      return db
        .select({ code: parties.code, prefix: parties.gs1CompanyPrefix, gln: parties.gln })
        .from(parties)
        .where(or(sql`starts_with(${gln}, ${parties.gs1CompanyPrefix})`, eq(parties.gln, gln)));
    },
    /** Pairs of parties whose company prefixes overlap (each pair once, the lower party code first), as stored before they were held apart. */
    async overlappingCompanyPrefixes(
      page: Page,
    ): Promise<{ partyCode: string; prefix: string; otherPartyCode: string; otherPrefix: string }[]> {
      return queryRows(
        db,
        sql`
        select a.code as "partyCode", a.gs1_company_prefix as prefix, b.code as "otherPartyCode", b.gs1_company_prefix as "otherPrefix"
        from parties a join parties b on a.code < b.code
          and (starts_with(a.gs1_company_prefix, b.gs1_company_prefix) or starts_with(b.gs1_company_prefix, a.gs1_company_prefix))
        order by a.gs1_company_prefix, a.code, b.code
        limit ${page.limit} offset ${page.offset}`,
      );
    },
    /** Products whose GTIN carries a company prefix registered to another party, as stored before such GTINs were refused. */
    async gtinsUnderAnotherPartysPrefix(
      page: Page,
    ): Promise<{ productCode: string; gtin: string; partyCode: string; prefix: string; prefixPartyCode: string }[]> {
      return queryRows(
        db,
        sql`
        select p.code as "productCode", p.gtin, p.party_code as "partyCode", o.gs1_company_prefix as prefix, o.code as "prefixPartyCode"
        from products p join parties o on o.gs1_company_prefix is not null
          and starts_with(substr(p.gtin, 2), o.gs1_company_prefix) and o.code <> p.party_code
        order by p.gtin, o.code
        limit ${page.limit} offset ${page.offset}`,
      );
    },
    async companyPrefixes(): Promise<string[]> {
      const rows = await db.select({ prefix: parties.gs1CompanyPrefix }).from(parties).where(isNotNull(parties.gs1CompanyPrefix));
      return rows.map((row) => row.prefix as string);
    },
  };
}

export type PartiesRepository = ReturnType<typeof createPartiesRepository>;
