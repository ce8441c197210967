import { type Principal, partyFilter, seesShipmentLinesOfNothing, shipmentLinesShownTo } from '../access/index.js';
import { eventIdOfKey } from '../gs1/event-id.js';
import type { ShipmentsRepository } from './repository.js';
import type { Shipment } from './schemas.js';

export function createShipmentService(deps: { shipments: Pick<ShipmentsRepository, 'list'> }) {
  return {
    /**
     * Shipments from or to a party: an operator's own, without lines of 0 or shipments of nothing
     * else; any party's for regulators, with every line.
     */
    async list(
      principal: Principal,
      filter: { partyCode?: string; status?: Shipment['status']; limit: number; offset: number },
    ): Promise<Shipment[]> {
      const partyCode = partyFilter(principal, filter.partyCode, 'shipments');
      const rows = await deps.shipments.list({ ...filter, partyCode, ofNothing: seesShipmentLinesOfNothing(principal) });
      return rows.map((row) => ({
        ...row,
        status: row.status as Shipment['status'],
        // the events by their eventIDs, not the keys that kept them apart from another party's
        shipEventId: eventIdOfKey(row.shipEventId),
        receiveEventId: row.receiveEventId && eventIdOfKey(row.receiveEventId),
        lines: shipmentLinesShownTo(principal, row.lines).map(({ lotCode, quantity, receivedQuantity }) => ({
          lotCode,
          quantity,
          receivedQuantity,
        })),
      }));
    },
  };
}

export type ShipmentService = ReturnType<typeof createShipmentService>;
