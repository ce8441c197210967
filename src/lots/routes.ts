import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serviceCodeField } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { LIST_NEXT, LIST_PAGING, linkNextPage } from '../http/page-token.js';
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
        description: LIST_PAGING,
        security: bearerSecurity,
        querystring: listLotsQuery,
        response: {
          200: z.object({ items: z.array(lotSchema), next: LIST_NEXT }),
          403: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const page = await service.list(principalOf(request), request.query);
      const { partyCode, status, productCode, limit } = request.query;
      linkNextPage(reply, '/lots', { partyCode, status, productCode, limit }, page.next);
      return page;
    },
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
