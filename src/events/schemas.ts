import { z } from 'zod';
import { isValidEarTag } from '../codes/china.js';
import { isValidSscc } from '../codes/gs1.js';
import { freeTextSchema, nameSchema, refuseControls, refuseControlsInLine, refuseInvisible, withNamesAsKeys } from '../codes/names.js';
import { mistypedCodeCheck, normalizeCode, plainIdentifier, plainIdentifierSchema, serviceCodeField } from '../codes/service-codes.js';
import { dateSchema, timestampSchema } from '../codes/timestamp.js';
import { idSchema } from '../codes/uuid.js';
import { TRANSFORMATION_KINDS } from '../lots/ledger.js';
import { UNITS } from '../products/schemas.js';

// CBV 2.0 vocabularies; a URI (anything with a colon) is accepted as a custom value, as
// EPCIS allows, e.g. slaughter/curing steps of a livestock profile.
const CBV_BIZ_STEPS = [
  'accepting',
  'arriving',
  'assembling',
  'collecting',
  'commissioning',
  'consigning',
  'creating_class_instance',
  'cycle_counting',
  'decommissioning',
  'departing',
  'destroying',
  'disassembling',
  'dispensing',
  'encoding',
  'entering_exiting',
  'holding',
  'inspecting',
  'installing',
  'killing',
  'loading',
  'other',
  'packing',
  'picking',
  'receiving',
  'removing',
  'repackaging',
  'repairing',
  'replacing',
  'reserving',
  'retail_selling',
  'sampling',
  'sensor_reporting',
  'shipping',
  'staging_outbound',
  'stock_taking',
  'stocking',
  'storing',
  'transporting',
  'unloading',
  'unpacking',
  'void_shipping',
] as const;
const CBV_DISPOSITIONS = [
  'active',
  'available',
  'completeness_inferred',
  'completeness_verified',
  'conformant',
  'container_closed',
  'container_open',
  'damaged',
  'destroyed',
  'dispensed',
  'disposed',
  'encoded',
  'expired',
  'in_progress',
  'in_transit',
  'inactive',
  'mismatch_class',
  'mismatch_instance',
  'mismatch_quantity',
  'needs_replacement',
  'no_pedigree_match',
  'non_conformant',
  'non_sellable_other',
  'partially_dispensed',
  'recalled',
  'reserved',
  'retail_sold',
  'returned',
  'sellable_accessible',
  'sellable_not_accessible',
  'stolen',
  'unavailable',
  'unknown',
] as const;

const isUri = (value: string) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(value);
/** The longest URI the service takes (a custom bizStep or disposition also in UTF-8 bytes), and any URI an EPCIS event names (ASCII). */
export const MAX_URI_LENGTH = 2000;

/** GET /events newest first pages by (eventTime, id): its page tokens say so. */
export const EVENT_LIST_ORDER = 'eventTime';
const vocabulary = (values: readonly string[], what: string) =>
  z
    .string()
    .max(MAX_URI_LENGTH)
    // in bytes too: the EPCIS value lists index each value, and an index entry holds some 2,700 bytes
    .refine((value) => Buffer.byteLength(value) <= MAX_URI_LENGTH, { error: `must be at most ${MAX_URI_LENGTH} bytes in UTF-8` })
    .refine((value) => values.includes(value) || isUri(value), {
      error: `must be a CBV 2.0 ${what} (e.g. ${values[0]}) or a URI`,
    });

