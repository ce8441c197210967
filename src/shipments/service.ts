import { type Principal, partyFilter, seesShipmentLinesOfNothing, shipmentLinesShownTo } from '../access/index.js';
import { eventIdOfKey } from '../gs1/event-id.js';
import { encodeListPageToken, type ListPageToken, listPage } from '../http/page-token.js';
import type { ShipmentsRepository } from './repository.js';
import { SHIPMENT_LIST_ORDER, type Shipment } from './schemas.js';

export function createShipmentService(deps: { shipments: Pick<ShipmentsRepository, 'list'> }) {
  return {
    /**
     * A page of the shipments from or to a party, newest first, and the token of the next page when a
     * further shipment exists: an operator's own, without lines of 0 or shipments of nothing else; any
     * party's for regulators, with every line. The token carries the filters as asked, never the scope
     * read from the principal: each page is scoped again by who asks for it.
     */
    async list(
      principal: Principal,
      query: { partyCode?: string; status?: Shipment['status']; limit: number; offset: number; pageToken?: ListPageToken },
    ): Promise<{ items: Shipment[]; next?: string }> {
      const { pageToken, limit, offset, ...filter } = query;
      const partyCode = partyFilter(principal, filter.partyCode, 'shipments');
      const rows = await deps.shipments.list({
        ...filter,
        partyCode,
        ofNothing: seesShipmentLinesOfNothing(principal),
        limit: limit + 1,
        offset,
        after: pageToken?.after,
      });
      return listPage(
        rows,
        limit,
        (row) => row.id,
        (last) => encodeListPageToken(SHIPMENT_LIST_ORDER, filter, last),
        ({ sortInstant, ...row }) => ({
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
        }),
      );
    },
  };
}

export type ShipmentService = ReturnType<typeof createShipmentService>;
