import { and, asc, eq, gte, isNull, ne, not, or, type SQL, sql } from 'drizzle-orm';
import { chinaDayEnd, chinaDayStart } from '../codes/timestamp.js';
import { anyOf } from '../db/chunk.js';
import { chinaDayOf, type Db, isoMs, queryRows } from '../db/client.js';
import { apiKeys, brandAuthorizationChanges, brandAuthorizations, brandProducts, brands } from '../db/schema.js';

export type BrandRow = typeof brands.$inferSelect;
export type BrandProductRow = typeof brandProducts.$inferSelect;
export type AuthorizationRow = typeof brandAuthorizations.$inferSelect;
export type ChangeRow = typeof brandAuthorizationChanges.$inferSelect;

/**
 * An authorization the office made: one with a change, its admission first. A row with none was
 * written behind the service's back (the audit log reports it): never admitted, it holds no place
 * in a tier, lists as no member and is no standing authorization to change. `id` names the
 * authorization's id column as the query around it does (another domain's raw SQL, an alias).
 */
export const madeAuthorization = (id: SQL) =>
  sql`exists (select 1 from brand_authorization_changes made_change where made_change.authorization_id = ${id})`;

/**
 * An authorization's history as standing.ts judges it (AuthorizationHistory), of the
 * brand_authorizations row `row` names: its changes in the order made, and, when the statement's
 * snapshot missed the latest (one committed while the statement waited to lock the row, which it
 * then reads as that change left it), the state the row holds from its day on; when that change
 * was recorded is not read, so it holds the lots of its whole day.
 */
export const authorizationHistory = (row: SQL) => sql`json_build_object('validFrom', ${row}.valid_from, 'validUntil', ${row}.valid_until,
  'changes', (select coalesce(jsonb_agg(jsonb_build_object('toState', c.to_state, 'effectiveOn', c.effective_on,
      'recordedAt', ${isoMs(sql`c.recorded_at`)}) order by c.seq), '[]'::jsonb)
    from brand_authorization_changes c where c.authorization_id = ${row}.id)
    || case when (select c.to_state || ' ' || c.effective_on from brand_authorization_changes c where c.authorization_id = ${row}.id
        order by c.seq desc limit 1) is distinct from ${row}.state || ' ' || ${row}.state_since
      then jsonb_build_array(jsonb_build_object('toState', ${row}.state, 'effectiveOn', ${row}.state_since)) else '[]'::jsonb end)`;

/**
 * The types of the certifications (绿色食品, 有机产品, GI use permit) party `partyCode` held on the day, one
 * row (`type`) each: declared, with their validity, on its approved application to join. What earns a
 * product's marks (earnedMarks, through certificationsHeld), and what the regulators' figures count a
 * party certified by.
 */
export const certificationsHeldSql = (partyCode: SQL, day: string) =>
  sql`select c->>'type' as type from registrations r cross join jsonb_array_elements(r.certifications) c
    where r.party_code = ${partyCode} and r.status = 'approved'
      and coalesce(c->>'validFrom', ${day}) <= ${day} and c->>'validUntil' >= ${day}`;

/**
 * Was authorization `a` admitted on the day, as admittedOn (standing.ts) judges it: within its validity,
 * the last change effective by that day (in the order made) an admission; one exited or suspended since
 * still stood admitted then.
 */
export const admittedOnSql = (
  a: SQL,
  day: SQL | string,
) => sql`(${a}.valid_from <= ${day} and (${a}.valid_until is null or ${a}.valid_until >= ${day})
  and (select c.to_state from brand_authorization_changes c where c.authorization_id = ${a}.id and c.effective_on <= ${day}
    order by c.seq desc limit 1) = 'admitted')`;

const made = madeAuthorization(sql`${brandAuthorizations.id}`);

/**
 * Is lot `l` held to the brand of `bp` (its product's brand_products row)? standing.ts's heldToBrand
 * in SQL (a test holds the two to agree): recorded once the product joined (coveredWhenMade), by an
 * owner admitted when it made it (admittedWhenMade): on its production day (its recording day when
 * it has none), within the validity of one of its authorizations for the brand, whose last change
 * effective by that day and read for the lot is an admission. A change other than the admission that
 * takes effect on that very day, recorded that day after the lot, does not hold it.
 */
