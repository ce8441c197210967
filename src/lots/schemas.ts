import { z } from 'zod';
import { hasServiceCodeShape, serviceCodeFilter } from '../codes/service-codes.js';
import { checkListPaging, listPageTokenSchema } from '../http/page-token.js';
import { queryInteger } from '../http/query.js';
import { LOT_STATUSES } from './ledger.js';

export const lotSchema = z
  .object({
    code: z.string().describe('unified lot code issued by this service'),
    kind: z.enum(['lot', 'container']),
    partyCode: z.string().describe('owner: the party that created the lot'),
    productCode: z.string().nullable(),
    lotNumber: z.string().nullable().describe("the owner's own lot number"),
    sscc: z.string().nullable(),
    quantity: z.number().describe('quantity created'),
    unit: z.string(),
    productionDate: z.string().nullable(),
    expiryDate: z.string().nullable().describe('use by, or best before when no use-by date is given'),
    sellByDate: z.string().nullable().describe('the last day of sale (GS1 AI 16, EPCIS ilmd sellByDate); no expiry'),
    originLocationCode: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    status: z.enum(LOT_STATUSES),
    createdByEventId: z.string(),
    voidedByEventId: z.string().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'Lot' });
export type Lot = z.infer<typeof lotSchema>;

export const massBalanceSchema = z
  .object({
    produced: z.number(),
    received: z.number(),
    consumed: z.number(),
    shipped: z.number(),
    destroyed: z.number(),
    sold: z.number(),
    onHand: z.number(),
    inTransit: z.number().describe('sent and not yet received'),
    transitLoss: z.number().describe('what arrived short of what was sent'),
    unaccounted: z
      .number()
      .describe(
        'of the whole lot: produced − (consumed + destroyed + sold + onHand + inTransit + transitLoss); of one party’s stock: produced + received − (consumed + destroyed + sold + onHand + inTransit + transitLoss + what its shipments delivered). 0 when the books close',
      ),
  })
  .describe(
    'the lot’s books: to regulators and admins of the whole lot; to an operator, the lot’s owner too, of its own stock (its own ledger rows, and the shipments it sent for inTransit and transitLoss)',
  )
  .meta({ id: 'MassBalance' });

export const lotDetailSchema = lotSchema
  .extend({
    holders: z
      .array(z.object({ partyCode: z.string(), onHand: z.number() }))
      .describe('who holds how much: to regulators and admins every holder, to an operator its own holding'),
    massBalance: massBalanceSchema,
  })
  .meta({ id: 'LotDetail' });

/** GET /lots pages newest first by (createdAt, code): its page tokens say so. */
export const LOT_LIST_ORDER = 'createdAt';

export const listLotsQuery = z
  .object({
    partyCode: serviceCodeFilter('party').describe(
      'owner; an operator may name only its own party (the lots it owns) and without it lists the lots it owns or has held',
    ),
    status: z.enum(LOT_STATUSES).optional(),
    productCode: serviceCodeFilter('product'),
    limit: queryInteger(1, 1000).prefault(100),
    offset: queryInteger(0).prefault(0).describe('the lots skipped; 0 with a pageToken'),
    pageToken: listPageTokenSchema(LOT_LIST_ORDER, (code) => hasServiceCodeShape(code, ['lot', 'container']))
      .optional()
      .describe('the `next` of the previous page (its Link header), asked with the same filters'),
  })
  .superRefine(({ partyCode, status, productCode, ...paging }, context) =>
    checkListPaging(paging, { partyCode, status, productCode }, context),
  );
