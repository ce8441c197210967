import { z } from 'zod';
import { freeTextSchema, nameSchema } from '../codes/names.js';
import { isListedRegion } from '../codes/regions.js';
import { serviceCodeField, serviceCodeFilter } from '../codes/service-codes.js';
import { dateSchema } from '../codes/timestamp.js';
import { CERTIFICATION_TYPES, eachOnce } from '../registrations/schemas.js';
import { REPORT_MAX_DAYS } from './report.js';
import { AUTHORIZATION_STATES, BRAND_KINDS, TIERS } from './standing.js';

const name = nameSchema(100);
/** A member's party code: at most 32 characters as typed, then read as every party code is; a mistyped or blank one is a 400. */
export const memberPartyCode = z
  .string()
  .max(32)
  .pipe(serviceCodeField('party').min(1, { error: 'required: the party whose authorization this is' }));
/** A listing's member filter: left out, empty or blank it filters nothing; mistyped, a 400. */
export const memberPartyFilter = z.string().max(32).optional().pipe(serviceCodeFilter('party'));
const reason = freeTextSchema(1000, { lines: 'many' }).min(1).describe('why: recorded with the change and shown in its history');

export const brandCodeParams = z.object({
  // read as every code in a request is: trimmed and in upper case
  code: z
    .string()
    .max(64)
    .trim()
    .toUpperCase()
    // a check, not a pattern: the OpenAPI document must not refuse what is read in upper case
    .refine((code) => /^[A-Z0-9][A-Z0-9-]{1,31}$/.test(code), {
      error: 'a brand code is 2–32 capital letters, digits and hyphens, e.g. FSHP',
    })
    .describe('2–32 capital letters, digits and hyphens, e.g. FSHP (read trimmed and in upper case)'),
});

export const createBrandBody = z.object({
  code: brandCodeParams.shape.code,
  kind: z
    .enum(BRAND_KINDS)
    .describe('regional: a regional public brand (奉上好品); gi: a geographical-indication mark (奉节腊肉); enterprise'),
  nameZh: name,
  nameEn: name,
  ownerPartyCode: z
    .string()
    .max(32)
    .pipe(serviceCodeField('party').min(1, { error: 'must name a party; leave it out for a brand no party owns' }))
    .optional()
    .describe('the party owning the brand, if any (an enterprise brand has one)'),
  regionCode: z
    .string()
    .trim()
    .refine((area) => /^\d{2}(\d{2}){0,2}$/.test(area) && isListedRegion(area), {
      error: 'must be a GB/T 2260 region code or its prefix (2 digits a province, 4 a city, 6 a county) listed in GB/T 2260, e.g. 500236',
    })
    .optional()
    .describe(
      "the brand's area: a GB/T 2260 code or its prefix, e.g. 500236 (奉节县). Required for a regional or GI brand, which admits only parties registered within it",
    ),
  products: z
    // a GTIN is digits: read like a product code, trimmed and upper-cased, it is the GTIN typed
    .array(z.string().max(32).pipe(serviceCodeField('product')))
    .max(500)
    .default([])
    .describe(
      'product codes or GTINs the brand covers; only a party admitted to the brand may issue item codes for them, for lots it made while admitted',
    ),
});
export type CreateBrandInput = z.infer<typeof createBrandBody>;

export const addProductsBody = z.object({ products: createBrandBody.shape.products.unwrap().min(1) });

/** A certification the member showed to be admitted (绿色食品, 有机产品, GI use permit: the types an application to join declares). */
const evidenceItem = z.object({
  type: z.enum(CERTIFICATION_TYPES),
  number: freeTextSchema(64).min(1).describe("the certificate's number"),
  issuer: freeTextSchema(200).min(1).optional().describe('who issued it'),
  validUntil: dateSchema.optional().describe('its last valid day'),
});

