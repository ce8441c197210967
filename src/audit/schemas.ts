import { z } from 'zod';
import { hasServiceCodeShape, serviceCodeField } from '../codes/service-codes.js';
import { dateSchema } from '../codes/timestamp.js';
import { csvDialectQuery } from '../http/csv.js';
import { SYSTEM_CHAIN } from './chain.js';

export const verifyQuery = z.object({
  party: z
    .string()
    .max(64)
    // read as every party code in a request is (trimmed, in upper case, a mistyped one refused); system in any case
    .pipe(serviceCodeField('party').min(1, { error: 'a party code, or system' }))
    .transform((chain) => (chain === SYSTEM_CHAIN.toUpperCase() ? SYSTEM_CHAIN : chain))
    // anything else names no chain: a report of nothing checked would read as "all verified"
    .refine(
      (chain) => chain === SYSTEM_CHAIN || hasServiceCodeShape(chain, ['party']),
      'must be a party code (a letter, 6 digits of its region, 8 characters), or system',
    )
    .optional()
    .describe('one chain only: a party code, or `system` for the admin chain'),
});

const brokenLinkSchema = z
  .object({
    sequence: z.number().int(),
    kind: z.string().describe('the kind of entry (event, party.create, api-key.issue, …), or head'),
    subjectId: z.string().describe('the event id, party code, key id or application id the entry records'),
    problem: z
      .enum(['payload-mismatch', 'entry-mismatch', 'link-mismatch', 'missing-entry', 'head-mismatch'])
      .describe(
        'payload-mismatch: the stored rows no longer hash to what was recorded (or are gone); entry-mismatch: the audit row was altered; link-mismatch: it does not follow the entry before it; missing-entry: an entry was deleted, or one is not there that should be (a complaint filed or moved behind the log’s back, the complaint baseline not recorded); head-mismatch: the chain ends before its head',
      ),
    detail: z.string(),
  })
  .meta({ id: 'AuditBrokenLink' });

export const verifyReportSchema = z.object({
  ok: z.boolean(),
  chains: z.array(
    z.object({
      chain: z.string().describe('party code, or system'),
      entries: z.number().int().describe('entries checked (up to and including the first broken one)'),
      ok: z.boolean(),
      firstBroken: brokenLinkSchema.nullable(),
    }),
  ),
});

export const headsQuery = z.object({
  date: dateSchema.describe('the day (China time) whose closing heads are wanted, e.g. 2026-11-30'),
  format: z.enum(['json', 'csv']).optional().describe('csv: one line per chain (also with Accept: text/csv)'),
  dialect: csvDialectQuery,
});

export const headsSchema = z.object({
  date: z.string(),
  until: z.date().describe('the end of that day in China time: entries recorded before it count'),
  heads: z.array(
    z.object({
      chain: z.string(),
      sequence: z.number().int(),
      entryHash: z.string(),
      recordedAt: z.string().describe('when the head entry was recorded (UTC)'),
    }),
  ),
  digest: z
    .string()
    .describe('SHA-256 of the RFC 8785 canonical JSON {"date", "heads": [{"chain", "entryHash", "sequence"}] sorted by chain}'),
});
