import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { plainIdentifier, plainIdentifierSchema } from '../codes/service-codes.js';
import { timestampSchema } from '../codes/timestamp.js';
import { idSchema } from '../codes/uuid.js';
import { presenting } from '../db/idempotency.js';
import { badRequest, Problem, problemSchema } from '../errors/problem.js';
import { eventHolders, eventHoldersSchema, heldEventQuery } from '../events/held.js';
import { idempotencyKeyHeaders, idempotencyOf, sendAnswered } from '../http/idempotency.js';
import { acceptsAnyOf } from '../http/negotiate.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { locatedJsonResponse } from '../http/responses.js';
import {
  MATCHES,
  parseJobPaging,
  parseLotPaging,
  parseQueryPaging,
  parseValuePaging,
  perPageQuery,
  QUERY_NAME,
  QUERY_PARAMETERS,
  TYPED_LISTS,
} from './query-params.js';

/** The parameters named by a type (EQ_bizTransaction_<type>, …), as the documentation writes them. */
const TYPED_PARAMETERS = Object.keys(TYPED_LISTS).map((prefix) => `${prefix}<type>`);

import { EPC_FORMATS, type EpcFormat } from './render.js';
import type { EventMatch } from './repository.js';
import {
  epcisDocumentBody,
  epcisEventBody,
  eventResponse,
  pagedJsonResponse,
  queryDocumentResponse,
  valueSetResponse,
  versionHeaders,
} from './schemas.js';
import { CAPTURE_LIMIT_EVENTS, type EpcisService } from './service.js';
import type { SubscriptionRow, SubscriptionService } from './subscriptions.js';
import { CBV_VERSION, EPCIS_VERSION, VERSION_MAX_LENGTH, VERSION_PATTERN, VERSION_RANGE_HEADERS, versionRangeProblem } from './versions.js';
import { MAX_DEST_LENGTH } from './webhooks.js';

/** Every role an identifier may have in an event (MATCH_anyEPC's and MATCH_anyEPCClass's together). */
const ANY_ROLE = [...new Set([...MATCHES.MATCH_anyEPC.roles, ...MATCHES.MATCH_anyEPCClass.roles])];

export const CAPTURE_LIMIT_BYTES = 16 * 1024 * 1024;
/** What EPCIS routes read and answer in (JSON-LD is JSON): a reader must take one of them. */
const EPCIS_JSON = ['application/ld+json', 'application/json'];

const captureJobSchema = z
  .object({
    captureID: z.string(),
    running: z.boolean(),
    success: z.boolean(),
    captureErrorBehaviour: z.enum(['rollback', 'proceed']),
    total: z.number().int(),
    captured: z.number().int(),
    duplicates: z.number().int().describe('events already stored (same eventID or event hash): not errors'),
    errors: z.array(
      z.object({
        eventIndex: z.number().int().nullable(),
        eventId: z.string().nullable(),
        pointer: z.string(),
        message: z.string(),
        type: z
          .string()
          .optional()
          .describe('the problem type of the refusal, as POST /epcis/events would answer it (absent from jobs stored before it was kept)'),
        status: z.number().int().optional().describe('its HTTP status, likewise'),
      }),
    ),
    eventIDs: z.array(z.string()),
  })
  .meta({ id: 'EpcisCaptureJob' });

/**
 * An EPCIS answer as JSON-LD text, as it was built: a string passes the response serializer by, which
 * would encode it through the declared schema and move or drop the members it does not list (an
 * event's extension fields).
 */
const sendJsonLd = (reply: FastifyReply, body: object) => reply.type('application/ld+json').send(JSON.stringify(body));

