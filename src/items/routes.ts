import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serviceCodeField } from '../codes/service-codes.js';
import { idSchema } from '../codes/uuid.js';
import { problemSchema } from '../errors/problem.js';
import { CSV_TYPE, type CsvColumn, csvDialectQuery, csvStream } from '../http/csv.js';
import { idempotencyKeyHeaders, idempotencyOf, sendAnswered } from '../http/idempotency.js';
import { queryInteger } from '../http/query.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { locatedJsonResponse } from '../http/responses.js';
import { LABELS_PER_SHEET } from './labels.js';
import { type CodeJob, type IssuedCode, type ItemService, MAX_CODES_PER_JOB } from './service.js';

/** The last sheet the largest job has. */
const MAX_LABEL_PAGE = Math.ceil(MAX_CODES_PER_JOB / LABELS_PER_SHEET);

const jobSchema = z
  .object({
    id: z.string(),
    lotCode: z.string(),
    partyCode: z.string(),
    total: z.number().int(),
    done: z.number().int(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    error: z.string().nullable(),
    createdAt: z.date(),
    finishedAt: z.date().nullable(),
  })
  .meta({ id: 'CodeJob' });

/**
 * The columns of codes.csv, for label printers: no byte order mark and lines ending in LF, as label
 * software has always been sent them (a template binds the header `code`); Chinese headers in the Excel flavour.
 */
const CODE_COLUMNS: readonly CsvColumn<IssuedCode>[] = [
  { header: 'code', zh: '单品码', value: (row) => row.code },
  { header: 'url', zh: '溯源网址', value: (row) => row.url },
  { header: 'digital_link', zh: 'GS1 数字链接', value: (row) => row.digitalLink },
];

export const itemRoutes: FastifyPluginAsyncZod<{ service: ItemService; qrImagesPerMinute: number }> = async (
  app,
  { service, qrImagesPerMinute },
) => {
  const tags = ['item codes'];

  app.post(
    '/lots/:code/items',
    {
      schema: {
        tags,
        summary: 'Issue serialized item codes (一物一码) for one of your lots, as an asynchronous job',
        description: `Up to ${MAX_CODES_PER_JOB.toLocaleString('en')} codes per job, and no more than the party's allowance of codes queued or being issued at once (CODES_QUEUED_PER_PARTY): over it, 409 at /count. A lot on hold is 409, a recalled lot 422 \`recalled-lot\` naming its recalls. Poll the job; its codes resolve only once it has succeeded.`,
        security: bearerSecurity,
        params: z.object({ code: serviceCodeField('lot', 'container') }),
        headers: idempotencyKeyHeaders,
        body: z.object({ count: z.number().int().min(1).max(MAX_CODES_PER_JOB) }),
        response: {
          202: locatedJsonResponse(jobSchema, 'The job, queued', 'the job: /code-jobs/{id}'),
          400: problemSchema,
          403: problemSchema,
          404: problemSchema,
          409: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const { code } = request.params;
      const answered = await service.issueOnce(principalOf(request), code, request.body.count, idempotencyOf(request, reply, 202));
      // a replay's body is the job as it was queued (its id among it)
      const job: Pick<CodeJob, 'id'> = answered.replayed ? JSON.parse(answered.body) : answered.answer;
      reply.header('location', `/code-jobs/${job.id}`);
      return sendAnswered(reply, 202, answered);
    },
  );

  app.get(
    '/code-jobs/:id',
    {
      schema: {
        tags,
        summary: 'Progress of a code issuance job (done / total)',
        security: bearerSecurity,
        params: z.object({ id: idSchema }),
        response: { 200: jobSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const job = await service.job(principalOf(request), request.params.id);
      return { ...job, status: job.status as 'queued' };
    },
  );

  app.get(
    '/code-jobs/:id/codes.csv',
    {
      schema: {
        tags,
        summary: 'Codes of a finished job with their trace URL and GS1 Digital Link, streamed as CSV for label printers',
        security: bearerSecurity,
        params: z.object({ id: idSchema }),
        querystring: z.object({ dialect: csvDialectQuery }),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const pages = service.codesOf(principalOf(request), request.params.id);
      const first = await pages.next(); // surfaces 403/404/409 before the stream starts
      async function* all() {
        for (let page = first; !page.done; page = await pages.next()) yield page.value;
      }
      const { dialect } = request.query;
      return (
        reply
          .type(CSV_TYPE)
          .header('content-disposition', `attachment; filename="codes-${request.params.id}.csv"`)
          // other requests are answered between pages (see takingTurns); for Excel, with a byte order mark and CRLF
          .send(csvStream(CODE_COLUMNS, all(), dialect === 'excel' ? { dialect } : { byteOrderMark: false, lineEnd: '\n' }))
      );
    },
  );

  app.get(
    '/code-jobs/:id/labels.svg',
    {
      schema: {
        tags,
        summary: `A printable A4 label sheet (${LABELS_PER_SHEET} labels: QR, code, product name, lot number, production date)`,
        security: bearerSecurity,
        params: z.object({ id: idSchema }),
        querystring: z.object({ page: queryInteger(1, MAX_LABEL_PAGE).prefault(1) }),
        produces: ['image/svg+xml'],
      },
    },
    async (request, reply) =>
      reply
        .type('image/svg+xml; charset=utf-8')
        .send(await service.labelSheet(principalOf(request), request.params.id, request.query.page)),
  );

  // each image is a lookup and a drawing of up to 2,048 px, and tells whether a code was issued: one
  // allowance per client address for both formats
  const qrImages = { public: true, rateLimit: { max: qrImagesPerMinute, timeWindow: '1 minute', groupId: 'qr-images' } };
  const qrQuery = z.object({ size: queryInteger(64, 2048).prefault(256) });
  // an SVG document or PNG bytes, sent as they are (never serialised)
  const qrImageSchema = z.custom<string | Buffer>().meta({ type: 'string', format: 'binary' });
  for (const format of ['svg', 'png'] as const) {
    const mediaType = format === 'svg' ? 'image/svg+xml' : 'image/png';
    app.get(
      `/items/:code/qr.${format}`,
      {
        config: qrImages,
        schema: {
          tags,
          summary: `QR code (${format.toUpperCase()}, error correction M, 4-module quiet zone) of an item's trace URL`,
          params: z.object({ code: serviceCodeField('item') }),
          querystring: qrQuery,
          // each answer under its own media type: the image is sent as it is, a problem as problem+json
          response: {
            200: { description: 'the QR code', content: { [mediaType]: { schema: qrImageSchema } } },
            400: { description: 'not a pack code, or one mistyped', content: { 'application/problem+json': { schema: problemSchema } } },
            404: { description: 'a code never issued', content: { 'application/problem+json': { schema: problemSchema } } },
          },
        },
      },
      async (request, reply) => {
        const image = await service.qrImage(request.params.code, format, request.query.size);
        reply.header('cache-control', 'public, max-age=86400');
        return reply.type(mediaType).send(image);
      },
    );
  }
};