const heldToBrandSql = sql`(bp.added_at is null or l.created_at >= bp.added_at)
  and exists (select 1 from brand_authorizations a
    cross join lateral (select coalesce(l.production_date, ${chinaDayOf(sql`l.created_at`)}) as day) made
    where a.brand_code = bp.brand_code and a.party_code = l.party_code and ${madeAuthorization(sql`a.id`)}
      and a.valid_from <= made.day and (a.valid_until is null or a.valid_until >= made.day)
      and (select c.to_state from brand_authorization_changes c
        where c.authorization_id = a.id and c.effective_on <= made.day
          and not (c.effective_on = made.day and ${chinaDayOf(sql`c.recorded_at`)} = made.day and c.recorded_at > l.created_at
            and exists (select 1 from brand_authorization_changes admission where admission.authorization_id = a.id and admission.seq < c.seq))
        order by c.seq desc limit 1) = 'admitted')`;
/** The party's authorization for the brand that has not exited (at most one: the member key's unique index). */
const notExited = (brandCode: string, partyCode: string) =>
  and(eq(brandAuthorizations.brandCode, brandCode), eq(brandAuthorizations.partyCode, partyCode), ne(brandAuthorizations.state, 'exited'));

export function createBrandsRepository(db: Db) {
  async function changesOf(authorizationIds: string[], tx: Db = db): Promise<Map<string, ChangeRow[]>> {
    const byAuthorization = new Map<string, ChangeRow[]>(authorizationIds.map((id) => [id, []]));
    if (authorizationIds.length === 0) return byAuthorization;
    const rows = await tx
      .select()
      .from(brandAuthorizationChanges)
      .where(anyOf(brandAuthorizationChanges.authorizationId, authorizationIds))
      .orderBy(asc(brandAuthorizationChanges.seq));
    for (const row of rows) byAuthorization.get(row.authorizationId)?.push(row);
    return byAuthorization;
  }

  return {
    async insertBrand(row: typeof brands.$inferInsert, products: BrandProductRow[], tx: Db): Promise<BrandRow> {
      const [inserted] = await tx.insert(brands).values(row).returning();
      if (products.length) await tx.insert(brandProducts).values(products);
      return inserted;
    },
    /** Adds the products the brand does not cover yet; returns those added. */
    async addProducts(products: BrandProductRow[], tx: Db): Promise<BrandProductRow[]> {
      if (products.length === 0) return [];
      return tx.insert(brandProducts).values(products).onConflictDoNothing().returning();
    },
    async findBrand(code: string): Promise<BrandRow | undefined> {
      const [row] = await db.select().from(brands).where(eq(brands.code, code));
      return row;
    },
    async findBrandNamed(nameZh: string): Promise<BrandRow | undefined> {
      const [row] = await db.select().from(brands).where(eq(brands.nameZh, nameZh));
      return row;
    },
    listBrands(): Promise<BrandRow[]> {
      return db.select().from(brands).orderBy(brands.code);
    },
    productsOf(brandCodes: string[]): Promise<BrandProductRow[]> {
      if (brandCodes.length === 0) return Promise.resolve([]);
      return db.select().from(brandProducts).where(anyOf(brandProducts.brandCode, brandCodes)).orderBy(brandProducts.productCode);
    },

    /** Serializes admissions to one brand, so two cannot both take the last place of a tier. */
    async lockBrand(code: string, tx: Db): Promise<BrandRow | undefined> {
      const [row] = await tx.select().from(brands).where(eq(brands.code, code)).for('update');
      return row;
    },
    /** Authorizations of a brand not exited (admitted or suspended) and valid on the day, in one tier: they hold its places (see `made`). */
    async countInTier(brandCode: string, tier: string, day: string, tx: Db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(brandAuthorizations)
        .where(
          and(
            eq(brandAuthorizations.brandCode, brandCode),
            eq(brandAuthorizations.tier, tier),
            ne(brandAuthorizations.state, 'exited'),
            or(isNull(brandAuthorizations.validUntil), gte(brandAuthorizations.validUntil, day)),
            made,
          ),
        );
      return Number(row.n);
    },
    async insertAuthorization(row: typeof brandAuthorizations.$inferInsert, change: typeof brandAuthorizationChanges.$inferInsert, tx: Db) {
      const [inserted] = await tx.insert(brandAuthorizations).values(row).returning();
      await tx.insert(brandAuthorizationChanges).values(change);
      return inserted;
    },
    /** The party's standing (not exited) authorization for a brand (see `made`). */
    async findStanding(brandCode: string, partyCode: string, tx: Db = db): Promise<AuthorizationRow | undefined> {
      const [row] = await tx
        .select()
        .from(brandAuthorizations)
        .where(and(notExited(brandCode, partyCode), made))
        .for('update');
      return row;
    },
    /**
     * The party's authorization for a brand that is not exited but was never admitted (no change: see
     * `made`): a row written behind the service's back, which an operator has to look at.
     */
    async findUnadmitted(brandCode: string, partyCode: string, tx: Db = db): Promise<AuthorizationRow | undefined> {
      const [row] = await tx
        .select()
        .from(brandAuthorizations)
        .where(and(notExited(brandCode, partyCode), not(made)));
      return row;
    },
    async recordChange(
      id: string,
      update: Pick<AuthorizationRow, 'state' | 'stateSince' | 'disposalDeadline'>,
      change: typeof brandAuthorizationChanges.$inferInsert,
      tx: Db,
    ): Promise<AuthorizationRow> {
      const [updated] = await tx.update(brandAuthorizations).set(update).where(eq(brandAuthorizations.id, id)).returning();
      await tx.insert(brandAuthorizationChanges).values(change);
      return updated;
    },
    /** A brand's authorizations (see `made`), optionally of one party. */
    async authorizationsOf(filter: { brandCode: string; partyCode?: string }, tx: Db = db): Promise<AuthorizationRow[]> {
      return tx
        .select()
        .from(brandAuthorizations)
        .where(
          and(
            eq(brandAuthorizations.brandCode, filter.brandCode),
            filter.partyCode ? eq(brandAuthorizations.partyCode, filter.partyCode) : undefined,
            made,
          ),
        )
        .orderBy(brandAuthorizations.partyCode, brandAuthorizations.createdAt);
    },
    changesOf,

    /** The labels of the API keys (by id) that have one: who made an authorization's changes. */
    async keyLabels(keyIds: string[]): Promise<Map<string, string>> {
      if (keyIds.length === 0) return new Map();
      const rows = await db
        .select({ id: apiKeys.id, label: apiKeys.label })
        .from(apiKeys)
        .where(anyOf(apiKeys.id, [...new Set(keyIds)]));
      return new Map(rows.flatMap((row) => (row.label === null ? [] : [[row.id, row.label] as const])));
    },

    /**
     * The certifications (绿色食品, 有机产品, GI use permit: their types) the party held on the day: those
     * declared, with their validity, on its approved application to join. What earns a product's marks.
     */
    async certificationsHeld(partyCode: string, day: string): Promise<string[]> {
      const rows = await queryRows<{ type: string }>(
        db,
        sql`select distinct type from (${certificationsHeldSql(sql`${partyCode}`, day)}) held order by 1`,
      );
      return rows.map((row) => row.type);
    },

    /**
     * The brands covering a product, each with every authorization (and its changes) the party ever
     * had for it: what a lot of that product owned by that party may show, and whether it may be labelled.
     */
    async standingsFor(partyCode: string, productCode: string) {
      const covering = await db
        .select({ brand: brands, addedAt: brandProducts.addedAt })
        .from(brandProducts)
        .innerJoin(brands, eq(brands.code, brandProducts.brandCode))
        .where(eq(brandProducts.productCode, productCode))
        .orderBy(brands.code);
      if (covering.length === 0) return [];
      const authorizations = await db
        .select()
        .from(brandAuthorizations)
        .where(
          and(
            eq(brandAuthorizations.partyCode, partyCode),
            anyOf(
              brandAuthorizations.brandCode,
              covering.map(({ brand }) => brand.code),
            ),
            made,
          ),
        );
      const changes = await changesOf(authorizations.map((row) => row.id));
      return covering.map(({ brand, addedAt }) => ({
        brand,
        addedAt,
        authorizations: authorizations
          .filter((row) => row.brandCode === brand.code)
          .map((row) => ({ ...row, changes: changes.get(row.id) ?? [] })),
      }));
    },

    /**
     * What each party holds now of the lots held to the brand (see heldToBrandSql: the stock that
     * carried it, not a lot made before its product joined or while its owner was not admitted),
     * per unit, from the lot ledger.
     */
    async onHand(brandCode: string, partyCodes: string[]): Promise<{ partyCode: string; unit: string; quantity: number }[]> {
      if (partyCodes.length === 0) return [];
      const rows = await queryRows<{ partyCode: string; unit: string; quantity: string }>(
        db,
        sql`
        select m.party_code as "partyCode", l.unit, sum(m.quantity)::text as quantity
        from lot_movements m
        join lots l on l.code = m.lot_code
        join brand_products bp on bp.product_code = l.product_code and bp.brand_code = ${brandCode}
        where ${anyOf(sql`m.party_code`, partyCodes)} and ${heldToBrandSql}
        group by m.party_code, l.unit
        order by m.party_code, l.unit`,
      );
      return rows.map((row) => ({ ...row, quantity: Number(row.quantity) }));
    },

    /**
     * The lots a brand's report weighs (see the service's report): of a product the brand covers, by a party that
     * ever held an authorization for it, produced from `from` to `to` (their production day, their recording day
     * when they have none, as makingOf reads it) and not voided, with the item codes issued for each within the
     * period (by code jobs that succeeded, finished on one of its days), how many of those were scanned within it
     * and how often (the counted scans stored, made on one of its days). Whether each carries the badge is judged
     * by badgesOf from the lot's standings, as the consumer page judges it.
     */
    async reportLots(brandCode: string, from: string, to: string): Promise<ReportLotRow[]> {
      const within = (instant: SQL) =>
        sql`${instant} >= ${chinaDayStart(from).toISOString()}::timestamptz and ${instant} < ${chinaDayEnd(to).toISOString()}::timestamptz`;
      const rows = await queryRows<Omit<ReportLotRow, 'quantity' | 'createdAt'> & { quantity: string; createdAt: string }>(
        db,
        sql`
        select l.code as "lotCode", l.lot_number as "lotNumber", l.party_code as "partyCode", l.product_code as "productCode",
          p.name as "productName", l.quantity::text as quantity,
          l.unit, l.production_date::text as "productionDate", ${isoMs(sql`l.created_at`)} as "createdAt",
          coalesce(i.issued, 0)::int as "packsIssued", coalesce(i.scanned, 0)::int as "packsScanned", coalesce(i.scans, 0)::int as scans
        from lots l
        join brand_products bp on bp.product_code = l.product_code and bp.brand_code = ${brandCode}
        join products p on p.code = l.product_code
        left join lateral (select count(*) as issued, count(*) filter (where s.scans > 0) as scanned, sum(s.scans) as scans
          -- a running job's codes are not yet valid (deleted if it fails): those of jobs that succeeded, as the figures count
          from items it join code_jobs j on j.id = it.job_id and j.status = 'succeeded' and ${within(sql`j.finished_at`)}
          -- the period's scans of the lot's packs, counted in one pass over the lot's scans (not a look-up per code)
          left join (select sc.item_code, count(*) as scans from scans sc
            where sc.lot_code = l.code and sc.item_code is not null and ${within(sql`sc.scanned_at`)}
            group by sc.item_code) s on s.item_code = it.code
          where it.lot_code = l.code) i on true
        where l.voided_by_event_id is null
          and coalesce(l.production_date, ${chinaDayOf(sql`l.created_at`)}) between ${from}::date and ${to}::date
          and exists (select 1 from brand_authorizations a where a.brand_code = bp.brand_code and a.party_code = l.party_code
            and ${madeAuthorization(sql`a.id`)})
        order by l.party_code, coalesce(l.production_date, ${chinaDayOf(sql`l.created_at`)}), l.created_at, l.code`,
      );
      return rows.map((row) => ({ ...row, quantity: Number(row.quantity), createdAt: new Date(row.createdAt) }));
    },
  };
}

/** A lot a brand's report weighs, with its packs (reportLots). */
export type ReportLotRow = {
  lotCode: string;
  lotNumber: string | null;
  partyCode: string;
  productCode: string;
  productName: string;
  quantity: number;
  unit: string;
  productionDate: string | null;
  createdAt: Date;
  packsIssued: number;
  packsScanned: number;
  scans: number;
};

export type BrandsRepository = ReturnType<typeof createBrandsRepository>;