/** The format asked for (No_Preference when none is); undefined for a value the standard does not define. */
const epcFormatOf = (request: FastifyRequest): EpcFormat | undefined => {
  const asked = request.headers['gs1-epc-format'] ?? 'No_Preference';
  return EPC_FORMATS.includes(asked as EpcFormat) ? (asked as EpcFormat) : undefined;
};
/** The format a route renders identifiers in (its headers schema has refused any other value). */
const formatAsked = (request: FastifyRequest): EpcFormat => {
  const format = epcFormatOf(request);
  if (!format)
    throw badRequest('GS1-EPC-Format: not a value the standard defines', [
      { in: 'headers', pointer: '/gs1-epc-format', detail: `one of ${EPC_FORMATS.join(', ')}` },
    ]);
  return format;
};
/** GS1-EPC-Format, validated like GS1-Capture-Error-Behaviour: another value is a 400 naming the header. */
const epcFormatHeaders = z.object({
  'gs1-epc-format': z
    .enum(EPC_FORMATS)
    .optional()
    .describe('how identifiers are rendered: No_Preference (the default) and Never_Translates as captured'),
});

/** The REST binding's version range headers, which every EPCIS route reads (versionRangeProblem). */
const versionRangeHeaders = Object.fromEntries(
  VERSION_RANGE_HEADERS.map(({ header, name, standard, version, lower }) => [
    header,
    z
      .string()
      .max(VERSION_MAX_LENGTH)
      .regex(new RegExp(VERSION_PATTERN))
      .optional()
      .describe(
        `the ${lower ? 'lowest' : 'highest'} ${standard} version the client takes: a range without ${version}, the one this service answers in, is a 406 naming ${name}`,
      ),
  ]),
);

/** Whether a request's path is one of EPCIS's: `/epcis` or under it. */
const isEpcisPath = (url: string) => {
  const path = url.split('?', 1)[0];
  return path === '/epcis' || path.startsWith('/epcis/');
};

/**
 * The version range a request to an EPCIS path asks for, refused (versionRangeProblem) when it leaves
 * out the versions this service answers in: the one rule of every EPCIS request, run by these routes
 * and by the OPTIONS answer of src/plugins/cors.ts, which answers OPTIONS of the paths without an
 * OPTIONS route of their own.
 */
export const epcisVersionRange = async (request: FastifyRequest) => {
  if (!isEpcisPath(request.url)) return;
  const problem = versionRangeProblem(request.headers);
  if (problem) throw problem;
};

/**
 * The headers of every EPCIS answer, errors included: the versions, and the GS1-EPC-Format used. An
 * onSend hook of the app's, not of these routes alone: OPTIONS of an EPCIS path (answered by
 * src/plugins/cors.ts), which the REST binding has a client ask for the versions, and a path under
 * /epcis no route serves are EPCIS answers too.
 */
export const epcisAnswerHeaders = async (request: FastifyRequest, reply: FastifyReply) => {
  if (!isEpcisPath(request.url)) return;
  reply.header('GS1-EPCIS-Version', EPCIS_VERSION);
  reply.header('GS1-CBV-Version', CBV_VERSION);
  // an unknown value is refused (on the routes that render identifiers) and never echoed as if used
  const format = epcFormatOf(request);
  if (format) reply.header('GS1-EPC-Format', format);
};

