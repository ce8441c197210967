import { z } from 'zod';
import { freeTextSchema } from '../codes/names.js';
import { serviceCodeField } from '../codes/service-codes.js';
import { eventSchema } from '../events/schemas.js';
import { queryInteger } from '../http/query.js';
import { RECALL_LEVELS } from './deadlines.js';

/**
 * A lot or container code; a mistyped one is a 400 at its field, a mistyped pack code too (a pack's code
 * is refused at the service, naming its lot: see namedLots).
 */
const lotCode = serviceCodeField('lot', 'container', 'item').min(1).max(64);
/** A reason, a hazard: required, and free text of as many lines as it takes. */
const text = (max: number) => freeTextSchema(max, { lines: 'many' }).min(1);
const quantity = z.number().min(0).max(1e12);

export const holdBody = z.object({
  lotCodes: z.array(lotCode).min(1).max(1000).describe('lots or containers to hold'),
  reason: text(500),
  pendingTest: freeTextSchema(200).optional().describe('the test the hold waits for, e.g. 瘦肉精 复检'),
  downstream: z
    .boolean()
    .optional()
    .describe(
      'also hold every lot downstream of those named that is in circulation (what transformations made of them, through the containers they lie in now, up to 100 steps), in the one hold event; see held, alreadyOnHold, notInCirculation',
    ),
});

const lotList = (what: string) => z.array(z.string()).optional().describe(`with downstream only: ${what}`);
export const holdSchema = eventSchema
  .extend({
    held: lotList('the lots this hold put on hold (a regulator taking over an owner’s hold among them)'),
    alreadyOnHold: lotList('lots reached that were on hold already, left as they are'),
    notInCirculation: lotList('lots reached that have ended (consumed, sold, destroyed), are recalled or voided: nothing to hold'),
    othersInCirculation: z
      .number()
      .int()
      .optional()
      .describe(
        'with downstream only: lots in circulation downstream that another party owns, which an owner’s hold leaves alone (counted, not named); 0 for a regulator, which holds them',
      ),
  })
  .meta({ id: 'Hold' });
export type HoldView = z.infer<typeof holdSchema>;
export const releaseBody = z.object({ lotCodes: z.array(lotCode).min(1).max(1000), reason: text(500) });

export const releaseSchema = eventSchema
  .extend({
    notHeld: z
      .array(z.string())
      .describe(
        'the lots named that were not on hold, left as they are (the release event names only those it released; they are also its `details.notHeldLotCodes`)',
      ),
  })
  .meta({ id: 'Release' });
export type ReleaseView = z.infer<typeof releaseSchema>;

export const openRecallBody = z.object({
  lotCodes: z.array(lotCode).min(1).max(100).describe('the lots the recall starts from; everything made from them is in its scope'),
  level: z
    .union(
      RECALL_LEVELS.map((level) => z.literal(level)),
      { error: 'must be 1 (一级), 2 (二级) or 3 (三级)' },
    )
    .describe('1 一级 (start within 24 h, finish in 10 working days), 2 二级 (48 h / 20), 3 三级 (72 h / 30)'),
  reason: text(500),
  hazard: text(2000).describe('the hazard: what is wrong and what harm it may do'),
});

export const recallReportBody = z.object({
  lines: z
    .array(z.object({ lotCode, returned: quantity.default(0), destroyed: quantity.default(0) }))
    .max(10_000)
    .default([])
    .describe('quantities returned or destroyed since the last report; none to acknowledge only'),
  note: freeTextSchema(2000, { lines: 'many' }).optional(),
});

// a close that needs no override is sent with no body, or an empty object
export const closeRecallBody = z
  .object({
    overrideReason: text(2000)
      .optional()
      .describe(
        'a regulator closing before the recall is done (every holder acknowledged, every return reported destroyed) says why; refused otherwise',
      ),
  })
  .nullish();

export const recallListQuery = z.object({
  status: z.enum(['open', 'closed']).optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .describe('true: only open recalls past a due time; false: only the others (closed, or open and within their due times)'),
  limit: queryInteger(1, 1000).prefault(100),
  offset: queryInteger(0).prefault(0),
});

const WHOLE_RECALL_ONLY =
  'for regulators, admins and the party that opened the recall; null to any other holder, which sees its own line in holderDetails';

const progressSchema = z.object({
  share: z
    .number()
    .describe(
      'recovered (returned + destroyed) ÷ affected to three decimal places, rounded down (1 only when all is recovered), and at least 0.001 once anything is; with several units, the mean of their shares',
    ),
  byUnit: z
    .array(z.object({ unit: z.string(), affected: z.number(), recovered: z.number(), share: z.number() }))
    .describe(
      'per unit of the product: a container (a case, a pallet) is no unit of its own, its contents count through the lots packed in it; only when the scope holds no product are its containers counted, each one of unit container',
    ),
});

const disposalSchema = z.object({
  share: z
    .number()
    .describe(
      'destroyed ÷ recovered to three decimal places, rounded down (1 only when all is destroyed, or nothing is recovered yet); with several units, the mean of their shares',
    ),
  byUnit: z
    .array(z.object({ unit: z.string(), recovered: z.number(), destroyed: z.number(), share: z.number() }))
    .describe(
      'per unit as progress counts them: recovered from the market (returned + destroyed), and of it destroyed, where it was held or by the party it was returned to',
    ),
});

