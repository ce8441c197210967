import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { brandCodeParams, memberPartyFilter } from '../brands/schemas.js';
import { freeTextSchema } from '../codes/names.js';
import { problemSchema } from '../errors/problem.js';
import { queryInteger } from '../http/query.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import type { BrandFlagService } from './brand-flags.js';
import { FLAG_STATUSES } from './flags.js';

const brandNoteSchema = z.object({ note: z.string(), at: z.date() });

const brandFlagSchema = z
  .object({
    code: z.string().describe('the flagged code: a pack’s, or its lot’s when the lot’s own label was scanned'),
    lotCode: z.string().nullable(),
    partyCode: z.string().nullable().describe('the lot’s owner: the party whose pack misused the brand'),
    firstAt: z.date(),
    lastAt: z.date().describe('the latest scan that raised it'),
    occurrences: z.number().int(),
    findings: z
      .array(z.string())
      .describe("what its latest occurrence found wrong about this brand (another brand's findings on the same pack are not shown)"),
    status: z.enum(['open', 'dismissed']),
    dismissal: z
      .object({ reason: z.string(), at: z.date() })
      .nullable()
      .describe('the regulator’s dismissal the flag stands dismissed by: its reason and time; null while open'),
    notes: z.array(brandNoteSchema).describe('the brand office’s own findings on the flag, oldest first'),
  })
  .meta({ id: 'BrandMisuseFlag' });

const refusals = { 400: problemSchema, 403: problemSchema, 404: problemSchema };

const flagParams = brandCodeParams.extend({
  flagCode: z.string().min(1).max(200).describe('the flagged code as listed, a pack’s or a lot’s (percent-encoded in the path)'),
});

/** The brand office's reading of its brand's misuse flags (brand routes: a brand office key reaches them). */
export const brandFlagRoutes: FastifyPluginAsyncZod<{ service: BrandFlagService }> = async (app, { service }) => {
  const tags = ['brands'];
  const config = { brandRoute: true };

  app.get(
    '/brands/:code/flags',
    {
      config,
      schema: {
        tags,
        summary:
          "Brand misuse (冒用) flags raised on scans of the brand's packs, the latest first (the brand's office: a brand_office key issued for the brand's owner party; regulators, admins)",
        security: bearerSecurity,
        params: brandCodeParams,
        querystring: z.object({
          status: z.enum(FLAG_STATUSES).prefault('open').describe('open flags (the default), those a regulator dismissed, or all'),
          partyCode: memberPartyFilter.describe("the party whose packs were flagged (the lot's owner)"),
          limit: queryInteger(1, 1000).prefault(100),
          offset: queryInteger(0).prefault(0),
        }),
        response: { 200: z.object({ items: z.array(brandFlagSchema) }), ...refusals },
      },
    },
    async (request) => {
      const { code } = request.params;
      return { items: await service.list(principalOf(request), code, request.query) };
    },
  );

  app.get(
    '/brands/:code/flags/:flagCode',
    {
      config,
      schema: {
        tags,
        summary:
          "One brand misuse flag on a pack of the brand (a pack with no such flag of this brand is a 404) (the brand's office, regulators, admins)",
        security: bearerSecurity,
        params: flagParams,
        response: { 200: brandFlagSchema, ...refusals },
      },
    },
    async (request) => service.get(principalOf(request), request.params.code, request.params.flagCode),
  );

  app.post(
    '/brands/:code/flags/:flagCode/notes',
    {
      config,
      schema: {
        tags,
        summary:
          "Record the brand office's own finding on a misuse flag of its brand (audited; it decides nothing of the flag, whose dismissal stays the regulators') (the brand's office only)",
        security: bearerSecurity,
        params: flagParams,
        body: z.object({ note: freeTextSchema(1000, { lines: 'many' }).min(1).describe('what the office found') }),
        response: { 201: brandNoteSchema, ...refusals },
      },
    },
    async (request, reply) => {
      const { code, flagCode } = request.params;
      return reply.code(201).send(await service.note(principalOf(request), code, flagCode, request.body.note));
    },
  );
};
