import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../errors/problem.js';
import { CSV_ATTACHMENT_DECLARED, CSV_TYPE, type CsvColumn, csvStream, wantsCsv } from '../http/csv.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { headsQuery, headsSchema, verifyQuery, verifyReportSchema } from './schemas.js';
import type { AuditService } from './service.js';

type Head = { chain: string; sequence: number; entryHash: string; recordedAt: string };

const HEAD_COLUMNS: CsvColumn<Head>[] = [
  { header: 'chain', zh: '审计链', value: (row) => row.chain },
  { header: 'sequence', zh: '序号', value: (row) => row.sequence, reads: 'number' },
  { header: 'entry_hash', zh: '条目哈希', value: (row) => row.entryHash },
  { header: 'recorded_at', zh: '记录时间', value: (row) => row.recordedAt },
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
      if (!wantsCsv(request.query.format, request.headers.accept, request.query.dialect)) return heads;
      return (
        reply
          .type(CSV_TYPE)
          .header('content-disposition', `attachment; filename="audit-heads-${heads.date}.csv"`)
          .header('x-audit-digest', heads.digest)
          // a stream is sent as it is, past the JSON response schema
          .send(csvStream(HEAD_COLUMNS, [heads.heads], { dialect: request.query.dialect }) as never)
      );
    },
  );
};
