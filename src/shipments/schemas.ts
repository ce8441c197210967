import { z } from 'zod';
import { serviceCodeFilter } from '../codes/service-codes.js';

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
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
