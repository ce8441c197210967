import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../errors/problem.js';
import { CSV_ATTACHMENT_DECLARED, CSV_TYPE, csvStream, wantsCsv } from '../http/csv.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { headsQuery, headsSchema, verifyQuery, verifyReportSchema } from './schemas.js';
import type { AuditService } from './service.js';

const HEAD_COLUMNS = [
  { header: 'chain', value: (row: { chain: string }) => row.chain },
  { header: 'sequence', value: (row: { sequence: number }) => row.sequence },
  { header: 'entry_hash', value: (row: { entryHash: string }) => row.entryHash },
  { header: 'recorded_at', value: (row: { recordedAt: string }) => row.recordedAt },
];

export const auditRoutes: FastifyPluginAsyncZod<{ service: AuditService }> = async (app, { service }) => {
  const tags = ['audit'];
  app.get(
    '/audit/verify',
    {
      schema: {
        tags,
        summary: 'Recompute the audit chains from the stored rows and report the first broken link of each (regulator)',
        description:
          'Every entry is re-derived from the rows as they are now (an event: its row, ledger lines and lots) and checked against its stored hashes and the entry before it.',
        security: bearerSecurity,
        querystring: verifyQuery,
        response: { 200: verifyReportSchema, 400: problemSchema, 403: problemSchema },
      },
    },
    async (request) => service.verify(principalOf(request), request.query.party),
  );

  app.get(
    '/audit/heads',
    {
      schema: {
        tags,
        summary: "Each audit chain's head at the end of a day (China time) and one digest over them (regulator)",
        description:
          'Keep the digest: asked again later for the same day, the same digest (and an ok verify) shows the log up to then was not rewritten.',
        security: bearerSecurity,
        querystring: headsQuery,
        produces: ['application/json', 'text/csv'],
        response: {
          200: {
            description: 'The heads and their digest as JSON, or one CSV line per chain with the digest in X-Audit-Digest',
            content: { 'application/json': { schema: headsSchema }, 'text/csv': { schema: z.string() } },
            headers: {
              ...CSV_ATTACHMENT_DECLARED,
              'X-Audit-Digest': { type: 'string', description: 'on a CSV answer: the digest the JSON answer gives as `digest`' },
            },
          },
          400: problemSchema,
          403: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const heads = await service.headsOf(principalOf(request), request.query.date);
      if (!wantsCsv(request.query.format, request.headers.accept)) return heads;
      return (
        reply
          .type(CSV_TYPE)
          .header('content-disposition', `attachment; filename="audit-heads-${heads.date}.csv"`)
          .header('x-audit-digest', heads.digest)
          // a stream is sent as it is, past the JSON response schema
          .send(csvStream(HEAD_COLUMNS, [heads.heads]) as never)
      );
    },
  );
};
