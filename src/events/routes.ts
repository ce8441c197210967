import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serviceCodeFilter } from '../codes/service-codes.js';
import { timestampSchema } from '../codes/timestamp.js';
import { idSchema } from '../codes/uuid.js';
import { problemSchema } from '../errors/problem.js';
import { idempotencyKeyHeaders, idempotencyOf, sendAnswered } from '../http/idempotency.js';
import { queryInteger } from '../http/query.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { eventHolders, eventHoldersSchema, heldEventQuery } from './held.js';
import { EVENT_TYPES, eventInput, eventSchema } from './schemas.js';
import type { EventService } from './service.js';

export const eventRoutes: FastifyPluginAsyncZod<{ service: EventService }> = async (app, { service }) => {
  const tags = ['events'];
  app.post(
    '/events',
    {
      schema: {
        tags,
        summary: 'Record an event (operator key; the acting party is the key’s party)',
        description:
          'commission · transform · aggregate · disaggregate · ship · receive · inspect · observe · destroy · sell · correction. The log is append-only: a correction declares an earlier event in error and may replace it.',
        security: bearerSecurity,
        headers: idempotencyKeyHeaders,
        body: eventInput,
        response: {
          201: z.object({
            event: eventSchema,
            replacement: eventSchema.nullable(),
            createdLotCodes: z.array(z.string()),
            shipmentId: z.string().nullable(),
          }),
          400: problemSchema,
          403: problemSchema,
          409: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) =>
      sendAnswered(reply, 201, await service.recordOnce(principalOf(request), request.body, idempotencyOf(request, reply, 201))),
  );

  app.get(
    '/events',
    {
      schema: {
        tags,
        summary: "Events, newest first: an operator's own; regulators any party's",
        security: bearerSecurity,
        querystring: z.object({
          partyCode: serviceCodeFilter('party'),
          type: z.enum(EVENT_TYPES).optional(),
          lotCode: serviceCodeFilter('lot', 'container'),
          from: timestampSchema.optional(),
          to: timestampSchema.optional(),
          limit: queryInteger(1, 1000).prefault(100),
          offset: queryInteger(0).prefault(0),
        }),
        response: { 200: z.object({ items: z.array(eventSchema) }), 403: problemSchema },
      },
    },
    async (request) => {
      const { from, to, ...rest } = request.query;
      return {
        items: await service.list(principalOf(request), {
          ...rest,
          from: from ? new Date(from) : undefined,
          to: to ? new Date(to) : undefined,
        }),
      };
    },
  );

  app.get(
    '/events/:id',
    {
      schema: {
        tags,
        summary: 'One event',
        description:
          'An operator reads its own event under the id. When several parties hold an event under one eventID, a regulator or admin names the party with `?partyCode=`, or is answered 300 with each party and where its event is read.',
        security: bearerSecurity,
        params: z.object({ id: idSchema }),
        querystring: heldEventQuery,
        response: { 200: eventSchema, 300: eventHoldersSchema, 400: problemSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const held = await service.get(principalOf(request), id, request.query.partyCode);
      if ('event' in held) return held.event;
      return reply
        .code(300)
        .type('application/problem+json')
        .send(eventHolders(`/events/${encodeURIComponent(id)}`, id, held.holders, request.url));
    },
  );
};
