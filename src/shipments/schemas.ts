import { z } from 'zod';
import { serviceCodeFilter } from '../codes/service-codes.js';
import { queryInteger } from '../http/query.js';

export const SHIPMENT_STATUSES = ['open', 'received', 'cancelled'] as const;

export const shipmentSchema = z
  .object({
    id: z.string(),
    shipEventId: z.string(),
    fromPartyCode: z.string(),
    fromLocationCode: z.string().nullable(),
    toPartyCode: z.string(),
    toLocationCode: z.string().nullable(),
    status: z.enum(SHIPMENT_STATUSES),
    shippedAt: z.date(),
    receiveEventId: z.string().nullable(),
    receivedAt: z.date().nullable(),
    lines: z.array(z.object({ lotCode: z.string(), quantity: z.number(), receivedQuantity: z.number().nullable() })),
  })
  .meta({ id: 'Shipment' });
export type Shipment = z.infer<typeof shipmentSchema>;

export const listShipmentsQuery = z.object({
  partyCode: serviceCodeFilter('party'),
  status: z.enum(SHIPMENT_STATUSES).optional(),
  limit: queryInteger(1, 1000).prefault(100),
  offset: queryInteger(0).prefault(0),
});