export const admitBody = z
  .object({
    partyCode: memberPartyCode,
    tier: z.enum(TIERS).describe('head (at most 5 per brand), backbone (at most 20), authorized (any number)'),
    validFrom: dateSchema.describe(
      "the day of admission: from the brand's registration day (China time) to a year after today, else a 422 at /validFrom naming the bound; after an exit, no earlier than the exit's day",
    ),
    validUntil: dateSchema.optional().describe('the last day the authorization is valid; open-ended when left out'),
    reason,
    evidence: z
      .array(evidenceItem)
      .max(10)
      .superRefine(eachOnce)
      .default([])
      .describe(
        "the certifications the member showed, each once, each one it declared (type and number) on an approved application to join and valid on validFrom, else a 422 at its number; kept with the authorization and covered by its admission's audit entry",
      ),
    evidenceNote: freeTextSchema(1000, { lines: 'many' })
      .min(1)
      .optional()
      .describe('what the office noted of the evidence (where the copies are kept, say)'),
  })
  .refine((body) => body.validUntil === undefined || body.validFrom <= body.validUntil, {
    error: 'validUntil must not precede validFrom',
    path: ['validUntil'],
  })
  // a certificate that ended before the admission begins does not support it
  .superRefine((body, context) => {
    for (const [index, item] of body.evidence.entries()) {
      if (item.validUntil !== undefined && item.validUntil < body.validFrom) {
        context.addIssue({
          code: 'custom',
          message: `ended before the admission begins (${body.validFrom})`,
          path: ['evidence', index, 'validUntil'],
        });
      }
    }
  });
type Admission = z.infer<typeof admitBody>;
/** An admission as the service takes it: with no evidence, none was shown. */
export type AdmitInput = Omit<Admission, 'evidence'> & Partial<Pick<Admission, 'evidence'>>;

export const changeBody = z.object({
  state: z.enum(AUTHORIZATION_STATES).describe('suspended, exited, or admitted again after a suspension (reinstatement)'),
  effectiveOn: dateSchema.optional().describe('the day the change takes effect; today (China time) when left out'),
  reason,
});

export const brandSchema = z
  .object({
    code: z.string(),
    kind: z.enum(BRAND_KINDS),
    nameZh: z.string(),
    nameEn: z.string(),
    ownerPartyCode: z.string().nullable(),
    regionCode: z
      .string()
      .nullable()
      .describe(
        'the area whose parties a regional or GI brand admits (a GB/T 2260 code or its prefix); null for one registered before areas were kept',
      ),
    products: z.array(z.object({ productCode: z.string(), partyCode: z.string() })),
    createdAt: z.date(),
  })
  .meta({ id: 'Brand' });
export type Brand = z.infer<typeof brandSchema>;

const authorizationChangeSchema = z.object({
  fromState: z.enum(AUTHORIZATION_STATES).nullable(),
  toState: z.enum(AUTHORIZATION_STATES),
  effectiveOn: z.string(),
  reason: z.string(),
  disposalDeadline: z.string().nullable(),
  recordedAt: z.date(),
  keyId: z.string().optional().describe('the API key that made the change (to brand offices, regulators and admins only)'),
  keyLabel: z.string().nullable().optional().describe("that key's label, when it has one (as keyId)"),
});

export const authorizationSchema = z
  .object({
    id: z.string(),
    brandCode: z.string(),
    partyCode: z.string(),
    tier: z.enum(TIERS),
    validFrom: z.string(),
    validUntil: z.string().nullable(),
    state: z
      .enum([...AUTHORIZATION_STATES, 'expired'])
      .describe(
        'expired: past its validUntil (its last day) without having exited within it; no longer a member, holding no place in its tier',
      ),
    stateSince: z.string().describe('the day the state took effect (for expired, the day after validUntil)'),
    disposalDeadline: z.string().nullable().describe('set on suspension or exit: brand-labelled stock is to be gone by this day'),
    evidence: z
      .array(
        z.object({
          type: z.enum(CERTIFICATION_TYPES),
          number: z.string(),
          issuer: z.string().optional(),
          validUntil: z.string().optional(),
        }),
      )
      .describe('the certifications the member showed to be admitted, as the office recorded them'),
    evidenceNote: z.string().nullable().describe("the office's note on that evidence"),
    history: z.array(authorizationChangeSchema).describe('every change of state, oldest first'),
  })
  .meta({ id: 'BrandAuthorization' });
