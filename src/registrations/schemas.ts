import { z } from 'zod';
import { isValidScLicence } from '../codes/china.js';
import { addressSchema, freeTextSchema, nameSchema } from '../codes/names.js';
import { phoneSchema } from '../codes/phone.js';
import { dateSchema } from '../codes/timestamp.js';
import { isValidUscc } from '../codes/uscc.js';
import { partyKindSchema, regionCodeSchema } from '../parties/schemas.js';

export const REGISTRATION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/** 食品生产许可证 (SC), 动物防疫条件合格证, 营业执照. */
const LICENCE_TYPES = ['sc_licence', 'animal_epidemic_prevention', 'business_licence'] as const;
/** 绿色食品, 有机产品, 地理标志专用标志使用 (GI use permit). */
export const CERTIFICATION_TYPES = ['green_food', 'organic', 'gi_use_permit'] as const;

/** Accepted uploads, told apart by their first bytes as well as by the declared type. */
export const DOCUMENT_TYPES = { 'application/pdf': '%PDF-', 'image/jpeg': '\xff\xd8\xff' } as const;
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;
export const MAX_DOCUMENTS = 5;

const credential = <T extends readonly [string, ...string[]]>(types: T) =>
  z
    .object({
      type: z.enum(types),
      number: freeTextSchema(64).min(1),
      validFrom: dateSchema.optional(),
      validUntil: dateSchema,
    })
    .refine((c) => c.validFrom === undefined || c.validFrom <= c.validUntil, {
      error: 'validUntil must not precede validFrom',
      path: ['validUntil'],
    });

/**
 * Credentials listed once each: one number named twice under its type (with two validities, say) is
 * refused at the second, as POST /parties refuses a licence listed twice.
 */
export const eachOnce = <T extends { type: string; number: string }>(credentials: T[], context: z.RefinementCtx) => {
  const seen = new Set<string>();
  for (const [index, { type, number }] of credentials.entries()) {
    const key = JSON.stringify([type, number]);
    if (seen.has(key)) context.addIssue({ code: 'custom', message: `names ${type} ${number} twice`, path: [index, 'number'] });
    seen.add(key);
  }
};

export const applyBody = z.object({
  kind: partyKindSchema.exclude(['regulator']),
  name: nameSchema(200),
  uscc: z.string().refine(isValidUscc, {
    error: 'must be an 18-character 统一社会信用代码: a 6-digit region code as characters 3–8 and a valid GB 32100 check character',
  }),
  regionCode: regionCodeSchema,
  address: addressSchema,
  contact: z.object({
    person: nameSchema(100),
    phone: phoneSchema.describe('e.g. 13800000000, (023)62861234, +86 138-0000-0000; stored as its digits (with the + of a country code)'),
    // RFC 5321: an address is at most 254 characters
    email: z.email().max(254).optional(),
  }),
  licences: z
    .array(
      credential(LICENCE_TYPES).refine((c) => c.type !== 'sc_licence' || isValidScLicence(c.number), {
        error: 'an SC food production licence is "SC" + 14 digits, the first 1 (food) or 2 (food additive)',
        path: ['number'],
      }),
    )
    .max(10)
    .superRefine(eachOnce)
    .default([]),
  certifications: z.array(credential(CERTIFICATION_TYPES)).max(10).superRefine(eachOnce).default([]),
});
export type ApplyInput = z.infer<typeof applyBody>;

/** A regulator's rejection of an application, with the reason the applicant will read. */
export const rejectBody = z.object({ reason: freeTextSchema(2000, { lines: 'many' }).min(1) });

const credentialSchema = z.object({ type: z.string(), number: z.string(), validFrom: z.string().optional(), validUntil: z.string() });

export const documentSchema = z.object({
  id: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  uploadedAt: z.date(),
});

export const registrationSchema = z
  .object({
    id: z.string(),
    status: z.enum(REGISTRATION_STATUSES),
    kind: z.string(),
    name: z.string(),
    uscc: z.string(),
    regionCode: z.string(),
    address: z.string(),
    contact: z.object({ person: z.string().optional(), phone: z.string().optional(), email: z.string().optional() }),
    licences: z.array(credentialSchema),
    certifications: z.array(credentialSchema),
    documents: z.array(documentSchema),
    submittedAt: z.date(),
    decidedAt: z.date().nullable(),
    reason: z.string().nullable().describe('why the application was rejected'),
    partyCode: z.string().nullable().describe('the unified code of the party the approved application became'),
    operatorKey: z
      .string()
      .optional()
      .describe("the new party's first operator API key: shown to the applicant once, on the first status check after approval"),
  })
  .meta({ id: 'Registration' });
export type Registration = z.infer<typeof registrationSchema>;

export const submittedSchema = registrationSchema.extend({
  ticket: z.string().describe('keep it: send it as the Registration-Ticket header to check the status and upload documents'),
});

export const ticketHeaders = z.object({ 'registration-ticket': z.string().max(64) });

export const expiringCredentialSchema = z.object({
  partyCode: z.string(),
  name: z.string(),
  category: z.enum(['licence', 'certification']),
  type: z.string(),
  number: z.string(),
  validUntil: z.string(),
  expired: z.boolean(),
});