export const epcisRoutes: FastifyPluginAsyncZod<{ service: EpcisService; subscriptions: SubscriptionService }> = async (
  app,
  { service, subscriptions },
) => {
  const tags = ['EPCIS 2.0'];
  // every answer of these routes, errors included, carries them: the OpenAPI document declares them on
  // each, with the version range headers every route reads and the 406 of a range or Accept it cannot meet
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, answerHeaders: versionHeaders };
    const schema = route.schema ?? {};
    const own = schema.headers instanceof z.ZodObject ? schema.headers.shape : {};
    route.schema = {
      ...schema,
      // loose: the other headers of the request stay as they were sent
      headers: z.looseObject({ ...own, ...versionRangeHeaders }),
      response: { ...(schema.response as object), 406: problemSchema },
    };
  });
  // (the headers themselves: epcisAnswerHeaders, a hook of the app's, so that OPTIONS and paths no route serves get them too)
  // a reader that takes neither JSON-LD nor JSON (one asking for EPCIS XML, say) is told so, not sent what it cannot read
  app.addHook('onRequest', async (request) => {
    if ((request.method === 'GET' || request.method === 'HEAD') && !acceptsAnyOf(request.headers.accept, EPCIS_JSON)) {
      throw new Problem(406, 'not-acceptable', 'Not acceptable', `this service answers ${EPCIS_JSON.join(' or ')} only`, [
        { in: 'headers', pointer: '/accept', detail: `must allow ${EPCIS_JSON.join(' or ')}` },
      ]);
    }
    // so is one whose GS1-EPCIS-Min/Max or GS1-CBV-Min/Max leave out the versions it answers in, before
    // anything is read or stored
    await epcisVersionRange(request);
  });
  // the server's body limit applies; only the capture routes raise it (their own bodyLimit)
  app.addContentTypeParser('application/ld+json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(Object.assign(error as Error, { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
    }
  });

  /** What a job's own answer and its line in the listing share. */
  const jobState = (
    job: Pick<Awaited<ReturnType<EpcisService['captureJob']>>, 'id' | 'status' | 'errorBehaviour' | 'total' | 'captured' | 'duplicates'>,
  ) => ({
    captureID: job.id,
    running: job.status === 'queued' || job.status === 'running',
    success: job.status === 'success',
    captureErrorBehaviour: job.errorBehaviour as 'rollback',
    total: job.total,
    captured: job.captured,
    duplicates: job.duplicates,
  });
  const captureJob = (job: Awaited<ReturnType<EpcisService['captureJob']>>) => ({
    ...jobState(job),
    errors: job.errors,
    eventIDs: job.eventIds,
  });

  /** What OPTIONS /epcis/capture answers with, besides the headers of every EPCIS answer. */
  const captureLimitHeaders = {
    Allow: { type: 'string', const: 'OPTIONS, GET, HEAD, POST', description: 'the methods of /epcis/capture' },
    'GS1-EPCIS-Capture-Limit': {
      type: 'string',
      const: String(CAPTURE_LIMIT_EVENTS),
      description: 'the most events one EPCISDocument may carry',
    },
    'GS1-EPCIS-Capture-File-Size-Limit': {
      type: 'string',
      const: String(CAPTURE_LIMIT_BYTES),
      description: 'the most bytes one EPCISDocument may have',
    },
    'GS1-Capture-Error-Behaviour': {
      type: 'string',
      const: 'rollback, proceed',
      description: 'the values GS1-Capture-Error-Behaviour may take on POST /epcis/capture (rollback when none is given)',
    },
    Vary: {
      type: 'string',
      description: 'Access-Control-Request-Headers: the CORS answer (src/plugins/cors.ts) names the headers a preflight asked for',
    },
  };
  app.options(
    '/epcis/capture',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Capture limits (204 with their headers; a CORS preflight gets them too)',
        response: { 204: z.null().meta({ description: 'The capture limits, in the headers', headers: captureLimitHeaders }) },
      },
    },
    async (_request, reply) =>
      reply
        .header('allow', captureLimitHeaders.Allow.const)
        .header('GS1-EPCIS-Capture-Limit', captureLimitHeaders['GS1-EPCIS-Capture-Limit'].const)
        .header('GS1-EPCIS-Capture-File-Size-Limit', captureLimitHeaders['GS1-EPCIS-Capture-File-Size-Limit'].const)
        .header('GS1-Capture-Error-Behaviour', captureLimitHeaders['GS1-Capture-Error-Behaviour'].const)
        .code(204)
        .send(null),
  );

  app.post(
    '/epcis/capture',
    {
      bodyLimit: CAPTURE_LIMIT_BYTES,
      schema: {
        tags,
        summary: 'Capture an EPCISDocument (asynchronous; 202 with the capture job URL)',
        security: bearerSecurity,
        consumes: EPCIS_JSON,
        headers: z.object({ 'gs1-capture-error-behaviour': z.enum(['rollback', 'proceed']).optional() }),
        body: epcisDocumentBody.describe('an EPCISDocument (JSON-LD), validated against the GS1 JSON Schema and CBV'),
        response: {
          202: locatedJsonResponse(captureJobSchema, 'The capture job, running', 'the capture job: /epcis/capture/{captureID}'),
          400: problemSchema,
          403: problemSchema,
          413: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const job = await service.capture(principalOf(request), request.body, request.headers['gs1-capture-error-behaviour'] ?? 'rollback');
      return reply.code(202).header('location', `/epcis/capture/${job.id}`).send(captureJob(job));
    },
  );

  /** A query string of paging alone: any other parameter would be ignored, so it is refused by name. */
  const pagingOnly = (refusal: string) =>
    z
      .object({
        perPage: perPageQuery,
        nextPageToken: z.string().optional().describe('from the Link header of the previous page'),
      })
      .catchall(z.unknown().refine(() => false, { error: refusal }));

  const captureJobSummarySchema = captureJobSchema
    .omit({ errors: true, eventIDs: true })
    .extend({
      errorCount: z.number().int().describe('the errors listed at the job’s own URL'),
      createdAt: z.date(),
      finishedAt: z.date().nullable(),
    })
    .meta({ id: 'EpcisCaptureJobSummary' });
  app.get(
    '/epcis/capture',
    {
      schema: {
        tags,
        summary:
          'Your capture jobs (every party’s for regulators and admins), newest first, each without its event ids and errors, which GET /epcis/capture/{captureID} gives (paged with nextPageToken and a Link header)',
        security: bearerSecurity,
        querystring: pagingOnly('only perPage and nextPageToken may be given'),
        response: {
          200: pagedJsonResponse(z.object({ items: z.array(captureJobSummarySchema) }), 'A page of capture jobs, newest first'),
          400: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const page = await service.captureJobs(principalOf(request), parseJobPaging(request.query));
      linkNextPage(request, reply, page.nextPageToken);
      return {
        items: page.jobs.map((job) => ({
          ...jobState(job),
          errorCount: job.errorCount,
          createdAt: job.createdAt,
          finishedAt: job.finishedAt,
        })),
      };
    },
  );

  app.get(
    '/epcis/capture/:captureID',
    {
      schema: {
        tags,
        summary: 'A capture job: running, success, or errors per event',
        security: bearerSecurity,
        params: z.object({ captureID: idSchema }),
        response: { 200: captureJobSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => captureJob(await service.captureJob(principalOf(request), request.params.captureID)),
  );

  const singleCaptureSchema = z.object({ eventID: z.string(), duplicate: z.boolean() });
  app.post(
    '/epcis/events',
    {
      schema: {
        tags,
        summary:
          'Capture one EPCIS event (201; an event already stored is reported as a duplicate, its eventID reused for another event is a 409)',
        security: bearerSecurity,
        consumes: EPCIS_JSON,
        body: epcisEventBody,
        response: {
          200: locatedJsonResponse(
            singleCaptureSchema,
            'The event was already stored (same eventID or event hash): not stored again',
            'the event stored: /epcis/events/{eventID}',
          ),
          201: locatedJsonResponse(singleCaptureSchema, 'The event, stored', 'the event: /epcis/events/{eventID}'),
          400: problemSchema,
          403: problemSchema,
          409: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const outcome = await service.captureSingle(principalOf(request), request.body);
      return reply
        .code(outcome.duplicate ? 200 : 201)
        .header('location', `/epcis/events/${encodeURIComponent(outcome.eventId)}`)
        .send({ eventID: outcome.eventId, duplicate: outcome.duplicate });
    },
  );

  const runQuery = (request: FastifyRequest, fixed: Record<string, string[]> = {}, also: ({ values: string[] } & EventMatch)[] = []) => {
    const asked = request.query as Record<string, unknown>;
    // a parameter the path gives (the bizStep of /epcis/bizSteps/{value}/events) would be overridden
    // by it, so given in the query too it is refused by name, never silently ignored
    const overridden = Object.keys(fixed).find((name) => asked[name] !== undefined);
    if (overridden !== undefined)
      throw badRequest(`${overridden}: given by the path`, [
        { in: 'querystring', pointer: `/${overridden}`, detail: 'the path gives it; a value given here too would be ignored' },
      ]);
    return service.queryByParameters(principalOf(request), { ...asked, ...fixed }, formatAsked(request), also);
  };
  const linkNextPage = (request: FastifyRequest, reply: FastifyReply, token: string | null) => {
    if (!token) return;
    const url = new URL(request.url, 'http://local');
    url.searchParams.set('nextPageToken', token);
    reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  };

  // every parameter documented one by one; others are kept (catchall) so that the query can refuse them by name
  const listOrOne = z.union([z.string(), z.array(z.string())]);
  const queryParams = z
    .object({
      ...Object.fromEntries(QUERY_PARAMETERS.map((name) => [name, listOrOne.optional()])),
      perPage: perPageQuery,
      nextPageToken: listOrOne.optional(),
    })
    .catchall(listOrOne)
    .describe(`lists: repeat the parameter or separate values with |; also ${TYPED_PARAMETERS.join(', ')}`);

  app.get(
    '/epcis/events',
    {
      schema: {
        tags,
        summary: 'Query events (EPCISQueryDocument, paged with nextPageToken and a Link header)',
        security: bearerSecurity,
        headers: epcFormatHeaders,
        querystring: queryParams,
        response: { 200: queryDocumentResponse, 400: problemSchema, 413: problemSchema },
      },
    },
    async (request, reply) => {
      const result = await runQuery(request);
      linkNextPage(request, reply, result.nextPageToken);
      return sendJsonLd(reply, service.queryDocument(result));
    },
  );

  app.get(
    '/epcis/events/:eventID',
    {
      schema: {
        tags,
        summary: 'One event by its eventID',
        description:
          'A party reads its own event under the eventID. When several parties hold an event under it, a regulator or admin names the party with `?partyCode=`, or is answered 300 with each party and where its event is read.',
        security: bearerSecurity,
        headers: epcFormatHeaders,
        params: z.object({ eventID: plainIdentifierSchema }),
        querystring: heldEventQuery,
        response: { 200: eventResponse, 300: eventHoldersSchema, 400: problemSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const { eventID } = request.params;
      const held = await service.event(principalOf(request), eventID, request.query.partyCode);
      if ('event' in held) return sendJsonLd(reply, (await service.formatter(formatAsked(request)))(held.event));
      return reply
        .code(300)
        .type('application/problem+json')
        .send(eventHolders(`/epcis/events/${encodeURIComponent(eventID)}`, eventID, held.holders, request.url));
    },
  );

  const resources = [
    ['eventTypes', 'eventType', 'eventType'],
    ['epcs', 'epc', null],
    ['bizSteps', 'bizStep', 'EQ_bizStep'],
    ['bizLocations', 'bizLocation', 'EQ_bizLocation'],
    ['readPoints', 'readPoint', 'EQ_readPoint'],
    ['dispositions', 'disposition', 'EQ_disposition'],
  ] as const;
  app.get(
    '/epcis/epcs',
    {
      schema: {
        tags,
        summary:
          'The EPCs and classes the events you may read name, of the objects you may read (an operator: those its party owned, held or was sent), each object once, in the order of their codes here and its EPCs in order (perPage counts the EPCs listed; paged with nextPageToken and a Link header)',
        security: bearerSecurity,
        headers: epcFormatHeaders,
        querystring: pagingOnly('only perPage and nextPageToken may be given'),
        response: { 200: valueSetResponse(true), 400: problemSchema },
      },
    },
    async (request, reply) => {
      const page = await service.epcs(principalOf(request), formatAsked(request), parseLotPaging(request.query));
      linkNextPage(request, reply, page.nextPageToken);
      return { '@set': page.values };
    },
  );
  for (const [path, what, parameter] of resources) {
    if (what !== 'epc')
      app.get(
        `/epcis/${path}`,
        {
          schema: {
            tags,
            summary: `The ${path} in events you may read, in order (paged with nextPageToken and a Link header)`,
            security: bearerSecurity,
            headers: epcFormatHeaders,
            querystring: pagingOnly('only perPage and nextPageToken may be given'),
            response: { 200: valueSetResponse(false), 400: problemSchema },
          },
        },
        async (request, reply) => {
          const page = await service.vocabulary(principalOf(request), what, formatAsked(request), parseValuePaging(request.query, what));
          linkNextPage(request, reply, page.nextPageToken);
          return { '@set': page.values };
        },
      );
    app.get(
      `/epcis/${path}/:value/events`,
      {
        schema: {
          tags,
          summary: `Events with this ${what} (paged with nextPageToken and a Link header)`,
          security: bearerSecurity,
          headers: epcFormatHeaders,
          params: z.object({ value: z.string() }),
          querystring: queryParams,
          response: { 200: queryDocumentResponse, 400: problemSchema, 413: problemSchema },
        },
      },
      async (request, reply) => {
        // /epcis/epcs lists EPCs and classes alike: an EPC's events are those naming it as either
        // (MATCH_anyEPC or MATCH_anyEPCClass, which would each find one kind only)
        const result = parameter
          ? await runQuery(request, { [parameter]: [request.params.value] })
          : await runQuery(request, {}, [{ values: [plainIdentifier(request.params.value)], roles: ANY_ROLE }]);
        linkNextPage(request, reply, result.nextPageToken);
        return sendJsonLd(reply, service.queryDocument(result));
      },
    );
  }

  const queryTags = ['EPCIS 2.0 queries and subscriptions'];
  const namedQuerySchema = z
    .object({ name: z.string(), query: z.record(z.string(), z.array(z.string())), createdAt: z.date() })
    .meta({ id: 'EpcisNamedQuery' });
  const subscriptionSchema = z
    .object({
      subscriptionID: z.string(),
      queryName: z.string(),
      dest: z.string(),
      stream: z.boolean(),
      schedule: z.record(z.string(), z.string()).nullable(),
      reportIfEmpty: z.boolean(),
      status: z
        .enum(['active', 'stopped'])
        .describe('stopped: no more deliveries until it is resumed (POST …/resume), see stopReason; its undelivered events wait'),
      failures: z.number().int().describe('deliveries in a row that failed (0 once one succeeds)'),
      lastError: z
        .string()
        .nullable()
        .describe('why the last delivery failed (the status the webhook answered, or the kind of network failure) or why it is paused'),
      failingSince: z.date().nullable().describe('when the first of the failed deliveries in a row failed'),
      nextAttemptAt: z.date().nullable().describe('when a failed delivery is tried again'),
      stoppedAt: z.date().nullable(),
      stopReason: z
        .string()
        .nullable()
        .describe(
          'the webhook answered 410 Gone, or deliveries failed too many times (WEBHOOK_STOP_AFTER_FAILURES) or too long in a row (WEBHOOK_STOP_AFTER_HOURS)',
        ),
      createdAt: z.date(),
    })
    .meta({ id: 'EpcisSubscription' });
  const namedQuery = (row: { name: string; params: Record<string, string[]>; createdAt: Date }) => ({
    name: row.name,
    query: row.params,
    createdAt: row.createdAt,
  });
  const subscription = (row: SubscriptionRow) => ({
    subscriptionID: row.id,
    queryName: row.queryName,
    dest: row.dest,
    stream: row.stream === 1,
    schedule: row.schedule,
    // a stream sends no empty report (one stored with it before it was refused does not either)
    reportIfEmpty: row.reportIfEmpty === 1 && row.stream !== 1,
    status: row.stoppedAt ? ('stopped' as const) : ('active' as const),
    failures: row.failures,
    lastError: row.lastError,
    failingSince: row.failingSince,
    nextAttemptAt: row.nextAttemptAt,
    stoppedAt: row.stoppedAt,
    stopReason: row.stopReason,
    createdAt: row.createdAt,
  });
  const nameParam = z.object({ queryName: z.string().min(1).max(100) });
  /** A schedule field as written (its values are checked by the service: subscriptionRequestProblems). */
  const scheduleField = z.string().max(200);

  app.post(
    '/epcis/queries',
    {
      schema: {
        tags: queryTags,
        summary: 'Create a named query (the parameters of GET /epcis/events)',
        security: bearerSecurity,
        headers: idempotencyKeyHeaders,
        body: z.object({
          name: z
            .string()
            .regex(QUERY_NAME, { error: 'letters, digits, _ . - (1–100)' })
            // . and .. are dot segments: a client removes them from the Location before following it
            .refine((name) => !/^\.+$/.test(name), { error: 'not dots alone' }),
          query: z
            .record(z.string(), z.union([z.string(), z.array(z.string())]))
            .describe([...QUERY_PARAMETERS, ...TYPED_PARAMETERS].join(', ')),
        }),
        response: {
          201: locatedJsonResponse(namedQuerySchema, 'The named query', 'the named query: /epcis/queries/{queryName}'),
          400: problemSchema,
          409: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const answered = await subscriptions.createQueryOnce(
        principalOf(request),
        request.body.name,
        request.body.query,
        presenting(idempotencyOf(request, reply, 201), namedQuery),
      );
      // a replay's body is the query as it was made (its name among it)
      const made: { name: string } = answered.replayed ? JSON.parse(answered.body) : answered.answer;
      reply.header('location', `/epcis/queries/${made.name}`);
      return sendAnswered(reply, 201, answered.replayed ? answered : { replayed: false, answer: namedQuery(answered.answer) });
    },
  );
  app.get(
    '/epcis/queries',
    {
      schema: {
        tags: queryTags,
        summary: 'Your named queries, in the order of their names (paged with nextPageToken and a Link header)',
        security: bearerSecurity,
        querystring: pagingOnly('only perPage and nextPageToken may be given'),
        response: {
          200: pagedJsonResponse(z.object({ items: z.array(namedQuerySchema) }), 'A page of your named queries'),
          400: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const page = await subscriptions.listQueries(principalOf(request), parseQueryPaging(request.query));
      linkNextPage(request, reply, page.nextPageToken);
      return { items: page.queries.map(namedQuery) };
    },
  );
  app.get(
    '/epcis/queries/:queryName',
    {
      schema: {
        tags: queryTags,
        summary: 'One named query',
        security: bearerSecurity,
        params: nameParam,
        response: { 200: namedQuerySchema, 404: problemSchema },
      },
    },
    async (request) => namedQuery(await subscriptions.namedQuery(principalOf(request), request.params.queryName)),
  );
  app.delete(
    '/epcis/queries/:queryName',
    {
      schema: {
        tags: queryTags,
        summary: 'Delete a named query and its subscriptions',
        security: bearerSecurity,
        params: nameParam,
        response: { 204: z.null(), 404: problemSchema },
      },
    },
    async (request, reply) => {
      await subscriptions.deleteQuery(principalOf(request), request.params.queryName);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/epcis/queries/:queryName/events',
    {
      schema: {
        tags: queryTags,
        summary: 'Run a named query (paged with nextPageToken and a Link header)',
        security: bearerSecurity,
        headers: epcFormatHeaders,
        params: nameParam,
        // the stored parameters are the query: one given here would be ignored, so it is refused by name
        querystring: pagingOnly('a named query runs with its stored parameters; only perPage and nextPageToken may be given'),
        response: { 200: queryDocumentResponse, 400: problemSchema, 404: problemSchema, 413: problemSchema, 422: problemSchema },
      },
    },
    async (request, reply) => {
      const stored = await subscriptions.runnableQuery(principalOf(request), request.params.queryName);
      const result = await runQuery(request, stored.params);
      linkNextPage(request, reply, result.nextPageToken);
      return sendJsonLd(reply, service.queryDocument(result, { queryName: stored.name }));
    },
  );
  app.post(
    '/epcis/queries/:queryName/subscriptions',
    {
      schema: {
        tags: queryTags,
        summary:
          'Subscribe a webhook to a named query: stream (new events as they are recorded) or on a schedule; delivered at least once, with retries',
        description:
          'Deliveries are POSTed as EPCISQueryDocuments, whose queryResults name the subscription (subscriptionID) and the named query (queryName); with a signatureToken they carry GS1-Signature: hex HMAC-SHA256 of the body.',
        security: bearerSecurity,
        headers: idempotencyKeyHeaders,
        params: nameParam,
        body: z.object({
          dest: z.url({ protocol: /^https?$/ }).max(MAX_DEST_LENGTH),
          signatureToken: z.string().min(8).max(200).optional(),
          stream: z.boolean().optional(),
          schedule: z
            .object({
              second: scheduleField,
              minute: scheduleField,
              hour: scheduleField,
              dayOfMonth: scheduleField,
              month: scheduleField,
              dayOfWeek: scheduleField,
            })
            .partial()
            // a field the standard does not have (hours for hour) is named, never dropped: the
            // schedule without it would deliver every minute
            .catchall(
              z.unknown().refine(() => false, { error: 'not a schedule field: second, minute, hour, dayOfMonth, month or dayOfWeek' }),
            )
            // as the document says it: no other field
            .meta({ additionalProperties: false })
            .optional()
            .describe(
              'UTC; each field *, a number, a list 1,15 or a range [9-17] (as the EPCIS standard writes it; 9-17 too), or a list of these',
            ),
          reportIfEmpty: z.boolean().optional(),
          initialRecordTime: timestampSchema.optional().describe('deliver events recorded after this time (default: now)'),
        }),
        response: {
          201: locatedJsonResponse(
            subscriptionSchema,
            'The subscription',
            'the subscription: /epcis/queries/{queryName}/subscriptions/{subscriptionID}',
          ),
          400: problemSchema,
          404: problemSchema,
          409: problemSchema,
          422: problemSchema,
          429: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const answered = await subscriptions.subscribeOnce(
        principalOf(request),
        request.params.queryName,
        request.body,
        presenting(idempotencyOf(request, reply, 201), subscription),
      );
      // a replay's body is the subscription as it was made (its query and id among it)
      const made = answered.replayed
        ? (JSON.parse(answered.body) as { queryName: string; subscriptionID: string })
        : subscription(answered.answer);
      reply.header('location', `/epcis/queries/${encodeURIComponent(made.queryName)}/subscriptions/${made.subscriptionID}`);
      return sendAnswered(reply, 201, answered.replayed ? answered : { replayed: false, answer: made });
    },
  );
  app.get(
    '/epcis/queries/:queryName/subscriptions',
    {
      schema: {
        tags: queryTags,
        summary: 'Subscriptions of a named query',
        security: bearerSecurity,
        params: nameParam,
        response: { 200: z.object({ items: z.array(subscriptionSchema) }), 404: problemSchema },
      },
    },
    async (request) => ({ items: (await subscriptions.subscriptions(principalOf(request), request.params.queryName)).map(subscription) }),
  );
  app.get(
    '/epcis/queries/:queryName/subscriptions/:subscriptionID',
    {
      schema: {
        tags: queryTags,
        summary: 'One subscription of a named query',
        security: bearerSecurity,
        params: nameParam.extend({ subscriptionID: idSchema }),
        response: { 200: subscriptionSchema, 404: problemSchema },
      },
    },
    async (request) =>
      subscription(await subscriptions.subscription(principalOf(request), request.params.queryName, request.params.subscriptionID)),
  );
  app.post(
    '/epcis/queries/:queryName/subscriptions/:subscriptionID/resume',
    {
      schema: {
        tags: queryTags,
        summary: 'Resume a stopped subscription',
        description:
          'Deliveries go on from where they stopped: events recorded meanwhile are delivered, none skipped. A subscription that is not stopped is left as it is. A stopped one is checked again as subscribing checks it: its named query must still run and its destination pass the destination check (422 naming the stored one, 429 while too many are being checked); refused, it stays stopped.',
        security: bearerSecurity,
        params: nameParam.extend({ subscriptionID: idSchema }),
        response: { 200: subscriptionSchema, 404: problemSchema, 422: problemSchema, 429: problemSchema },
      },
    },
    async (request) =>
      subscription(await subscriptions.resume(principalOf(request), request.params.queryName, request.params.subscriptionID)),
  );
  app.delete(
    '/epcis/queries/:queryName/subscriptions/:subscriptionID',
    {
      schema: {
        tags: queryTags,
        summary: 'Unsubscribe',
        security: bearerSecurity,
        params: nameParam.extend({ subscriptionID: idSchema }),
        response: { 204: z.null(), 404: problemSchema },
      },
    },
    async (request, reply) => {
      await subscriptions.unsubscribe(principalOf(request), request.params.queryName, request.params.subscriptionID);
      return reply.code(204).send(null);
    },
  );
};