export const EVENT_TYPES = [
  'commission',
  'transform',
  'aggregate',
  'disaggregate',
  'ship',
  'receive',
  'inspect',
  'observe',
  'destroy',
  'sell',
  'correction',
  'hold',
  'release',
  'recall',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The documents an event may cite; src/web/i18n/document-types.ts names each on the pages. */
export const REFERENCE_DOCUMENT_TYPES = [
  'quarantine_certificate',
  'meat_quality_certificate',
  'commitment_certificate',
  'clenbuterol_test',
  'test_report',
  'despatch_advice',
  'invoice',
  'purchase_order',
  'receiving_advice',
  'recall_notice',
  'other',
] as const;

/** A code of these kinds in an event; a mistyped one is a 400 at its field. */
const code = (...kinds: Parameters<typeof serviceCodeField>) =>
  serviceCodeField(...kinds)
    .min(1)
    .max(64);
const partyCode = code('party');
const locationCode = code('location');
/**
 * A lot or container as a native event names it: its code (read as a code is), an SSCC or its Digital Link, or
 * PARTYCODE:LOTNUMBER (as typed but for full-width characters: a lot number's case matters); resolved as
 * /trace/{code} resolves them (see src/events/lot-names.ts).
 */
const lotCode = z
  .string()
  .overwrite((value) => {
    const plain = plainIdentifier(value).trim();
    return plain.includes(':') ? plain : normalizeCode(value);
  })
  .min(1)
  .max(200)
  .check(mistypedCodeCheck('lot', 'container'))
  .describe('a lot or container code, an SSCC or PARTYCODE:LOTNUMBER');
const positiveQuantity = z.number().positive().max(1e12);

const common = {
  eventTime: timestampSchema.describe('when it happened, ISO 8601 with offset, e.g. 2026-11-02T08:30:00+08:00; never in the future'),
  bizStep: vocabulary(CBV_BIZ_STEPS, 'business step').optional(),
  disposition: vocabulary(CBV_DISPOSITIONS, 'disposition').optional(),
  readPoint: locationCode.optional().describe('location code where it was observed'),
  bizLocation: locationCode.optional().describe('location code where the goods are afterwards'),
  referenceDocuments: z
    .array(z.object({ type: z.enum(REFERENCE_DOCUMENT_TYPES), number: freeTextSchema(100).min(1) }))
    .max(50)
    .optional(),
};

const lotAttributesSchema = withNamesAsKeys(
  z
    .object({
      earTags: z
        .array(z.string().refine(isValidEarTag, { error: 'must be a 15-digit ear tag: species + county code + serial' }))
        .max(100_000)
        .optional(),
      quarantineCertificate: freeTextSchema(100).optional(),
      meatQualityCertificate: freeTextSchema(100).optional(),
      commitmentCertificate: freeTextSchema(100).optional(),
    })
    // a party's own attributes, kept as written but for control and bidi characters (checked beside the
    // union, so a refusal names the character rather than every type the value is not), under names
    // held to the rule for names
    .catchall(z.union([z.string().max(1000), z.number(), z.boolean(), z.array(z.string().max(100)).max(1000)]).check(refuseControls)),
);

const newLotSchema = z.object({
  productCode: code('product'),
  lotNumber: plainIdentifierSchema
    .trim()
    .min(1)
    .max(64)
    .check(refuseInvisible)
    .optional()
    .describe("the party's own lot number (生产批号), unique per party; full-width letters and digits are stored as ASCII"),
  quantity: positiveQuantity,
  unit: z.enum(UNITS).optional().describe("the product's unit, which it defaults to; another is refused (422 unit-mismatch)"),
  productionDate: dateSchema.optional(),
  expiryDate: dateSchema.optional(),
  originLocationCode: locationCode.optional(),
  attributes: lotAttributesSchema.optional(),
});

const quantityLine = z.object({
  lotCode,
  quantity: positiveQuantity.optional().describe('defaults to everything the acting party holds'),
});

const commission = z.object({ type: z.literal('commission'), ...common, lots: z.array(newLotSchema).min(1).max(1000) });
const transform = z.object({
  type: z.literal('transform'),
  ...common,
  process: z
    .object({
      kind: z.enum(TRANSFORMATION_KINDS),
      parameters: withNamesAsKeys(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).check(refuseControls))).optional(),
    })
    .optional(),
  inputs: z
    .array(z.object({ lotCode, quantity: positiveQuantity }))
    .min(1)
    .max(1000),
  outputs: z.array(newLotSchema).min(1).max(1000),
});
const aggregate = z.object({
  type: z.literal('aggregate'),
  ...common,
  parent: z
    .object({
      containerCode: lotCode.optional().describe('an existing container'),
      sscc: z.string().refine(isValidSscc, { error: 'must be an 18-digit SSCC with a valid check digit' }).optional(),
    })
    .describe('omit both to have a container code issued'),
  children: z.array(quantityLine).max(10_000).default([]).describe('lots or containers'),
  itemCodes: z.array(code('item')).max(10_000).optional().describe('serialized packs (一物一码), counted against their lots'),
});
const disaggregate = z.object({
  type: z.literal('disaggregate'),
  ...common,
  parentCode: lotCode,
  // an empty list would record the container opened with nothing taken out of it
  children: z.array(lotCode).min(1).max(10_000).optional().describe('defaults to every current content'),
});
const ship = z.object({
  type: z.literal('ship'),
  ...common,
  toPartyCode: partyCode,
  toLocationCode: locationCode.optional(),
  fromLocationCode: locationCode.optional(),
  lines: z.array(quantityLine).min(1).max(10_000).describe('lots or containers (a container ships with its contents)'),
});
const receive = z.object({
  type: z.literal('receive'),
  ...common,
  shipmentId: idSchema.min(1).max(64),
  lines: z
    .array(z.object({ lotCode, quantity: z.number().min(0).max(1e12) }))
    .max(10_000)
    .optional()
    .describe('received quantities; defaults to everything shipped and not yet received'),
  partial: z
    .boolean()
    .optional()
    .describe('receive only the lines given (a container with its contents); the rest stays in transit until received'),
});
/** An inspection's kind, result and findings: a native inspect's `inspection`, an EPCIS inspection's `cntrace:inspection`. */
export const inspectionSchema = z
  .object({
    kind: z
      .enum(['self', 'rapid', 'sampling', 'third_party'])
      .describe(
        'recorded by: third_party a lab, sampling (official, 抽样) a regulator, self the lot’s owner or holder, rapid any that may test it',
      ),
    labPartyCode: partyCode.optional().describe('third_party: the recording lab (omitted: it); sampling: the lab that tested the sample'),
    result: z.enum(['pass', 'fail']),
    reportNumber: freeTextSchema(100).optional(),
    sampleSize: z.number().int().positive().optional(),
    items: z
      .array(
        z.object({
          name: nameSchema(200).describe('what was tested, shown on the pack page: 瘦肉精, 亚硝酸盐'),
          value: z
            .union([z.number(), z.string().trim().max(100)])
            .check(refuseControlsInLine)
            .optional(),
          unit: freeTextSchema(20).optional(),
          limit: freeTextSchema(100).optional(),
          result: z.enum(['pass', 'fail']),
        }),
      )
      .max(200)
      .optional(),
  })
  // a lot that failed one test did not pass: the pass rates, the anomalies and the pack page read `result`
  .superRefine((inspection, context) => {
    const failed = inspection.items?.filter((item) => item.result === 'fail') ?? [];
    if (inspection.result === 'pass' && failed.length > 0)
      context.addIssue({
        code: 'custom',
        path: ['result'],
        message: `cannot be pass while an item failed (${[...new Set(failed.map((item) => item.name))].join(', ')}): the inspection's result is fail`,
      });
  });
