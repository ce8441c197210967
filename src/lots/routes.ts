import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serviceCodeField } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { listLotsQuery, lotDetailSchema, lotSchema } from './schemas.js';
import type { LotService } from './service.js';

export const lotRoutes: FastifyPluginAsyncZod<{ service: LotService }> = async (app, { service }) => {
  const tags = ['lots'];
  app.get(
    '/lots',
    {
      schema: {
        tags,
        summary: 'Lots: an operator sees those it owns or has held; regulators see all',
        security: bearerSecurity,
        querystring: listLotsQuery,
        response: { 200: z.object({ items: z.array(lotSchema) }), 403: problemSchema },
      },
    },
    async (request) => ({ items: await service.list(principalOf(request), request.query) }),
  );

  app.get(
    '/lots/:code',
    {
      schema: {
        tags,
        summary: 'One lot with its current holders and mass balance',
        security: bearerSecurity,
        params: z.object({ code: serviceCodeField('lot', 'container') }),
        response: { 200: lotDetailSchema, 400: problemSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => service.get(principalOf(request), request.params.code),
  );
};
