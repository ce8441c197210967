import { and, eq, isNotNull, like, or, type SQL, sql } from 'drizzle-orm';
import { anyOf } from '../db/chunk.js';
import { type Db, queryRows } from '../db/client.js';
import { locations, parties, products } from '../db/schema.js';
import type { GlnHolder } from './gln.js';

export type PartyRow = typeof parties.$inferSelect;
/** A page of a list: a registry may hold more conflicts than one answer should carry. */
export type Page = { limit: number; offset: number };

/** Every leading part of a code (`690`, `6901`, …): the company prefixes that could start it, probed by equality. */
const leadingParts = (code: string) => Array.from(code, (_, i) => code.slice(0, i + 1));
/** A `like` pattern for the values that start with `start` (its wildcards escaped). */
const startingWith = (start: string) => `${start.replace(/[\\%_]/g, '\\$&')}%`;
/**
 * The company prefixes that could start a code of another row, as an array of its leading parts (up to
 * 12 characters, the longest prefix): a row finds the parties whose prefix starts its code by equality
 * probes of parties_gs1_company_prefix_idx, where `starts_with` against each party would compare every
 * pair of rows (and a range from the other side leaves the planner free to read half of them).
 */
const leadingPartsOf = (code: SQL) =>
  sql`array[${sql.join(
    Array.from({ length: 12 }, (_, i) => sql`left(${code}, ${sql.raw(String(i + 1))})`),
    sql`, `,
  )}]`;

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
    /** Whether a registered party's region code starts with `prefix` (a GB/T 2260 code or its prefix). */
    async holdsRegion(prefix: string): Promise<boolean> {
      const rows = await db
        .select({ code: parties.code })
        .from(parties)
        .where(like(parties.regionCode, `${prefix}%`))
        .limit(1);
      return rows.length > 0;
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
    /** The party's own company prefix and the parties (if any) whose prefix begins this GTIN-14's company prefix and item reference, longest first. */
    async companyPrefixesFor(partyCode: string, gtin14: string, tx: Db = db): Promise<{ code: string; prefix: string }[]> {
      const rows = await tx
        .select({ code: parties.code, prefix: parties.gs1CompanyPrefix })
        .from(parties)
        .where(
          and(
            isNotNull(parties.gs1CompanyPrefix),
            or(eq(parties.code, partyCode), anyOf(parties.gs1CompanyPrefix, leadingParts(gtin14.slice(1)))),
          ),
        )
        // the longest first: of overlapping prefixes stored before they were refused, the GTIN is the longer one's
        .orderBy(sql`length(${parties.gs1CompanyPrefix}) desc`);
      return rows as { code: string; prefix: string }[];
    },
    /**
     * Who may hold a GLN: this party (with its company prefix, if any), the parties whose company prefix
     * starts the GLN (probed by equality, as its leading parts), the party whose own GLN it is, and the
     * party of the site it names.
     */
    async glnHolders(partyCode: string | null, gln: string, tx: Db = db): Promise<GlnHolder[]> {
      const owners = await tx
        .select({ code: parties.code, prefix: parties.gs1CompanyPrefix, gln: parties.gln })
        .from(parties)
        .where(
          or(
            partyCode === null ? undefined : eq(parties.code, partyCode),
            and(isNotNull(parties.gs1CompanyPrefix), anyOf(parties.gs1CompanyPrefix, leadingParts(gln))),
            eq(parties.gln, gln),
          ),
        );
      const sites = await tx
        .select({ code: locations.partyCode, locationCode: locations.code })
        .from(locations)
        .where(eq(locations.gln, gln));
      return [
        ...owners.map((row) => ({ ...row, locationCode: null })),
        ...sites.map((row) => ({ code: row.code, prefix: null, gln, locationCode: row.locationCode })),
      ];
    },
    /**
     * A party's own GLN or a site's GLN under this company prefix, the lowest (each read through the
     * text-pattern index on its GLNs).
     */
    async findGlnUnderCompanyPrefix(
      prefix: string,
      tx: Db = db,
    ): Promise<{ gln: string; partyCode: string; locationCode: string | null } | undefined> {
      const [row] = await queryRows<{ gln: string; partyCode: string; locationCode: string | null }>(
        tx,
        sql`
        (select gln, code as "partyCode", null as "locationCode" from parties where gln like ${startingWith(prefix)} order by gln limit 1)
        union all
        (select gln, party_code, code from locations where gln like ${startingWith(prefix)} order by gln limit 1)
        order by gln limit 1`,
      );
      return row;
    },
    /**
     * Pairs of parties whose company prefixes overlap (each pair once, the lower party code first), as
     * stored before they were held apart: each prefix finds the ones that start it (see leadingPartsOf).
     */
    async overlappingCompanyPrefixes(
      page: Page,
    ): Promise<{ partyCode: string; prefix: string; otherPartyCode: string; otherPrefix: string }[]> {
      return queryRows(
        db,
        sql`
        with pairs as (
          select s.code as short_code, s.gs1_company_prefix as short_prefix, l.code as long_code, l.gs1_company_prefix as long_prefix
          from parties l join parties s on s.gs1_company_prefix is not null and s.gs1_company_prefix = any(${leadingPartsOf(sql`l.gs1_company_prefix`)})
            and l.code <> s.code and (l.gs1_company_prefix <> s.gs1_company_prefix or s.code < l.code)
          where l.gs1_company_prefix is not null)
        select case when short_code < long_code then short_code else long_code end as "partyCode",
          case when short_code < long_code then short_prefix else long_prefix end as prefix,
          case when short_code < long_code then long_code else short_code end as "otherPartyCode",
          case when short_code < long_code then long_prefix else short_prefix end as "otherPrefix"
        from pairs
        order by 2, 1, 3
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
          and o.gs1_company_prefix = any(${leadingPartsOf(sql`substr(p.gtin, 2)`)}) and o.code <> p.party_code
        order by p.gtin, o.code
        limit ${page.limit} offset ${page.offset}`,
      );
    },
    /**
     * Parties' own GLNs and sites' GLNs under a company prefix registered to another party, as stored
     * before such GLNs were refused (a party's own GLN before a site's of the same GLN).
     */
    async glnsUnderAnotherPartysPrefix(
      page: Page,
    ): Promise<{ gln: string; partyCode: string; locationCode: string | null; prefix: string; prefixPartyCode: string }[]> {
      return queryRows(
        db,
        sql`
        select * from (
          select p.gln, p.code as "partyCode", null as "locationCode", o.gs1_company_prefix as prefix, o.code as "prefixPartyCode"
          from parties p join parties o on o.gs1_company_prefix is not null
            and o.gs1_company_prefix = any(${leadingPartsOf(sql`p.gln`)}) and o.code <> p.code
          where p.gln is not null
          union all
          select l.gln, l.party_code, l.code, o.gs1_company_prefix, o.code
          from locations l join parties o on o.gs1_company_prefix is not null
            and o.gs1_company_prefix = any(${leadingPartsOf(sql`l.gln`)}) and o.code <> l.party_code
          where l.gln is not null
        ) conflicts
        order by gln, "locationCode" nulls first, "prefixPartyCode"
        limit ${page.limit} offset ${page.offset}`,
      );
    },
    /**
     * Lots (not voided) whose EPC, a Digital Link under a GTIN, was captured by a party other than the
     * GTIN's owner (the party of its product, else the party whose company prefix it carries, the
     * longest), as stored before such captures were refused or before the owner registered the product
     * or prefix; a lot once per GTIN, however many serials it holds. The identifiers are read once,
     * each probing the products' GTIN index and the parties' prefix index.
     */
    async lotsUnderAnotherPartysGtin(page: Page): Promise<
      {
        lotCode: string;
        partyCode: string;
        gtin: string;
        gtinPartyCode: string;
        productCode: string | null;
        prefix: string | null;
      }[]
    > {
      return queryRows(
        db,
        sql`
        select c.lot_code as "lotCode", l.party_code as "partyCode", c.gtin, coalesce(p.party_code, o.code) as "gtinPartyCode",
          p.code as "productCode", case when p.code is null then o.prefix end as prefix
        from (select distinct lot_code, substr(value, 23, 14) as gtin from lot_identifiers
          where kind = 'epc' and value like 'https://id.gs1.org/01/%') c
        join lots l on l.code = c.lot_code and l.voided_by_event_id is null
        left join products p on p.gtin = c.gtin
        left join lateral (
          select code, gs1_company_prefix as prefix from parties
          where gs1_company_prefix is not null and gs1_company_prefix = any(${leadingPartsOf(sql`substr(c.gtin, 2)`)})
          order by length(gs1_company_prefix) desc limit 1) o on true
        where coalesce(p.party_code, o.code) <> l.party_code
        order by c.gtin, c.lot_code
        limit ${page.limit} offset ${page.offset}`,
      );
    },
    /** Sites named by another party's own GLN, as stored before such GLNs were refused. */
    async locationGlnsOfAnotherParty(
      page: Page,
    ): Promise<{ gln: string; locationCode: string; partyCode: string; glnPartyCode: string }[]> {
      return queryRows(
        db,
        sql`
        select l.gln, l.code as "locationCode", l.party_code as "partyCode", p.code as "glnPartyCode"
        from locations l join parties p on p.gln = l.gln and p.code <> l.party_code
        order by l.gln
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