const inspect = z.object({
  type: z.literal('inspect'),
  ...common,
  lotCodes: z.array(lotCode).min(1).max(1000),
  inspection: inspectionSchema,
});
const readingTime = timestampSchema.optional().describe('when it was read, ISO 8601 with offset; never in the future');
const observe = z.object({
  type: z.literal('observe'),
  ...common,
  lotCodes: z.array(lotCode).min(1).max(10_000),
  readings: z
    .array(
      // each kind in its own unit: the consumer page's cold chain reads temperatures in °C, and EPCIS
      // exports a humidity as RelativeHumidity whatever unit it came in
      z.discriminatedUnion('type', [
        z.object({
          type: z.literal('temperature'),
          value: z.number().min(-100).max(200),
          unit: z.literal('Cel').describe('UN/CEFACT Cel: °C'),
          time: readingTime,
        }),
        z.object({
          type: z.literal('humidity'),
          value: z.number().min(0).max(100),
          unit: z.literal('P1').describe('UN/CEFACT P1: percent relative humidity'),
          time: readingTime,
        }),
      ]),
    )
    .max(10_000)
    .optional(),
});
const destroy = z.object({
  type: z.literal('destroy'),
  ...common,
  reason: freeTextSchema(500, { lines: 'many' }).min(1),
  lines: z.array(quantityLine).min(1).max(1000),
});
const sell = z.object({
  type: z.literal('sell'),
  ...common,
  buyer: freeTextSchema(200).optional(),
  lines: z.array(quantityLine).min(1).max(1000),
});

const primaryEvents = [commission, transform, aggregate, disaggregate, ship, receive, inspect, observe, destroy, sell] as const;
export const primaryEventInput = z.discriminatedUnion('type', primaryEvents);
export type PrimaryEventInput = z.infer<typeof primaryEventInput>;

const correction = z.object({
  type: z.literal('correction'),
  eventTime: common.eventTime,
  correctsEventId: idSchema.min(1).max(200),
  reason: freeTextSchema(500, { lines: 'many' }).min(1),
  replacement: primaryEventInput
    .optional()
    .describe('the event as it should have been; lots it creates keep the codes of the lots the corrected event created'),
});

export const eventInput = z.discriminatedUnion('type', [...primaryEvents, correction]).meta({ id: 'NewEvent' });
export type EventInput = z.infer<typeof eventInput>;

const eventLotRoles = ['subject', 'input', 'output', 'parent', 'child'] as const;

export const eventSchema = z
  .object({
    id: z.string(),
    type: z.enum(EVENT_TYPES),
    eventTime: z.date(),
    eventTimeZoneOffset: z.string(),
    recordTime: z.date(),
    partyCode: z.string().describe('acting party'),
    bizStep: z.string(),
    disposition: z.string().nullable(),
    readPoint: z.string().nullable(),
    bizLocation: z.string().nullable(),
    referenceDocuments: z.array(z.object({ type: z.string(), number: z.string() })),
    lots: z.array(z.object({ lotCode: z.string(), role: z.enum(eventLotRoles), quantity: z.number().nullable() })),
    details: z.record(z.string(), z.unknown()).describe('type-specific what / how: process, inspection, readings…'),
    correctsEventId: z.string().nullable(),
    declaredInErrorBy: z.string().nullable().describe('the correction event that declared this event in error'),
  })
  .meta({ id: 'Event' });
export type EventView = z.infer<typeof eventSchema>;
