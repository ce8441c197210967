import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../errors/problem.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import {
  creditHistoryQuery,
  creditHistorySchema,
  creditListQuery,
  creditParams,
  creditScoreDetailSchema,
  creditScoreSchema,
  recomputeSchema,
} from './schemas.js';
import type { CreditService } from './service.js';

export const creditRoutes: FastifyPluginAsyncZod<{ service: CreditService }> = async (app, { service }) => {
  const tags = ['credit'];

  app.get(
    '/credit',
    {
      schema: {
        tags,
        summary: 'Every enterprise’s credit score now, the lowest first; ?grade=C for one grade (regulator)',
        security: bearerSecurity,
        querystring: creditListQuery,
        response: { 200: z.object({ items: z.array(creditScoreSchema) }), 400: problemSchema, 403: problemSchema },
      },
    },
    async (request) => ({ items: await service.list(principalOf(request), request.query.grade) }),
  );

  app.post(
    '/credit/recompute',
    {
      schema: {
        tags,
        summary: 'Score every enterprise now and keep the scores as history (regulator)',
        security: bearerSecurity,
        response: { 200: recomputeSchema, 403: problemSchema },
      },
    },
    async (request) => service.recompute(principalOf(request)),
  );

  app.get(
    '/credit/:partyCode',
    {
      schema: {
        tags,
        summary: 'An enterprise’s credit score over the last 365 days, each factor with its count and contribution',
        description: 'Regulators and admins read every enterprise’s; an operator its own party’s.',
        security: bearerSecurity,
        params: creditParams,
        response: { 200: creditScoreDetailSchema, 400: problemSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => service.get(principalOf(request), request.params.partyCode),
  );

  app.get(
    '/credit/:partyCode/history',
    {
      schema: {
        tags,
        summary: 'An enterprise’s stored credit scores, the newest first',
        description:
          'Regulators and admins read every enterprise’s; an operator its own party’s. A code that names no enterprise (labs and regulators have no credit score) is 404.',
        security: bearerSecurity,
        params: creditParams,
        querystring: creditHistoryQuery,
        response: { 200: creditHistorySchema, 400: problemSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => ({
      items: await service.history(principalOf(request), request.params.partyCode, request.query.limit),
    }),
  );
};
