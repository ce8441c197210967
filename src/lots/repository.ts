import { and, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { anyOf, chunkForInsert } from '../db/chunk.js';
import { type Db, queryRows } from '../db/client.js';
import { lotIdentifiers, lotMovements, lots } from '../db/schema.js';

export type LotRow = typeof lots.$inferSelect;
export type MovementRow = typeof lotMovements.$inferSelect;
export type Holding = { lotCode: string; partyCode: string; onHand: number };
export type LotStatusInputs = {
  code: string;
  status: string;
  voidedByEventId: string | null;
  onHand: number;
  inTransit: number;
  lastDrain?: string;
  recalled: boolean;
};

export function createLotsRepository(db: Db) {
  return {
    async insertLots(rows: (typeof lots.$inferInsert)[]): Promise<void> {
      for (const chunk of chunkForInsert(rows)) await db.insert(lots).values(chunk);
    },
    async findByCodes(codes: string[], tx: Db = db): Promise<LotRow[]> {
      if (codes.length === 0) return [];
      return tx.select().from(lots).where(anyOf(lots.code, codes));
    },
    /** Row locks serialise concurrent events on the same lots; codes are sorted so two events never deadlock. */
    async lockByCodes(codes: string[]): Promise<LotRow[]> {
      if (codes.length === 0) return [];
      return db
        .select()
        .from(lots)
        .where(inArray(lots.code, [...new Set(codes)].sort()))
        .orderBy(lots.code)
        .for('update');
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
    async findBySscc(sscc: string, tx: Db = db): Promise<LotRow | undefined> {
      const [row] = await tx
        .select()
        .from(lots)
        .where(and(eq(lots.sscc, sscc), isNull(lots.voidedByEventId)));
      return row;
    },
    async findLotCodeByIdentifier(kind: string, value: string, tx: Db = db): Promise<string | undefined> {
      const [row] = await tx
        .select({ lotCode: lotIdentifiers.lotCode })
        .from(lotIdentifiers)
        .where(and(eq(lotIdentifiers.kind, kind), eq(lotIdentifiers.value, value)));
      return row?.lotCode;
    },
    async findTakenIdentifiers(kind: string, values: string[]): Promise<string[]> {
      const taken: string[] = [];
      for (let i = 0; i < values.length; i += 10_000) {
        const rows = await db
          .select({ value: lotIdentifiers.value })
          .from(lotIdentifiers)
          .where(and(eq(lotIdentifiers.kind, kind), inArray(lotIdentifiers.value, values.slice(i, i + 10_000))));
        taken.push(...rows.map((row) => row.value));
      }
      return taken;
    },
    async insertIdentifiers(rows: (typeof lotIdentifiers.$inferInsert)[]): Promise<void> {
      for (const chunk of chunkForInsert(rows)) await db.insert(lotIdentifiers).values(chunk);
    },
    /** Identifiers are a lookup index over the event log; a voided lot gives its ear tags back. */
    async releaseIdentifiers(lotCodes: string[]): Promise<void> {
      if (lotCodes.length) await db.delete(lotIdentifiers).where(inArray(lotIdentifiers.lotCode, lotCodes));
    },
    findCreatedBy(eventId: string): Promise<LotRow[]> {
      return db.select().from(lots).where(eq(lots.createdByEventId, eventId)).orderBy(lots.createdAt, lots.code);
    },
    async voidLots(codes: string[], eventId: string): Promise<void> {
      if (codes.length) await db.update(lots).set({ voidedByEventId: eventId }).where(inArray(lots.code, codes));
    },
    async replaceLot(code: string, values: Omit<typeof lots.$inferInsert, 'code'>): Promise<void> {
      await db.update(lots).set(values).where(eq(lots.code, code));
    },
    async setStatus(code: string, status: string): Promise<void> {
      await db.update(lots).set({ status }).where(eq(lots.code, code));
    },

    async insertMovements(rows: MovementRow[]): Promise<void> {
      for (const chunk of chunkForInsert(rows)) await db.insert(lotMovements).values(chunk);
    },
    movementsOfEvent(eventId: string): Promise<MovementRow[]> {
      return db.select().from(lotMovements).where(eq(lotMovements.eventId, eventId));
    },
    /** What each party holds of each lot, derived from the movement ledger. */
    async holdings(lotCodes: string[]): Promise<Holding[]> {
      if (lotCodes.length === 0) return [];
      const rows = await db
        .select({
          lotCode: lotMovements.lotCode,
          partyCode: lotMovements.partyCode,
          onHand: sql<string>`sum(${lotMovements.quantity})::text`,
        })
        .from(lotMovements)
        .where(anyOf(lotMovements.lotCode, lotCodes))
        .groupBy(lotMovements.lotCode, lotMovements.partyCode);
      return rows.map((row) => ({ ...row, onHand: Number(row.onHand) }));
    },
    /** Signed totals per movement kind for one lot: the input of a mass balance. */
    async movementTotals(lotCode: string): Promise<{ kind: string; quantity: number }[]> {
      const rows = await db
        .select({ kind: lotMovements.kind, quantity: sql<string>`sum(${lotMovements.quantity})::text` })
        .from(lotMovements)
        .where(eq(lotMovements.lotCode, lotCode))
        .groupBy(lotMovements.kind);
      return rows.map((row) => ({ kind: row.kind, quantity: Number(row.quantity) }));
    },
    /**
     * What a lot's status follows from (see nextLotStatus), for each lot, in one round trip:
     * quantity on hand and in open shipments, the most recent live outflow that took quantity
     * out for good, and whether a live event recalled it.
     */
    async statusInputs(lotCodes: string[]): Promise<LotStatusInputs[]> {
      if (lotCodes.length === 0) return [];
      const rows = await queryRows<Omit<LotStatusInputs, 'onHand' | 'inTransit'> & { onHand: string; inTransit: string }>(
        db,
        sql`
        select l.code, l.status, l.voided_by_event_id as "voidedByEventId",
          coalesce((select sum(m.quantity) from lot_movements m where m.lot_code = l.code), 0)::text as "onHand",
          coalesce((select sum(sl.quantity) from shipment_lines sl join shipments s on s.id = sl.shipment_id
                    where sl.lot_code = l.code and s.status = 'open'), 0)::text as "inTransit",
          (select m.kind from lot_movements m join events e on e.id = m.event_id
            where m.lot_code = l.code and m.kind in ('consume', 'destroy', 'sell') and m.quantity < 0
              and not exists (select 1 from events c where c.corrects_event_id = m.event_id)
            order by e.event_time desc limit 1) as "lastDrain",
          exists (select 1 from event_lots el join events e on e.id = el.event_id
            where el.lot_code = l.code and e.disposition = 'recalled'
              and not exists (select 1 from events c where c.corrects_event_id = e.id)) as recalled
        from lots l where ${anyOf(sql`l.code`, lotCodes)}`,
      );
      return rows.map((row) => ({
        ...row,
        onHand: Number(row.onHand),
        inTransit: Number(row.inTransit),
        lastDrain: row.lastDrain ?? undefined,
      }));
    },
    /** Parties that ever held or were sent a lot: they may read it. */
    async involvedParties(lotCode: string): Promise<Set<string>> {
      const rows = await queryRows<{ party_code: string }>(
        db,
        sql`
        select party_code from lots where code = ${lotCode}
        union select party_code from lot_movements where lot_code = ${lotCode}
        union select s.to_party_code from shipment_lines l join shipments s on s.id = l.shipment_id where l.lot_code = ${lotCode}`,
      );
      return new Set(rows.map((row) => row.party_code));
    },
    list(filter: { partyCode?: string; holderCode?: string; status?: string; productCode?: string; limit: number; offset: number }) {
      const conditions: SQL[] = [isNull(lots.voidedByEventId)];
      if (filter.partyCode) conditions.push(eq(lots.partyCode, filter.partyCode));
      if (filter.status) conditions.push(eq(lots.status, filter.status));
      if (filter.productCode) conditions.push(eq(lots.productCode, filter.productCode));
      if (filter.holderCode) {
        conditions.push(sql`${lots.code} in (select lot_code from lot_movements where party_code = ${filter.holderCode})`);
      }
      return db
        .select()
        .from(lots)
        .where(and(...conditions))
        .orderBy(desc(lots.createdAt), lots.code)
        .limit(filter.limit)
        .offset(filter.offset);
    },
  };
}

export type LotsRepository = ReturnType<typeof createLotsRepository>;
