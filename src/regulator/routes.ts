import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../access/index.js';
import { serviceCodeField, serviceCodeFilter } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { queryInteger } from '../http/query.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { FLAG_KINDS } from '../scans/flags.js';
import type { ScanService } from '../scans/service.js';

export const regulatorRoutes: FastifyPluginAsyncZod<{ scans: Pick<ScanService, 'listFlags' | 'scansOfLot'> }> = async (app, { scans }) => {
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
          limit: queryInteger(1, 1000).prefault(100),
          offset: queryInteger(0).prefault(0),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                code: z.string(),
                kind: z.enum(FLAG_KINDS),
                lotCode: z.string().nullable(),
                partyCode: z.string().nullable(),
                firstAt: z.date(),
                lastAt: z.date(),
                occurrences: z.number().int(),
                detail: z.string().nullable(),
              }),
            ),
          }),
          403: problemSchema,
        },
      },
    },
    async (request) => {
      requireRole(principalOf(request), 'regulator.read');
      const rows = await scans.listFlags(request.query);
      return { items: rows.map((row) => ({ ...row, kind: row.kind as (typeof FLAG_KINDS)[number] })) };
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
