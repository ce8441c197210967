import { and, type Column, desc, eq, getTableColumns, isNull, type SQL, sql } from 'drizzle-orm';
import { anyOf } from '../db/chunk.js';
import { type Db, isoMicros, queryRows } from '../db/client.js';
import { lotIdentifiers, lots } from '../db/schema.js';
import type { ListPosition } from '../http/page-token.js';
import type { BalanceOf } from './ledger.js';

export type LotRow = typeof lots.$inferSelect;
export type Holding = { lotCode: string; partyCode: string; onHand: number };
export type LotLedger = {
  of: BalanceOf;
  totals: { kind: string; quantity: number }[];
  lines: { quantity: number; receivedQuantity: number | null; status: string }[];
};

/**
 * Counts of what a consumer page shows of a lot that can change while its chain does not and that
 * its status and hold do not tell: its inspections and documents (evidence links, and corrections of
 * them), its owner's brand standing (every admission, suspension and exit is a change row) and the
 * recalls that reached it (a further recall of a recalled lot leaves its status as it was, and adds
 * its hazard to the page; its closing changes nothing the page shows). They only grow, so a page
 * cached under older counts is never taken for a newer one. And the event that made the lot as it
 * stands: a correction's replacement makes it again under a new event, with the dates and lot number
 * it corrects, which show on the next scan.
 */
export function pageChangesOf(lotCode: SQL | Column): SQL<string> {
  return sql<string>`(select concat_ws(':',
      (select count(*) + count(c.id) from event_lots el left join events c on c.corrects_event_id = el.event_id
        where el.lot_code = l.code and el.evidence),
      (select count(*) from brand_authorizations a join brand_authorization_changes ch on ch.authorization_id = a.id
        where a.party_code = l.party_code),
      (select count(*) from recall_lots rl where rl.lot_code = l.code),
      l.created_by_event_id)
    from lots l where l.code = ${lotCode})`;
}

/**
 * Whether a recall named the lot `lotCode` itself (one of its roots): a container a recall named was
 * taken back with all it holds; one recalled only through what it holds was not, nor is the rest of it.
 */
export const namedByRecall = (lotCode: SQL | Column): SQL =>
  sql`exists (select 1 from recalls r where r.root_lot_codes @> jsonb_build_array(${lotCode}))`;

/** A ledger as ledgerColumns selects it: json whose numbers are read as they come. */
export type LedgerJson = {
  totals: { kind: string; quantity: number | string }[];
  lines: { quantity: number | string; receivedQuantity: number | string | null; status: string }[];
};

/**
 * The columns `totals` and `lines` of a lot's ledger, the input of its mass balance (see
 * massBalance): signed totals per movement kind and the lines of the shipments that carried it. Of
 * every party (`partyCode` null), or of one party's own stock: its own rows and the shipments it
 * sent. `lotCode` may be a column, so that one statement reads the ledgers of many lots.
 */
export function ledgerColumns(lotCode: SQL, partyCode: string | null = null): SQL {
  const own = (column: SQL) => (partyCode === null ? sql`true` : sql`${column} = ${partyCode}`);
  return sql`coalesce((select json_agg(json_build_object('kind', k.kind, 'quantity', k.total)) from (
      select m.kind, sum(m.quantity) as total from lot_movements m
      where m.lot_code = ${lotCode} and ${own(sql`m.party_code`)} group by m.kind) k), '[]') as totals,
    coalesce((select json_agg(json_build_object('quantity', sl.quantity, 'receivedQuantity', sl.received_quantity, 'status', s.status))
      from shipment_lines sl join shipments s on s.id = sl.shipment_id
      where sl.lot_code = ${lotCode} and ${own(sql`s.from_party_code`)}), '[]') as lines`;
}

export function ledgerOfRow(row: LedgerJson): Omit<LotLedger, 'of'> {
  return {
    totals: row.totals.map((total) => ({ kind: total.kind, quantity: Number(total.quantity) })),
    lines: row.lines.map((line) => ({
      quantity: Number(line.quantity),
      receivedQuantity: line.receivedQuantity === null ? null : Number(line.receivedQuantity),
      status: line.status,
    })),
  };
}

/**
 * Of a movement `lm`: it made its party a holder. An event declared in error and the correction that
 * reversed it moved nothing, so their movements make no holder.
 */
/**
 * The recalls that reached a recalled lot (`code` the SQL naming its code), in the order they opened:
 * the ids the recall events linking it name (each opening links every lot its scope reached); null
 * for a lot not recalled. A refusal of a recall names them.
 */
export const recallsOfLot = (code: SQL, status: SQL) => sql`case when ${status} = 'recalled' then array(select e.payload->>'recallId'
  from event_lots el join events e on e.id = el.event_id
  where el.lot_code = ${code} and e.type = 'recall' and e.disposition = 'recalled' order by e.event_time, e.id) end`;

