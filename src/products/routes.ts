import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serviceCodeField, serviceCodeFilter } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { idempotencyKeyHeaders, idempotencyOf, sendAnswered } from '../http/idempotency.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { createProductBody, productSchema } from './schemas.js';
import type { ProductService } from './service.js';

export const productRoutes: FastifyPluginAsyncZod<{ service: ProductService }> = async (app, { service }) => {
  const tags = ['products'];
  app.post(
    '/products',
    {
      schema: {
        tags,
        summary: 'Register a product (optional GTIN, GI / green / organic marks)',
        security: bearerSecurity,
        headers: idempotencyKeyHeaders,
        body: createProductBody,
        response: {
          201: productSchema,
          400: problemSchema,
          403: problemSchema,
          404: problemSchema,
          409: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) =>
      sendAnswered(reply, 201, await service.registerOnce(principalOf(request), request.body, idempotencyOf(request, reply, 201))),
  );

  app.get(
    '/products',
    {
      schema: {
        tags,
        summary: 'The product catalogue (any key), optionally of one brand owner',
        security: bearerSecurity,
        querystring: z.object({ partyCode: serviceCodeFilter('party') }),
        response: { 200: z.object({ items: z.array(productSchema) }) },
      },
    },
    async (request) => ({ items: await service.list(request.query.partyCode) }),
  );

  app.get(
    '/products/:code',
    {
      schema: {
        tags,
        summary: 'One product',
        security: bearerSecurity,
        params: z.object({ code: serviceCodeField('product') }),
        response: { 200: productSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => service.get(request.params.code),
  );
};
