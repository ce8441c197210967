import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../access/index.js';
import { freeTextSchema } from '../codes/names.js';
import { serviceCodeField, serviceCodeFilter } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { queryInteger } from '../http/query.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { FLAG_KINDS, FLAG_STATUSES } from '../scans/flags.js';
import type { ScanService } from '../scans/service.js';
import type { FlagReviewService } from './service.js';

const dismissalSchema = z.object({
  reason: z.string(),
  by: z.string().describe('the id of the regulator key that dismissed it'),
  at: z.date(),
  occurrences: z.number().int().describe('how many times the flag had been raised when it was dismissed'),
  detail: z
    .string()
    .nullable()
    .describe('the evidence it cleared: the flag’s detail then (one line per finding); null for a dismissal recorded before it was kept'),
  evidence: z
    .number()
    .int()
    .nullable()
    .describe('for over_scanned, the addresses the code had been scanned from then (it reopens at twice as many); else null'),
});

/** The reason a regulator gives for a decision on a flag. */
const reasonSchema = (what: string) => freeTextSchema(1000, { lines: 'many' }).min(1).describe(what);

/** A flag named by its path: its code and kind. */
const flagParams = z.object({
  code: z.string().min(1).max(200).describe('the flagged code as listed (percent-encoded in the path)'),
  kind: z.enum(FLAG_KINDS),
});

const flagSchema = z.object({
  code: z.string(),
  kind: z.enum(FLAG_KINDS),
  lotCode: z.string().nullable(),
  partyCode: z.string().nullable(),
  firstAt: z.date(),
  lastAt: z.date(),
  occurrences: z.number().int(),
  detail: z.string().nullable().describe('what its latest occurrence found: one line per finding (a brand misused, …)'),
  dismissal: dismissalSchema.nullable().describe('the dismissal the flag stands dismissed by; null while open'),
});

export const regulatorRoutes: FastifyPluginAsyncZod<{
  scans: Pick<ScanService, 'listFlags' | 'scansOfLot'>;
  flagReviews: Pick<FlagReviewService, 'dismiss' | 'reopen'>;
}> = async (app, { scans, flagReviews }) => {
  const tags = ['regulator'];
  app.get(
    '/regulator/flags',
    {
      schema: {
        tags,
        summary:
          'Flagged codes: possibly counterfeit (unknown, over-scanned, impossible travel), scanned from a recalled/destroyed lot, or brand misuse (冒用)',
        security: bearerSecurity,
        querystring: z.object({
          kind: z.enum(FLAG_KINDS).optional(),
          lotCode: serviceCodeFilter('lot', 'container'),
          status: z
            .enum(FLAG_STATUSES)
            .prefault('open')
            .describe(
              'open flags (the default), those a regulator dismissed, or all; an occurrence with new evidence, or a regulator by hand, reopens a dismissed flag',
            ),
          limit: queryInteger(1, 1000).prefault(100),
          offset: queryInteger(0).prefault(0),
        }),
        response: { 200: z.object({ items: z.array(flagSchema) }), 403: problemSchema },
      },
    },
    async (request) => {
      requireRole(principalOf(request), 'regulator.read');
      const rows = await scans.listFlags(request.query);
      return { items: rows.map((row) => ({ ...row, kind: row.kind as (typeof FLAG_KINDS)[number] })) };
    },
  );

  app.post(
    '/regulator/flags/:code/:kind/dismissal',
    {
      schema: {
        tags,
        summary:
          'Dismiss a flag: the regulator looked into it and cleared it (recorded with the reason and audited). A dismissed flag leaves the open lists and dashboard counts and no longer marks its pack 疑似假冒; an occurrence with new evidence (an over-scan at twice the addresses it cleared, another brand misused or lot state, any unknown code or impossible journey) reopens it, as a regulator may by hand (POST …/reopening). Dismissing a dismissed flag is a 409',
        security: bearerSecurity,
        params: flagParams,
        body: z.object({ reason: reasonSchema('why the flag is cleared: recorded with the dismissal') }),
        response: { 201: dismissalSchema, 400: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request, reply) => {
      const dismissal = await flagReviews.dismiss(principalOf(request), request.params, request.body.reason);
      return reply.code(201).send(dismissal);
    },
  );

  app.post(
    '/regulator/flags/:code/:kind/reopening',
    {
      schema: {
        tags,
        summary:
          'Reopen a dismissed flag by hand: the regulator finds the dismissal was wrong (recorded with the reason and the dismissal it ends, and audited; the dismissal itself is kept). The flag is open again: in the open lists, the dashboard and the credit’s brand-misuse count, and marking its pack 疑似假冒 if it is a copied code’s; it may be dismissed again. Regulator keys only; an open flag is a 409',
        security: bearerSecurity,
        params: flagParams,
        body: z.object({ reason: reasonSchema('why the dismissal no longer stands: recorded with the reopening') }),
        response: {
          201: z.object({
            reason: z.string(),
            by: z.string().describe('the id of the regulator key that reopened it'),
            at: z.date(),
            dismissal: dismissalSchema.describe('the dismissal it ends'),
          }),
          400: problemSchema,
          403: problemSchema,
          404: problemSchema,
          409: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const reopening = await flagReviews.reopen(principalOf(request), request.params, request.body.reason);
      return reply.code(201).send(reopening);
    },
  );

  app.get(
    '/regulator/lots/:code/scans',
    {
      schema: {
        tags,
        summary: 'Consumer scans of a lot: totals, by region, and the most recent',
        security: bearerSecurity,
        params: z.object({ code: serviceCodeField('lot', 'container') }),
        querystring: z.object({ limit: queryInteger(1, 1000).prefault(50) }),
        response: {
          200: z.object({
            totalScans: z.number().int(),
            distinctCodes: z.number().int(),
            firstAt: z.date().nullable(),
            lastAt: z.date().nullable(),
            byRegion: z.array(z.object({ region: z.string().nullable(), scans: z.number().int() })),
            recent: z.array(
              z.object({
                itemCode: z.string().nullable(),
                scannedAt: z.date(),
                region: z.string().nullable(),
                userAgent: z.string().nullable(),
              }),
            ),
          }),
          400: problemSchema,
          403: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request) => {
      requireRole(principalOf(request), 'regulator.read');
      return scans.scansOfLot(request.params.code, request.query.limit);
    },
  );
};
