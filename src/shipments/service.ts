import { listsShipmentsOfNothing, type Principal, partyFilter } from '../access/index.js';
import type { ShipmentsRepository } from './repository.js';
import type { Shipment } from './schemas.js';

export function createShipmentService(deps: { shipments: Pick<ShipmentsRepository, 'list'> }) {
  return {
    /** Shipments from or to a party: an operator's own, any party's for regulators, who also see those of nothing. */
    async list(
      principal: Principal,
      filter: { partyCode?: string; status?: Shipment['status']; limit: number; offset: number },
    ): Promise<Shipment[]> {
      const partyCode = partyFilter(principal, filter.partyCode, 'shipments');
      const rows = await deps.shipments.list({ ...filter, partyCode, ofNothing: listsShipmentsOfNothing(principal) });
      return rows.map((row) => ({
        ...row,
        status: row.status as Shipment['status'],
        lines: row.lines.map(({ lotCode, quantity, receivedQuantity }) => ({ lotCode, quantity, receivedQuantity })),
      }));
    },
  };
}

export type ShipmentService = ReturnType<typeof createShipmentService>;
