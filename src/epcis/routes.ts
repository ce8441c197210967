import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bearerSecurity, principalOf } from '../http/authenticate.js';
import { badRequest, problemSchema } from '../http/problem.js';
import { EPCIS_TYPES } from './mapping.js';
import { CAPTURE_LIMIT_EVENTS, decodePageToken, type EpcisService } from './service.js';

export const CAPTURE_LIMIT_BYTES = 16 * 1024 * 1024;
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
    errors: z.array(z.object({ eventIndex: z.number().int().nullable(), eventId: z.string().nullable(), pointer: z.string(), message: z.string() })),
    eventIDs: z.array(z.string()),
  })
  .meta({ id: 'EpcisCaptureJob' });

// Query parameters whose values are lists: repeated, or separated by '|' as the EPCIS REST binding allows.
const listOf = (value: unknown): string[] | undefined => {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split('|')).filter(Boolean);
};
const timeOf = (value: unknown, name: string): Date | undefined => {
  if (value === undefined) return undefined;
  const time = new Date(String(value));
  if (Number.isNaN(time.getTime())) throw badRequest(`${name} must be an ISO 8601 date-time`, [{ in: 'querystring', pointer: `/${name}`, detail: 'not a date-time' }]);
  return time;
};

const MATCH_ROLES: Record<string, string[]> = {
  MATCH_epc: ['subject', 'child', 'parent'],
  MATCH_anyEPC: ['subject', 'child', 'parent', 'input', 'output'],
  MATCH_epcClass: ['subject', 'child'],
  MATCH_anyEPCClass: ['subject', 'child', 'input', 'output'],
  MATCH_inputEPC: ['input'],
  MATCH_outputEPC: ['output'],
  MATCH_parentID: ['parent'],
};

