import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serviceCodeFilter } from '../codes/service-codes.js';
import { timestampSchema } from '../codes/timestamp.js';
import { idSchema } from '../codes/uuid.js';
import { problemSchema } from '../errors/problem.js';
import { idempotencyKeyHeaders, idempotencyOf, sendAnswered } from '../http/idempotency.js';
import { checkListPaging, linkNextPage, listPageTokenSchema } from '../http/page-token.js';
import { queryInteger } from '../http/query.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { eventHolders, eventHoldersSchema, heldEventQuery } from './held.js';
import { EVENT_LIST_ORDER, EVENT_TYPES, eventInput, eventSchema } from './schemas.js';
import { type EventService, listedBy } from './service.js';
import { isEventKey, syncCursorSchema, syncStart } from './sync.js';

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
        summary: "Events: an operator's own; regulators any party's. Newest first, or in record order to sync",
        description:
          'Without `recordedFrom` and `after`: newest first by event time (then id), `limit` at `offset` or after a `pageToken`: a page ends with `next` and a `Link: <…>; rel="next"` header when a further event exists (neither on the last page); follow the link, or pass `next` back as `pageToken` with the same filters, and a walk lists every event once, whatever is recorded meanwhile (`offset` goes only without `pageToken`). With either: a sync page, the events recorded since in record order (recordTime, then id), and `next`, the cursor to pass back as `after` for the next page (always given; a page shorter than `limit` has caught up for now). A sync page ends before any write still in flight, so following the cursors reads every event once; an `offset` other than 0 is refused with it (400 at `offset`).',
        security: bearerSecurity,
        querystring: z
          .object({
            partyCode: serviceCodeFilter('party'),
            type: z.enum(EVENT_TYPES).optional(),
            lotCode: serviceCodeFilter('lot', 'container'),
            from: timestampSchema.optional().describe('event time at or after'),
            to: timestampSchema.optional().describe('event time before'),
            recordedFrom: timestampSchema.optional().describe('sync the events recorded at or after this time'),
            after: syncCursorSchema.optional().describe("sync on from a page's `next`"),
            limit: queryInteger(1, 1000).prefault(100),
            offset: queryInteger(0).prefault(0).describe('newest first only: the events skipped; 0 with a pageToken'),
            pageToken: listPageTokenSchema(EVENT_LIST_ORDER, isEventKey)
              .optional()
              .describe('newest first only: the `next` of the previous page (its Link header), asked with the same filters'),
          })
          .superRefine((query, context) => {
            const syncing = query.recordedFrom !== undefined || query.after !== undefined;
            if (query.offset !== 0 && syncing)
              context.addIssue({
                code: 'custom',
                path: ['offset'],
                message: 'a sync page (recordedFrom, after) goes on with `after`, not an offset',
              });
            if (query.pageToken !== undefined && syncing)
              context.addIssue({
                code: 'custom',
                path: ['pageToken'],
                message: 'a sync page (recordedFrom, after) goes on with `after`, not a page token',
              });
            const { partyCode, type, lotCode, from, to } = query;
            checkListPaging(
              query,
              listedBy({ partyCode, type, lotCode, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined }),
              context,
            );
          }),
        response: {
          200: z.object({
            items: z.array(eventSchema),
            next: z
              .string()
              .optional()
              .describe(
                'sync pages: the cursor to pass back as `after` (always given); newest first: the token of the next page, to pass back as `pageToken` (absent on the last page)',
              ),
            settledBefore: z
              .string()
              .optional()
              .describe(
                'sync pages: the record time the page read up to (every event recorded before it had committed); behind now by 2 s, and by as long as a write of the service has been in flight',
              ),
          }),
          403: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const { from, to, recordedFrom, after, limit, offset, pageToken, ...rest } = request.query;
      const filter = { ...rest, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined };
      const start = syncStart(after, recordedFrom ? new Date(recordedFrom) : undefined);
      if (start) return service.sync(principalOf(request), filter, start, limit);
      const page = await service.list(principalOf(request), { ...filter, limit, offset, pageToken });
      linkNextPage(reply, '/events', { ...listedBy(filter), limit }, page.next);
      return page;
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
