import { z } from 'zod';
import { serviceCodeField } from '../codes/service-codes.js';
import { queryInteger } from '../http/query.js';
import { CREDIT_FACTOR_KEYS, CREDIT_GRADES } from './score.js';

const factorSchema = z.object({
  key: z.enum(CREDIT_FACTOR_KEYS),
  count: z.number().int().describe('how often it occurred in the period'),
  weight: z.number().describe('points taken off per occurrence'),
  cap: z.number().describe('the most points this factor takes off'),
  contribution: z.number().describe('points this factor changes the score by: −min(weight × count, cap)'),
});

export const creditScoreSchema = z
  .object({
    partyCode: z.string(),
    name: z.string(),
    kind: z.string(),
    score: z.number().int().min(0).max(100),
    grade: z.enum(CREDIT_GRADES),
    computedAt: z.date(),
    periodFrom: z.date(),
    periodTo: z.date(),
    factors: z.array(factorSchema.extend({ label: z.object({ zh: z.string(), en: z.string() }) })),
  })
  .meta({ id: 'CreditScore' });

export const creditScoreDetailSchema = creditScoreSchema
  .extend({
    formula: z.string(),
    thresholds: z.array(z.object({ grade: z.enum(CREDIT_GRADES), min: z.number() })).describe('the lowest score of each grade'),
  })
  .meta({ id: 'CreditScoreDetail' });

export const creditParams = z.object({
  // blank is no code at all (not every enterprise's), checked once the code is read trimmed
  partyCode: z
    .string()
    .min(1)
    .max(64)
    .pipe(serviceCodeField('party').min(1, { error: 'required: the enterprise whose credit to read' })),
});
export const creditListQuery = z.object({ grade: z.enum(CREDIT_GRADES).optional() });

export const creditHistoryQuery = z.object({ limit: queryInteger(1, 1000).prefault(100) });
export const creditHistorySchema = z.object({
  items: z.array(
    z.object({
      computedAt: z.date(),
      periodFrom: z.date(),
      periodTo: z.date(),
      score: z.number().int(),
      grade: z.enum(CREDIT_GRADES),
      // a factor stored by an older formula keeps its key
      factors: z.array(factorSchema.extend({ key: z.string() })),
    }),
  ),
});

export const recomputeSchema = z.object({
  computedAt: z.date(),
  enterprises: z.number().int().describe('enterprises scored and stored'),
  grades: z.object(
    Object.fromEntries(CREDIT_GRADES.map((grade) => [grade, z.number().int()])) as Record<(typeof CREDIT_GRADES)[number], z.ZodNumber>,
  ),
});