export const recallSummarySchema = z
  .object({
    id: z.string(),
    partyCode: z.string().describe('the party that opened it: a regulator party or the producer'),
    level: z.number().int(),
    reason: z.string(),
    hazard: z.string(),
    rootLotCodes: z.array(z.string()),
    status: z.enum(['open', 'closed']),
    openedAt: z.date(),
    startDueAt: z.date(),
    finishDueAt: z.date(),
    startedAt: z.date().nullable().describe('the first holder acknowledgement'),
    closedAt: z.date().nullable(),
    closedBy: z
      .object({ partyCode: z.string(), name: z.string() })
      .nullable()
      .describe(
        'the party the closing is recorded under: the regulator or producer that closed it (an admin closes it under the party that opened it)',
      ),
    openedBy: z.object({ partyCode: z.string(), name: z.string() }).describe('the party that opened it (partyCode), with its name'),
    overrideReason: z.string().nullable(),
    overdue: z.array(z.enum(['start', 'finish'])),
    holders: z.number().int().nullable().describe(WHOLE_RECALL_ONLY),
    acknowledged: z.number().int().nullable().describe(WHOLE_RECALL_ONLY),
    progress: progressSchema.describe(
      'recovered from the market: of every holder to regulators, admins and the party that opened the recall; of its own holding to any other holder',
    ),
    disposal: disposalSchema.describe(
      'disposed of (destroyed) of what was recovered, to the same readers as progress: recalled stock is taken back and destroyed',
    ),
  })
  .meta({ id: 'RecallSummary' });

const holderSchema = z.object({
  partyCode: z.string(),
  name: z.string(),
  kind: z.string(),
  address: z.string().nullable().describe('null unless the caller may see it, as in the party directory'),
  contact: z
    .object({ person: z.string().optional(), phone: z.string().optional(), email: z.string().optional() })
    .nullable()
    .describe('as recorded when the recall opened; null unless the caller may see it, as in the party directory'),
  acknowledgedAt: z.date().nullable(),
  lines: z.array(z.object({ lotCode: z.string(), unit: z.string(), affected: z.number(), returned: z.number(), destroyed: z.number() })),
});

export const recallSchema = recallSummarySchema
  .extend({
    eventId: z.string(),
    closeEventId: z.string().nullable(),
    scope: z
      .object({ lots: z.number().int(), containers: z.number().int(), items: z.number().int() })
      .nullable()
      .describe(`the lots, containers and pack codes the recall reached: ${WHOLE_RECALL_ONLY}`),
    holderDetails: z.array(holderSchema).describe('an operator sees its own line only, or every line of a recall it opened'),
    returns: z
      .array(
        z.object({
          partyCode: z.string().describe('the party it was returned to (the maker, or the packer of a recalled container)'),
          name: z.string(),
          lotCode: z.string().describe('a lot or container, or a lot packed in a container, as the return shipment carried it'),
          unit: z.string(),
          sent: z.number().describe('sent back to it by holders’ reports under the recall'),
          received: z.number().describe('booked in by that party (0 while on its way)'),
          destroyed: z
            .number()
            .describe(
              'of what it received, destroyed by that party while the recall was open: reported under the recall, or by a destroy event after its receipt',
            ),
          lost: z.number().describe('lost in transit: sent − received of the lines its receipt took (received short, or at 0)'),
        }),
      )
      .describe(
        'stock returned under the recall, per party it went back to and lot: sent − lost − destroyed is returned and not yet disposed of (on its way, or received and not destroyed); an operator sees what was returned to it only, or all of a recall it opened',
      ),
    soldBeforeRecall: z
      .object({
        lots: z
          .array(z.object({ lotCode: z.string(), unit: z.string(), quantity: z.number() }))
          .describe('per lot of the scope that had sold any: what it had sold'),
        total: z.array(z.object({ unit: z.string(), quantity: z.number() })).describe('summed per unit'),
      })
      .nullable()
      .describe(
        `what the scope's lots had sold to consumers (sell events) before the recall opened, by event time: stock no return will bring back; ${WHOLE_RECALL_ONLY}`,
      ),
    scans: z
      .number()
      .int()
      .nullable()
      .describe(
        `consumer scans of the scope's pack codes stored since the recall opened (packs still in people's hands); ${WHOLE_RECALL_ONLY}`,
      ),
  })
  .meta({ id: 'Recall' });

export const recallReportSchema = z
  .object({
    recall: recallSchema,
    lots: z
      .array(
        z.object({
          code: z.string(),
          kind: z.string(),
          partyCode: z.string(),
          product: z.string().nullable(),
          lotNumber: z.string().nullable(),
          depth: z.number().int(),
          itemCount: z
            .number()
            .int()
            .nullable()
            .describe('pack codes issued for it; null to a holder that did not open the recall, for a lot it does not own'),
          status: z.string(),
        }),
      )
      .describe(
        'every lot and container the recall reached, to regulators, admins and the party that opened it; to any other holder those it was recorded holding',
      ),
    actions: z.array(
      z.object({
        partyCode: z.string(),
        keyId: z.string(),
        lotCode: z.string().nullable(),
        returned: z.number(),
        destroyed: z.number(),
        note: z.string().nullable(),
        reportedAt: z.date(),
      }),
    ),
    generatedAt: z.date(),
  })
  .meta({ id: 'RecallReport' });

export type RecallSummary = z.infer<typeof recallSummarySchema>;
export type RecallView = z.infer<typeof recallSchema>;
export type RecallReport = z.infer<typeof recallReportSchema>;