const MOVEMENT_MADE_HOLDER = sql`not exists (select 1 from events c where c.corrects_event_id = lm.event_id)
      and not exists (select 1 from events e where e.id = lm.event_id and e.type = 'correction')`;

/**
 * The parties involved in a lot, who may read it (see canReadLot): its owner, every party with a row
 * of its ledger (it held the lot) and every party a shipment line of it with a quantity was sent to
 * (a line of 0, stored before the writer left such lines out, sent nothing; nor did a shipment whose
 * ship event was declared in error, cancelled before it was received; nor did a movement of an event
 * declared in error, or of the correction that reversed it, make a holder). One select of
 * `lot_code, party_code` per way of being involved, of the rows `where` holds for, given the
 * select's lot and party columns: involvedPartiesOf and partyInvolvedIn both read these.
 */
function involvement(where: (lotCode: SQL, partyCode: SQL) => SQL): SQL[] {
  return [
    sql`select lo.code as lot_code, lo.party_code from lots lo where ${where(sql`lo.code`, sql`lo.party_code`)}`,
    sql`select lm.lot_code, lm.party_code from lot_movements lm where ${where(sql`lm.lot_code`, sql`lm.party_code`)} and ${MOVEMENT_MADE_HOLDER}`,
    sql`select sl.lot_code, sh.to_party_code as party_code from shipment_lines sl join shipments sh on sh.id = sl.shipment_id
      where sl.quantity > 0 and sh.status <> 'cancelled' and ${where(sql`sl.lot_code`, sql`sh.to_party_code`)}`,
  ];
}

/**
 * Is the party involved in the lot (see involvement), as a condition of a statement over lots
 * (`lotCode` a column of it): a few index look-ups per lot, so that a statement keeps only the lots
 * the party may read and pages them itself.
 */
export function partyInvolvedIn(lotCode: SQL, partyCode: string): SQL {
  return sql`exists (${sql.join(
    involvement((lot, party) => sql`${lot} = ${lotCode} and ${party} = ${partyCode}`),
    sql` union all `,
  )})`;
}

/**
 * The codes of the lots the party is involved in (see involvement), found from the party's side
 * (indexes on each table's party column): for asking whether any of many lots is one of them
 * without looking at each of the many. A code may come more than once.
 */
export function lotsInvolving(partyCode: string): SQL {
  return sql`select lot_code from (${sql.join(
    involvement((_lot, party) => sql`${party} = ${partyCode}`),
    sql` union all `,
  )}) as involved`;
}