export const epcisRoutes: FastifyPluginAsyncZod<{ service: EpcisService }> = async (app, { service }) => {
  const tags = ['EPCIS 2.0'];
  app.addHook('onSend', async (_request, reply) => {
    reply.header('GS1-EPCIS-Version', '2.0.0');
    reply.header('GS1-CBV-Version', '2.0.0');
    reply.header('GS1-EPC-Format', 'Always_GS1_Digital_Link');
  });
  app.addContentTypeParser('application/ld+json', { parseAs: 'string', bodyLimit: CAPTURE_LIMIT_BYTES }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(Object.assign(error as Error, { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
    }
  });

  const captureJob = (job: Awaited<ReturnType<EpcisService['captureJob']>>) => ({
    captureID: job.id,
    running: job.status === 'running',
    success: job.status === 'success',
    captureErrorBehaviour: job.errorBehaviour as 'rollback',
    total: job.total,
    captured: job.captured,
    duplicates: job.duplicates,
    errors: job.errors,
    eventIDs: job.eventIds,
  });

  app.options('/epcis/capture', { config: { public: true }, schema: { tags, summary: 'Capture limits' } }, async (_request, reply) =>
    reply
      .header('allow', 'OPTIONS, POST')
      .header('GS1-EPCIS-Capture-Limit', String(CAPTURE_LIMIT_EVENTS))
      .header('GS1-EPCIS-Capture-File-Size-Limit', String(CAPTURE_LIMIT_BYTES))
      .header('GS1-Capture-Error-Behaviour', 'rollback, proceed')
      .code(204)
      .send(),
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
        body: z.record(z.string(), z.unknown()).describe('an EPCISDocument (JSON-LD), validated against the GS1 JSON Schema and CBV'),
        response: { 202: captureJobSchema, 400: problemSchema, 403: problemSchema, 413: problemSchema },
      },
    },
    async (request, reply) => {
      const events = ((request.body.epcisBody as { eventList?: unknown[] } | undefined)?.eventList ?? []).length;
      if (events > CAPTURE_LIMIT_EVENTS) {
        return reply.code(413).type('application/problem+json').send({
          type: '/problems/capture-limit',
          title: 'Capture limit exceeded',
          status: 413,
          detail: `${events} events; at most ${CAPTURE_LIMIT_EVENTS} per capture (see OPTIONS /epcis/capture)`,
        });
      }
      const job = await service.capture(principalOf(request), request.body, request.headers['gs1-capture-error-behaviour'] ?? 'rollback');
      return reply.code(202).header('location', `/epcis/capture/${job.id}`).send(captureJob(job));
    },
  );

  app.get(
    '/epcis/capture/:captureID',
    {
      schema: {
        tags,
        summary: 'A capture job: running, success, or errors per event',
        security: bearerSecurity,
        params: z.object({ captureID: z.string() }),
        response: { 200: captureJobSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => captureJob(await service.captureJob(principalOf(request), request.params.captureID)),
  );

  app.post(
    '/epcis/events',
    {
      schema: {
        tags,
        summary: 'Capture one EPCIS event (201; an event already stored is reported as a duplicate)',
        security: bearerSecurity,
        consumes: EPCIS_JSON,
        body: z.record(z.string(), z.unknown()),
        response: { 200: z.object({ eventID: z.string(), duplicate: z.boolean() }), 201: z.object({ eventID: z.string(), duplicate: z.boolean() }), 400: problemSchema, 403: problemSchema },
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

  const queryDocument = (events: unknown[]) => ({
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld', { cntrace: 'urn:county-trace:epcis:' }],
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } },
  });

  async function runQuery(request: { query: unknown; url: string; headers: Record<string, unknown> }, fixed: Record<string, string[]> = {}) {
    const query = { ...(request.query as Record<string, unknown>), ...fixed };
    const perPage = query.perPage === undefined ? 30 : Number(query.perPage);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 1000) throw badRequest('perPage must be 1…1000', [{ in: 'querystring', pointer: '/perPage', detail: '1…1000' }]);
    const eventTypes = listOf(query.eventType);
    const unknownType = eventTypes?.find((type) => !(EPCIS_TYPES as string[]).includes(type));
    if (unknownType) throw badRequest(`unknown eventType ${unknownType}`, [{ in: 'querystring', pointer: '/eventType', detail: `one of ${EPCIS_TYPES.join(', ')}` }]);
    const matches = Object.entries(MATCH_ROLES).flatMap(([name, roles]) => {
      const values = listOf(query[name]);
      return values ? [{ values, roles }] : [];
    });
    return service.query(principalOf(request as never), {
      eventTypes,
      eventTimeFrom: timeOf(query.GE_eventTime, 'GE_eventTime'),
      eventTimeBefore: timeOf(query.LT_eventTime, 'LT_eventTime'),
      recordTimeFrom: timeOf(query.GE_recordTime, 'GE_recordTime'),
      recordTimeBefore: timeOf(query.LT_recordTime, 'LT_recordTime'),
      bizSteps: listOf(query.EQ_bizStep),
      dispositions: listOf(query.EQ_disposition),
      readPoints: listOf(query.EQ_readPoint),
      bizLocations: listOf(query.EQ_bizLocation),
      eventIds: listOf(query.EQ_eventID),
      matches,
      after: typeof query.nextPageToken === 'string' ? decodePageToken(query.nextPageToken) : undefined,
      limit: perPage,
    });
  }

  const queryParams = z.record(z.string(), z.union([z.string(), z.array(z.string())])).describe(
    'eventType, GE_eventTime, LT_eventTime, GE_recordTime, LT_recordTime, EQ_bizStep, EQ_disposition, EQ_readPoint, EQ_bizLocation, MATCH_epc, MATCH_anyEPC, MATCH_epcClass, MATCH_anyEPCClass, MATCH_inputEPC, MATCH_outputEPC, MATCH_parentID, EQ_eventID (lists: repeat the parameter or separate with |), perPage, nextPageToken',
  );

  app.get(
    '/epcis/events',
    {
      schema: {
        tags,
        summary: 'Query events (EPCISQueryDocument, paged with nextPageToken and a Link header)',
        security: bearerSecurity,
        querystring: queryParams,
        response: { 400: problemSchema },
      },
    },
    async (request, reply) => {
      const result = await runQuery(request);
      if (result.nextPageToken) {
        const url = new URL(request.url, 'http://local');
        url.searchParams.set('nextPageToken', result.nextPageToken);
        reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
      }
      return reply.type('application/ld+json').send(queryDocument(result.events) as never);
    },
  );

  app.get(
    '/epcis/events/:eventID',
    {
      schema: {
        tags,
        summary: 'One event by its eventID',
        security: bearerSecurity,
        params: z.object({ eventID: z.string() }),
        response: { 403: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => reply.type('application/ld+json').send((await service.event(principalOf(request), request.params.eventID)) as never),
  );

  const resources = [
    ['eventTypes', 'eventType', 'eventType'],
    ['epcs', 'epc', 'MATCH_anyEPC'],
    ['bizSteps', 'bizStep', 'EQ_bizStep'],
    ['bizLocations', 'bizLocation', 'EQ_bizLocation'],
    ['readPoints', 'readPoint', 'EQ_readPoint'],
    ['dispositions', 'disposition', 'EQ_disposition'],
  ] as const;
  for (const [path, what, parameter] of resources) {
    app.get(`/epcis/${path}`, { schema: { tags, summary: `The ${path} in events you may read`, security: bearerSecurity } }, async (request) => ({
      '@set': await service.vocabulary(principalOf(request), what),
    }));
    app.get(
      `/epcis/${path}/:value/events`,
      { schema: { tags, summary: `Events with this ${what}`, security: bearerSecurity, params: z.object({ value: z.string() }), querystring: queryParams } },
      async (request, reply) => {
        const result = await runQuery(request, { [parameter]: [request.params.value] });
        return reply.type('application/ld+json').send(queryDocument(result.events));
      },
    );
  }
};
