import { and, asc, desc, eq, getTableColumns, or, type SQL, sql } from 'drizzle-orm';
import { anyOf } from '../db/chunk.js';
import { type Db, isoMicros, queryRows } from '../db/client.js';
import { shipmentLines, shipments } from '../db/schema.js';
import type { ListPosition } from '../http/page-token.js';

export type ShipmentRow = typeof shipments.$inferSelect;
export type ShipmentLineRow = typeof shipmentLines.$inferSelect;
export type ShipmentWithLines = ShipmentRow & { lines: ShipmentLineRow[] };

export function createShipmentsRepository(db: Db) {
  async function withLines<Row extends ShipmentRow>(rows: Row[]): Promise<(Row & { lines: ShipmentLineRow[] })[]> {
    if (rows.length === 0) return [];
    const lines = await db
      .select()
      .from(shipmentLines)
      .where(
        anyOf(
          shipmentLines.shipmentId,
          rows.map((row) => row.id),
        ),
      )
      .orderBy(asc(shipmentLines.shipmentId), asc(shipmentLines.position));
    const byShipment = new Map<string, ShipmentLineRow[]>();
    for (const line of lines) byShipment.set(line.shipmentId, [...(byShipment.get(line.shipmentId) ?? []), line]);
    return rows.map((row) => ({ ...row, lines: byShipment.get(row.id) ?? [] }));
  }

  return {
    /**
     * Shipments from or to a party (or every party's), newest first by (shipped_at, id) both descending,
     * a total order: a page starts after a position (keyset, on shipments_shipped_idx) or at an offset.
     * Those of nothing (no line with a quantity, stored before the writer refused them) only with `ofNothing`.
     */
    async list(filter: {
      partyCode?: string;
      status?: string;
      ofNothing: boolean;
      limit: number;
      offset: number;
      after?: ListPosition;
    }): Promise<(ShipmentWithLines & { sortInstant: string })[]> {
      const conditions: (SQL | undefined)[] = [];
      if (filter.partyCode) {
        conditions.push(or(eq(shipments.fromPartyCode, filter.partyCode), eq(shipments.toPartyCode, filter.partyCode)));
      }
      if (filter.status) conditions.push(eq(shipments.status, filter.status));
      if (!filter.ofNothing) {
        conditions.push(
          sql`${shipments.id} in (select ${shipmentLines.shipmentId} from ${shipmentLines} where ${shipmentLines.quantity} > 0)`,
        );
      }
      // a row comparison, which the index's range takes as its start
      if (filter.after)
        conditions.push(sql`(${shipments.shippedAt}, ${shipments.id}) < (${filter.after.time}::timestamptz, ${filter.after.id})`);
      const rows = await db
        .select({ ...getTableColumns(shipments), sortInstant: isoMicros(shipments.shippedAt) })
        .from(shipments)
        .where(and(...conditions))
        .orderBy(desc(shipments.shippedAt), desc(shipments.id))
        .limit(filter.limit)
        .offset(filter.offset);
      return withLines(rows);
    },
    /**
     * The parties between which goods changed hands: a shipment its addressee received, wholly or
     * in part. Anyone can address a shipment to anyone and take it back, so an open or cancelled
     * one proves no dealings; nor does one of nothing (stored before the writer refused them,
     * every line a quantity of 0), however received.
     */
    async tradingPartners(partyCode: string): Promise<Set<string>> {
      // the status at the outer level, so the (party, status) indexes apply
      const received = sql`s.status in ('received', 'open') and exists (select 1 from shipment_lines l where l.shipment_id = s.id
        and l.quantity > 0 and (s.status = 'received' or l.received_quantity is not null))`;
      const rows = await queryRows<{ code: string }>(
        db,
        sql`select s.to_party_code as code from shipments s where s.from_party_code = ${partyCode} and ${received}
        union select s.from_party_code from shipments s where s.to_party_code = ${partyCode} and ${received}`,
      );
      return new Set(rows.map((row) => row.code));
    },
  };
}

export type ShipmentsRepository = ReturnType<typeof createShipmentsRepository>;