export function createLotsRepository(db: Db) {
  /** involvedParties of many lots in one statement (inside the caller's transaction when one is given); a lot no party is involved in (an unknown code) is left out. */
  async function involvedPartiesOf(lotCodes: string[], tx: Db = db): Promise<Map<string, Set<string>>> {
    const involved = new Map<string, Set<string>>();
    if (lotCodes.length === 0) return involved;
    const rows = await queryRows<{ lot_code: string; party_code: string }>(
      tx,
      sql.join(
        involvement((lot) => anyOf(lot, lotCodes)),
        sql` union `,
      ),
    );
    for (const row of rows) involved.set(row.lot_code, (involved.get(row.lot_code) ?? new Set()).add(row.party_code));
    return involved;
  }

  return {
    /** See pageChangesOf; empty for an unknown lot. */
    async pageChanges(lotCode: string): Promise<string> {
      const [row] = await queryRows<{ changes: string | null }>(db, sql`select ${pageChangesOf(sql`${lotCode}::text`)} as changes`);
      return row.changes ?? '';
    },
    async findByCodes(codes: string[], tx: Db = db): Promise<LotRow[]> {
      if (codes.length === 0) return [];
      return tx.select().from(lots).where(anyOf(lots.code, codes));
    },
    /** Lots by their owners' own lot numbers, for many (party, lot number) pairs at once. */
    async findByLotNumbers(pairs: { partyCode: string; lotNumber: string }[], tx: Db = db): Promise<LotRow[]> {
      if (pairs.length === 0) return [];
      const partyCodes = sql.param(pairs.map((pair) => pair.partyCode));
      const lotNumbers = sql.param(pairs.map((pair) => pair.lotNumber));
      return tx
        .select()
        .from(lots)
        .where(
          and(
            sql`(${lots.partyCode}, ${lots.lotNumber}) in (select * from unnest(${partyCodes}::text[], ${lotNumbers}::text[]))`,
            isNull(lots.voidedByEventId),
          ),
        );
    },
    async findBySsccs(ssccs: string[], tx: Db = db): Promise<LotRow[]> {
      if (ssccs.length === 0) return [];
      return tx
        .select()
        .from(lots)
        .where(and(anyOf(lots.sscc, ssccs), isNull(lots.voidedByEventId)));
    },
    /** value → lot code for secondary identifiers (ear tags, captured EPCs) of one kind. */
    async findLotCodesByIdentifiers(kind: string, values: string[], tx: Db = db): Promise<Map<string, string>> {
      if (values.length === 0) return new Map();
      const rows = await tx
        .select({ value: lotIdentifiers.value, lotCode: lotIdentifiers.lotCode })
        .from(lotIdentifiers)
        .where(and(eq(lotIdentifiers.kind, kind), anyOf(lotIdentifiers.value, values)));
      return new Map(rows.map((row) => [row.value, row.lotCode]));
    },
    async findByLotNumber(partyCode: string, lotNumber: string, tx: Db = db): Promise<LotRow | undefined> {
      const [row] = await tx
        .select()
        .from(lots)
        .where(and(eq(lots.partyCode, partyCode), eq(lots.lotNumber, lotNumber), isNull(lots.voidedByEventId)));
      return row;
    },

    /** The party's first live lot of the product whose number matches `pattern` (a POSIX regular expression). */
    async firstNumbered(partyCode: string, productCode: string, pattern: string): Promise<LotRow | undefined> {
      const [row] = await db
        .select()
        .from(lots)
        .where(
          and(
            eq(lots.partyCode, partyCode),
            eq(lots.productCode, productCode),
            sql`${lots.lotNumber} ~ ${pattern}`,
            isNull(lots.voidedByEventId),
          ),
        )
        .orderBy(lots.createdAt, lots.code)
        .limit(1);
      return row;
    },
    /** What each party holds of each lot, loose or packed: the movement ledger's balances. */
    async holdings(lotCodes: readonly string[]): Promise<Holding[]> {
      if (lotCodes.length === 0) return [];
      // plain rows: a recall-sized trace reads 40k holdings
      return queryRows<Holding>(
        db,
        sql`select lot_code as "lotCode", party_code as "partyCode", sum(quantity)::float8 as "onHand"
          from lot_balances where ${anyOf(sql`lot_code`, lotCodes)} group by lot_code, party_code`,
      );
    },
    /** A lot's ledger (see ledgerColumns) of every party (`partyCode` null), or of one party's own stock. */
    async ledger(lotCode: string, partyCode: string | null): Promise<LotLedger> {
      const [row] = await queryRows<LedgerJson>(db, sql`select ${ledgerColumns(sql`${lotCode}::text`, partyCode)}`);
      return { of: partyCode === null ? 'lot' : 'party', ...ledgerOfRow(row) };
    },
    /** The recalls that reached a lot (see recallsOfLot); empty for a lot not recalled. */
    async recallsOf(lotCode: string): Promise<string[]> {
      const [row] = await queryRows<{ recalls: string[] | null }>(
        db,
        sql`select ${recallsOfLot(sql`lots.code`, sql`lots.status`)} as recalls from lots where code = ${lotCode}`,
      );
      return row?.recalls ?? [];
    },
    /** Parties that ever held or were sent a lot: they may read it. */
    async involvedParties(lotCode: string): Promise<Set<string>> {
      return (await involvedPartiesOf([lotCode])).get(lotCode) ?? new Set();
    },
    involvedPartiesOf,
    /**
     * A page of lots, newest first: (created_at, code) both descending, a total order, so a page may
     * start after a position (keyset, on lots_created_idx) as well as at an offset.
     */
    list(filter: {
      partyCode?: string;
      holderCode?: string;
      status?: string;
      productCode?: string;
      limit: number;
      offset: number;
      after?: ListPosition;
    }) {
      const conditions: SQL[] = [isNull(lots.voidedByEventId)];
      if (filter.partyCode) conditions.push(eq(lots.partyCode, filter.partyCode));
      if (filter.status) conditions.push(eq(lots.status, filter.status));
      if (filter.productCode) conditions.push(eq(lots.productCode, filter.productCode));
      if (filter.holderCode) {
        // as it may read them (see involvement): a holding of events declared in error held nothing
        conditions.push(
          sql`${lots.code} in (select lm.lot_code from lot_movements lm where lm.party_code = ${filter.holderCode} and ${MOVEMENT_MADE_HOLDER})`,
        );
      }
      // a row comparison, which the index's range takes as its start
      if (filter.after) conditions.push(sql`(${lots.createdAt}, ${lots.code}) < (${filter.after.time}::timestamptz, ${filter.after.id})`);
      return db
        .select({ ...getTableColumns(lots), sortInstant: isoMicros(lots.createdAt) })
        .from(lots)
        .where(and(...conditions))
        .orderBy(desc(lots.createdAt), desc(lots.code))
        .limit(filter.limit)
        .offset(filter.offset);
    },
  };
}

export type LotsRepository = ReturnType<typeof createLotsRepository>;
