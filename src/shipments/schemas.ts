import { z } from 'zod';
import { serviceCodeFilter } from '../codes/service-codes.js';
import { uuidSchema } from '../codes/uuid.js';
import { checkListPaging, listPageTokenSchema } from '../http/page-token.js';
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

/** GET /shipments pages newest first by (shippedAt, id): its page tokens say so. */
export const SHIPMENT_LIST_ORDER = 'shippedAt';

export const listShipmentsQuery = z
  .object({
    partyCode: serviceCodeFilter('party'),
    status: z.enum(SHIPMENT_STATUSES).optional(),
    limit: queryInteger(1, 1000).prefault(100),
    offset: queryInteger(0).prefault(0).describe('the shipments skipped; 0 with a pageToken'),
    pageToken: listPageTokenSchema(SHIPMENT_LIST_ORDER, (id) => uuidSchema.safeParse(id).success)
      .optional()
      .describe('the `next` of the previous page (its Link header), asked with the same filters'),
  })
  .superRefine(({ partyCode, status, ...paging }, context) => checkListPaging(paging, { partyCode, status }, context));
