import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { plainIdentifierSchema } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { CSV_TYPE, csvStream, wantsCsv } from '../http/csv.js';
import { jsonStream } from '../http/json-stream.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { KDE_COLUMNS } from './kde.js';
import { traceQuery, traceSchema } from './schemas.js';
import type { TraceService } from './service.js';

/**
 * A recall-sized trace carries 100k nodes and edges (38 MB of JSON): encoding it through the zod
 * schema first copies every object and took longer than the query. The service builds exactly the
 * schema's shape, keys in schema order (test/trace/statements.test.ts holds it to that), so the
 * trace is streamed as plain JSON, which fastify sends as it comes.
 */
export const traceRoutes: FastifyPluginAsyncZod<{ service: TraceService }> = async (app, { service }) => {
  app.get(
    '/trace/:code',
    {
      schema: {
        tags: ['trace'],
        summary: 'Bottom-up (backward) or recall (forward) trace from any identifier',
        description:
          'Accepts a lot or container code, an SSCC, a 15-digit ear tag, or PARTYCODE:LOTNUMBER (full-width letters and digits read as ASCII). Returns the lineage graph: lots and containers, transform / aggregate / custody edges, and the events on them in time order.',
        security: bearerSecurity,
        params: z.object({ code: plainIdentifierSchema.min(1).max(200) }),
        querystring: traceQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: traceSchema, 400: problemSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const { direction, depth, include, format, dialect, sort } = request.query;
      if (!wantsCsv(format, request.headers.accept, dialect)) {
        const trace = await service.trace(principalOf(request), request.params.code, direction, depth, include);
        // a stream is sent as it is, past the JSON response schema
        return reply.type('application/json; charset=utf-8').send(jsonStream(trace) as never);
      }
      const { start, rows } = await service.kde(principalOf(request), request.params.code, direction, depth, sort);
      return (
        reply
          .type(CSV_TYPE)
          .header('content-disposition', `attachment; filename="trace-${start}-${direction}.csv"`)
          // a stream is sent as it is, past the JSON response schema
          .send(csvStream(KDE_COLUMNS, [rows], { dialect }) as never)
      );
    },
  );
};
