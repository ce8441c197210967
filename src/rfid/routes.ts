import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../errors/problem.js';
import { idempotencyKeyHeaders, idempotencyOf, sendAnswered } from '../http/idempotency.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import type { ReaderFormat } from './payloads.js';
import {
  BATCH_BODY_LIMIT,
  bindTagsBody,
  createReadPointBody,
  genericBody,
  impinjBody,
  ingestResultSchema,
  listedReaderSchema,
  MAX_TAG_CSV_BYTES,
  partyQuery,
  type READ_OUTCOMES,
  readPointSchema,
  readRowSchema,
  readsQuery,
  registeredReaderSchema,
  registerReaderBody,
  TAGS_BODY_LIMIT,
  tagLookupSchema,
  tagSchema,
  unknownTagsQuery,
  zebraBody,
} from './schemas.js';
import type { RfidService } from './service.js';
import { asCsvProblem, parseTagCsv } from './tag-csv.js';

export const rfidRoutes: FastifyPluginAsyncZod<{ service: RfidService }> = async (app, { service }) => {
  const tags = ['RFID'];
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  const ingest = (format: ReaderFormat, summary: string, description: string, body: z.ZodType) =>
    app.post(
      `/rfid/${format === 'generic' ? 'reads' : format}`,
      {
        config: { takesReads: true },
        // the most elements a batch holds, each at its longest, over the service-wide limit
        bodyLimit: BATCH_BODY_LIMIT,
        // a bad element is reported by the batch parser, which names it by its index
        attachValidation: true,
        schema: {
          tags,
          summary,
          description,
          security: bearerSecurity,
          headers: idempotencyKeyHeaders,
          body,
          response: { 202: ingestResultSchema, 400: problemSchema, 403: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        // the header is not the parser's: a malformed key is refused as the schema refused it (a
        // body the schema refuses, validated first, is the parser's 400 whatever the header)
        if (request.validationError?.validationContext === 'headers') throw request.validationError;
        const answered = await service.ingest(principalOf(request), format, request.body, idempotencyOf(request, reply, 202));
        return sendAnswered(reply, 202, answered);
      },
    );
  ingest(
    'zebra',
    'Tag reads from a Zebra FX reader (IoT Connector HTTP POST, reader key)',
    'One event object, or an array when batching is on (the IoT Connector data interface); SIMPLE, INVENTORY, PORTAL, CONVEYOR and CUSTOM reports are reads, heartbeat, GPI and GPO events are accepted and counted. Acknowledged once stored; a bad element is a 400 naming its index and nothing of the batch is stored; reads that cannot be placed are left out and listed.',
    zebraBody,
  );
  ingest(
    'impinj',
    'Tag reads from an Impinj reader (IoT Device Interface webhook, reader key)',
    'An array of events, possibly empty; tagInventory events are reads, other event types are accepted and counted. Acknowledged once stored.',
    impinjBody,
  );
  ingest(
    'generic',
    'Tag reads in the generic format (reader key)',
    'Each read names its reader (host name, default the key’s reader) and antenna, or a read point id; the EPC as hex or URI; the time with its offset; optionally the peak RSSI (dBm), TID and read count.',
    genericBody,
  );

  app.post(
    '/rfid/readers',
    {
      schema: {
        tags,
        summary: 'Register an RFID reader of a party; returns its device key (role reader)',
        security: bearerSecurity,
        body: registerReaderBody,
        response: { 201: registeredReaderSchema, 400: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.registerReader(principalOf(request), request.body)),
  );
  app.get(
    '/rfid/readers',
    {
      schema: {
        tags,
        summary: 'RFID readers (an operator sees its own party’s)',
        security: bearerSecurity,
        querystring: partyQuery,
        response: { 200: z.object({ items: z.array(listedReaderSchema) }), 403: problemSchema },
      },
    },
    async (request) => ({ items: await service.listReaders(principalOf(request), request.query.partyCode) }),
  );

  app.post(
    '/rfid/read-points',
    {
      schema: {
        tags,
        summary: 'Create a read point at a location of the party and map reader antennas to it',
        security: bearerSecurity,
        body: createReadPointBody,
        response: { 201: readPointSchema, 400: problemSchema, 403: problemSchema, 409: problemSchema, 422: problemSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createReadPoint(principalOf(request), request.body)),
  );
  app.get(
    '/rfid/read-points',
    {
      schema: {
        tags,
        summary: 'Read points with their antennas (an operator sees its own party’s)',
        security: bearerSecurity,
        querystring: partyQuery,
        response: { 200: z.object({ items: z.array(readPointSchema) }), 403: problemSchema },
      },
    },
    async (request) => ({ items: await service.listReadPoints(principalOf(request), request.query.partyCode) }),
  );

  app.post(
    '/rfid/tags',
    {
      // the most bindings a request makes, each at its longest, over the service-wide limit
      bodyLimit: TAGS_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Bind tags (EPC or TID) to the item, lot or container each is attached to (operator; all or none)',
        security: bearerSecurity,
        headers: idempotencyKeyHeaders,
        body: bindTagsBody,
        response: {
          201: z.object({ items: z.array(tagSchema) }),
          400: problemSchema,
          403: problemSchema,
          409: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) =>
      sendAnswered(reply, 201, await service.bindTags(principalOf(request), request.body.tags, idempotencyOf(request, reply, 201))),
  );
  app.post(
    '/rfid/tags.csv',
    {
      bodyLimit: MAX_TAG_CSV_BYTES,
      schema: {
        tags,
        summary: 'Bind tags in bulk from CSV (text/csv): a header epc,code or tid,code, then one tag per line',
        security: bearerSecurity,
        consumes: ['text/csv'],
        headers: idempotencyKeyHeaders,
        body: z.string().max(MAX_TAG_CSV_BYTES),
        response: {
          201: z.object({ items: z.array(tagSchema) }),
          400: problemSchema,
          403: problemSchema,
          409: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const { bindings, lines } = parseTagCsv(request.body);
      const answered = await service.bindTags(principalOf(request), bindings, idempotencyOf(request, reply, 201)).catch((error) => {
        throw asCsvProblem(error, lines);
      });
      return sendAnswered(reply, 201, answered);
    },
  );
  app.get(
    '/rfid/tags/:tag',
    {
      schema: {
        tags,
        summary: 'What a tag (EPC hex or URI, or TID) is bound to',
        security: bearerSecurity,
        params: z.object({ tag: tagLookupSchema }),
        response: { 200: tagSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => service.tag(principalOf(request), request.params.tag),
  );

  app.get(
    '/rfid/reads',
    {
      schema: {
        tags,
        summary: 'Stored reads, one row per tag per read point per window (operators: their own party’s)',
        security: bearerSecurity,
        querystring: readsQuery,
        response: { 200: z.object({ items: z.array(readRowSchema) }), 400: problemSchema, 403: problemSchema },
      },
    },
    async (request) => {
      const rows = await service.listReads(principalOf(request), request.query);
      return { items: rows.map((row) => ({ ...row, outcome: row.outcome as (typeof READ_OUTCOMES)[number] | null })) };
    },
  );
  app.get(
    '/rfid/unknown-tags',
    {
      schema: {
        tags,
        summary:
          'Tags read that name nothing known, per reader and tag (every spelling of one tag is one item), the latest read first, a page at a time',
        security: bearerSecurity,
        querystring: unknownTagsQuery,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                readerId: z.string(),
                tag: z
                  .string()
                  .describe(
                    "the tag's key: the Digital Link of the GS1 key it carries, a GID's URN, else its spelling (hex in upper case)",
                  ),
                windows: z.number().int(),
                reads: z.number().int(),
                firstSeen: z.coerce.date(),
                lastSeen: z.coerce.date(),
              }),
            ),
          }),
          400: problemSchema,
          403: problemSchema,
        },
      },
    },
    async (request) => ({ items: await service.unknownTags(principalOf(request), request.query) }),
  );
  app.get(
    '/rfid/activity',
    {
      schema: {
        tags,
        summary: 'Gate activity per party and read point: observations and reads by outcome (regulators: every party)',
        security: bearerSecurity,
        querystring: partyQuery,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                partyCode: z.string(),
                readPointId: z.string(),
                outcome: z.string().nullable().describe('null: waiting for its window to close'),
                windows: z.number().int(),
                reads: z.number().int(),
                lastSeen: z.coerce.date(),
              }),
            ),
          }),
          403: problemSchema,
        },
      },
    },
    async (request) => ({ items: await service.activity(principalOf(request), request.query.partyCode) }),
  );
};
