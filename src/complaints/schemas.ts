import { z } from 'zod';
import { freeTextSchema, refuseInvisible } from '../codes/names.js';
import { phoneDigitsSchema } from '../codes/phone.js';
import { serviceCodeSchema } from '../codes/service-codes.js';

export const COMPLAINT_CATEGORIES = ['quality', 'counterfeit', 'labeling', 'foreign_matter', 'illness', 'other'] as const;
export const COMPLAINT_STATUSES = ['open', 'investigating', 'resolved'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];
/** What a resolved complaint came to: upheld complaints count against the producer's credit. */
export const COMPLAINT_OUTCOMES = ['upheld', 'dismissed'] as const;
export type ComplaintOutcome = (typeof COMPLAINT_OUTCOMES)[number];

export const fileComplaintBody = z.object({
  // a code holding characters nothing shows reads as another code, or as none (zero-width only), in the regulators' list
  code: serviceCodeSchema.min(1).max(200).check(refuseInvisible).describe('the trace code on the pack; no invisible or control characters'),
  category: z.enum(COMPLAINT_CATEGORIES),
  text: freeTextSchema(2000, { lines: 'many' }).min(1),
  phone: phoneDigitsSchema
    .transform((digits) => digits || undefined)
    .optional()
    .describe(
      'a number the regulators may call the consumer back on, e.g. 13800000000, (023)62861234, +86 138-0000-0000; stored as its digits (with the + of a country code); empty for none',
    ),
});

/** A complaint's ticket in a path, as every complaint route takes it. */
export const ticketParams = z.object({
  ticket: z.string().max(40).describe('the ticket on the receipt, e.g. TS20261130ABC123; surrounding spaces and case do not matter'),
});

export const complaintStatusSchema = z
  .object({
    ticket: z.string(),
    code: z.string(),
    category: z.enum(COMPLAINT_CATEGORIES),
    status: z.enum(COMPLAINT_STATUSES),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'ComplaintStatus' });

export const complaintSchema = complaintStatusSchema
  .extend({
    lotCode: z.string().nullable(),
    partyCode: z.string().nullable(),
    text: z.string(),
    phone: z.string().nullable(),
    outcome: z.enum(COMPLAINT_OUTCOMES).nullable().describe('set when resolved: upheld or dismissed'),
    notes: z.array(z.object({ at: z.string(), status: z.string(), note: z.string(), by: z.string() })),
  })
  .meta({ id: 'Complaint' });

/**
 * A complaint as those read it who do not handle it — the office of its pack's brand, the maker of its lot —: no
 * phone number, no client address, no regulators' notes.
 */
export const redactedComplaintSchema = complaintStatusSchema
  .extend({
    lotCode: z.string().nullable(),
    partyCode: z.string().nullable().describe('the maker: the party whose lot or case the complained-of code is of'),
    text: z.string().describe('what the consumer complained of, as written'),
    outcome: z.enum(COMPLAINT_OUTCOMES).nullable().describe('set when resolved: upheld or dismissed'),
  })
  .meta({ id: 'RedactedComplaint' });

export const transitionBody = z
  .object({
    status: z.enum(COMPLAINT_STATUSES),
    note: freeTextSchema(2000, { lines: 'many' }).min(1),
    outcome: z
      .enum(COMPLAINT_OUTCOMES)
      .optional()
      .describe(
        'required with status resolved, and only then: whether the complaint was upheld (it counts against the producer’s credit) or dismissed',
      ),
  })
  .refine((body) => body.outcome === undefined || body.status === 'resolved', {
    error: 'an outcome is given only when resolving',
    path: ['outcome'],
  })
  // a resolved complaint always says how it ended: one resolved without would count for nothing, unseen
  .refine((body) => body.outcome !== undefined || body.status !== 'resolved', {
    error: 'resolving says whether the complaint was upheld or dismissed',
    path: ['outcome'],
  });

/** The regulator workflow: open → investigating → resolved (an open complaint may be resolved at once). */
export const ALLOWED_TRANSITIONS: Record<ComplaintStatus, ComplaintStatus[]> = {
  open: ['investigating', 'resolved'],
  investigating: ['resolved'],
  resolved: [],
};