export type Authorization = z.infer<typeof authorizationSchema>;

export const disposalSchema = z.object({
  partyCode: z.string(),
  partyName: z.string(),
  state: z
    .enum(['suspended', 'exited', 'expired'])
    .describe("as in the members list: expired, a suspension that ran past the authorization's last day (its deadline stands)"),
  since: z.string(),
  deadline: z.string(),
  onHand: z
    .array(z.object({ quantity: z.number(), unit: z.string() }))
    .describe(
      'what the party still holds now of lots held to the brand (of its products, made while their owner was admitted), per unit (from the lot ledger)',
    ),
  status: z.enum(['disposing', 'cleared', 'overdue']).describe('cleared: nothing left; overdue: stock left after the deadline'),
  overdue: z.boolean(),
});

export const reportQuery = z.object({
  from: dateSchema.describe('first day of the period (China time), e.g. 2026-01-01: lots produced on it count'),
  to: dateSchema.describe(
    `last day of the period, included; not before from, and at most ${REPORT_MAX_DAYS} days from it (a later one is a 422 at /querystring/to)`,
  ),
});

const reportTotals = {
  lots: z.number().int().describe('lots produced in the period that carried the badge as of asOf'),
  quantities: z.array(z.object({ unit: z.string(), quantity: z.number() })).describe('the lots’ quantities summed per unit'),
  packsIssued: z
    .number()
    .int()
    .describe('item codes (一物一码) issued for the lots within the period: by code jobs that finished on one of its days'),
  packsScanned: z.number().int().describe('of them, those scanned at least once within the period'),
  scans: z
    .number()
    .int()
    .describe('the counted consumer scans of them made within the period (a reload within ten minutes is no new scan)'),
};

export const reportSchema = z
  .object({
    brandCode: z.string(),
    from: z.string(),
    to: z.string(),
    asOf: z
      .string()
      .describe(
        "the day (China time) the members' states and the badges are judged on: the period's last day, or today while the period has not ended",
      ),
    members: z
      .array(
        z.object({
          partyCode: z.string(),
          partyName: z.string(),
          state: z.enum([...AUTHORIZATION_STATES, 'expired']).describe("the member's state as of asOf, as the members list showed it then"),
          lots: z
            .array(
              z.object({
                lotCode: z.string(),
                lotNumber: z.string().nullable().describe("the maker's own lot number (批号); null when it gave none"),
                productCode: z.string(),
                productName: z.string(),
                producedOn: z.string().describe('its production day (its recording day, China time, when it has none)'),
                quantity: z.number(),
                unit: z.string(),
                packsIssued: reportTotals.packsIssued,
                packsScanned: reportTotals.packsScanned,
                scans: reportTotals.scans,
              }),
            )
            .describe('its lots produced in the period that carried the badge as of asOf; empty when it made none'),
          totals: z.object(reportTotals),
        }),
      )
      .describe('every party that was a member during the period (admitted on any of its days up to asOf), by party code'),
    totals: z.object({
      members: z.number().int().describe('the members listed: those of the period, with lots or not'),
      ...reportTotals,
    }),
  })
  .meta({ id: 'BrandReport' });
export const memberCredentialsSchema = z
  .object({
    partyCode: z.string(),
    items: z.array(
      z.object({
        category: z.enum(['certification', 'licence']),
        type: z.string().describe('green_food, organic, gi_use_permit; sc_licence, animal_epidemic_prevention, business_licence'),
        number: z.string(),
        validFrom: z.string().optional(),
        validUntil: z.string(),
        held: z.boolean().describe('valid today (China time)'),
      }),
    ),
  })
  .meta({ id: 'BrandMemberCertifications' });
export type MemberCredentials = z.infer<typeof memberCredentialsSchema>;
