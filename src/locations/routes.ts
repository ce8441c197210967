import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serviceCodeField } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { idempotencyKeyHeaders, idempotencyOf, sendAnswered } from '../http/idempotency.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { createLocationBody, locationSchema } from './schemas.js';
import type { LocationService } from './service.js';

export const locationRoutes: FastifyPluginAsyncZod<{ service: LocationService }> = async (app, { service }) => {
  const tags = ['locations'];
  app.post(
    '/locations',
    {
      schema: {
        tags,
        summary: 'Register a location (origin, barn, plant, cold store, shop) of a party',
        security: bearerSecurity,
        headers: idempotencyKeyHeaders,
        body: createLocationBody,
        response: {
          201: locationSchema,
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
    '/locations',
    {
      schema: {
        tags,
        summary: "A party's locations (any key: locations are the shared directory shipments are addressed to)",
        security: bearerSecurity,
        querystring: z.object({
          // required here, unlike a listing's optional filter: left empty or blank it is missing, not a filter of nothing
          partyCode: serviceCodeField('party')
            .min(1, { error: 'required: the party whose locations to list' })
            .describe('the party whose locations to list (required)'),
        }),
        response: { 200: z.object({ items: z.array(locationSchema) }), 400: problemSchema },
      },
    },
    async (request) => ({ items: await service.listByParty(principalOf(request), request.query.partyCode) }),
  );

  app.get(
    '/locations/:code',
    {
      schema: {
        tags,
        summary: 'One location',
        security: bearerSecurity,
        params: z.object({ code: serviceCodeField('location') }),
        response: { 200: locationSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => service.get(principalOf(request), request.params.code),
  );
};
