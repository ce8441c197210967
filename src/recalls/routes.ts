import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idSchema } from '../codes/uuid.js';
import { problemSchema } from '../errors/problem.js';
import { CSV_ATTACHMENT_DECLARED, CSV_TYPE, type CsvColumn, csvDialectQuery, csvStream } from '../http/csv.js';
import { idempotencyKeyHeaders, idempotencyOf, sendAnswered } from '../http/idempotency.js';
import { preferredType } from '../http/negotiate.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { locatedJsonResponse } from '../http/responses.js';
import { LOT_STATUS_NAMES_ZH } from '../lots/names-zh.js';
import { UNIT_NAMES_ZH } from '../products/unit-names-zh.js';
import { PAGE_HEADERS, PAGE_HEADERS_DECLARED } from '../web/html.js';
import { pageLang } from '../web/i18n/index.js';
import { HOLDER_CSV_COLUMNS, holderCsvRows } from './holders-csv.js';
import { apiRecallReportHref, recallReportPage } from './report-page.js';
import type { ScopeCsvRow } from './repository.js';
import {
  closeRecallBody,
  holdBody,
  holdSchema,
  openRecallBody,
  recallListQuery,
  recallReportBody,
  recallReportSchema,
  recallSchema,
  recallSummarySchema,
  releaseBody,
  releaseSchema,
} from './schemas.js';
import type { RecallService } from './service.js';

/** What a line of the scope is: a lot or container of it, a holding of one, a pack code. */
const SCOPE_TYPES_ZH: Record<string, string> = { lot: '批次', container: '箱/托盘', holding: '持有', in_transit: '在途', item: '单品码' };
/** The scope CSV's columns, with their headers (and type, unit and status values) in Chinese for the Excel flavour. */
const CSV_COLUMNS: readonly CsvColumn<ScopeCsvRow>[] = [
  { header: 'type', zh: '类型', value: (row) => row.type, zhValues: SCOPE_TYPES_ZH },
  { header: 'code', zh: '编码', value: (row) => row.code },
  { header: 'lot_code', zh: '批次码', value: (row) => row.lotCode },
  { header: 'product', zh: '产品', value: (row) => row.product },
  { header: 'lot_number', zh: '批号', value: (row) => row.lotNumber },
  { header: 'owner', zh: '所有方', value: (row) => row.owner },
  { header: 'holder', zh: '持有方代码', value: (row) => row.holder },
  { header: 'holder_name', zh: '持有方', value: (row) => row.holderName },
  { header: 'contact_person', zh: '联系人', value: (row) => row.contactPerson },
  { header: 'contact_phone', zh: '联系电话', value: (row) => row.contactPhone },
  { header: 'quantity', zh: '数量', value: (row) => row.quantity, reads: 'number' },
  { header: 'unit', zh: '单位', value: (row) => row.unit, zhValues: UNIT_NAMES_ZH },
  { header: 'shipment_id', zh: '发货事件编号', value: (row) => row.shipmentId },
  { header: 'depth', zh: '层级', value: (row) => row.depth, reads: 'number' },
  { header: 'status', zh: '状态', value: (row) => row.status, zhValues: LOT_STATUS_NAMES_ZH },
  { header: 'item_count', zh: '单品码数', value: (row) => row.itemCount, reads: 'number' },
];

export const recallRoutes: FastifyPluginAsyncZod<{ service: RecallService }> = async (app, { service }) => {
  const tags = ['recalls and holds'];
  const errors = { 400: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema, 422: problemSchema };

  app.post(
    '/holds',
    {
      schema: {
        tags,
        summary: 'Put lots on hold pending a test (a regulator key with its regulator party, or the owner’s operator key)',
        description:
          'While held, a lot is not shipped, sold, transformed nor given item codes, by any door: 409 (a recalled lot’s refusal is 422 `recalled-lot`, naming its recalls). Recorded as a `hold` event. A lot already on hold is 409, except that a regulator’s hold replaces the owner’s hold in the same act (`details.replacedHoldEventIds`); the owner then can no longer release it, nor can another regulator party. With `downstream: true` the hold also takes every lot downstream of those named that is in circulation — transformation outputs, through the containers they lie in now (a container is stopped by the hold of a lot in it, not held itself) — and lists which lots it held (`held`) and which it passed over (`alreadyOnHold`, `notInCirculation`); 409 only when it finds nothing to hold. An owner holds its own lots only: another party’s lots downstream are counted in `othersInCirculation`, not named.',
        security: bearerSecurity,
        headers: idempotencyKeyHeaders,
        body: holdBody,
        response: { 201: holdSchema, ...errors },
      },
    },
    async (request, reply) =>
      sendAnswered(reply, 201, await service.hold(principalOf(request), request.body, idempotencyOf(request, reply, 201))),
  );

  app.post(
    '/holds/release',
    {
      schema: {
        tags,
        summary:
          'Release held lots with a reason (the owner’s hold: a regulator or the owner; a regulator’s: that regulator party or an admin)',
        description:
          'Releases the lots named that are on hold and lists the others in `notHeld`; 409 only when none of them is on hold. A hold a regulator party put on is released only by that party or an admin (another regulator: 403, naming the party); an admin’s release is recorded under the party that put the holds on, one party’s holds at a time.',
        security: bearerSecurity,
        headers: idempotencyKeyHeaders,
        body: releaseBody,
        response: { 201: releaseSchema, ...errors },
      },
    },
    async (request, reply) =>
      sendAnswered(reply, 201, await service.release(principalOf(request), request.body, idempotencyOf(request, reply, 201))),
  );

  app.post(
    '/recalls',
    {
      schema: {
        tags,
        summary: 'Open a recall on lots (a regulator key with its regulator party, or the producer’s operator key)',
        description:
          'Computes the forward trace and records its scope — every affected lot, container, pack code, shipment in transit and current holder with contact and quantity — and marks the affected lots recalled. A container named brings in what is packed in it now, all levels down, each traced forward as the lots named are. The forward trace follows a packing only while it stands: a case a lot was unpacked from before is not recalled. The scope is that of the moment the recall is stored; one still being changed by other writes after five rounds is 409.',
        security: bearerSecurity,
        headers: idempotencyKeyHeaders,
        body: openRecallBody,
        response: { 201: locatedJsonResponse(recallSchema, 'The recall, opened, with its scope', 'the recall: /recalls/{id}'), ...errors },
      },
    },
    async (request, reply) => {
      const answered = await service.openOnce(principalOf(request), request.body, idempotencyOf(request, reply, 201));
      // a replay's body is the recall as it was opened (its id among it)
      const recall: { id: string } = answered.replayed ? JSON.parse(answered.body) : answered.answer;
      reply.header('location', `/recalls/${recall.id}`);
      return sendAnswered(reply, 201, answered);
    },
  );

  app.get(
    '/recalls',
    {
      schema: {
        tags,
        summary: 'Recalls with due times and progress, newest first; `overdue=true` lists the open ones past a due time',
        security: bearerSecurity,
        querystring: recallListQuery,
        response: { 200: z.object({ items: z.array(recallSummarySchema) }), 403: problemSchema },
      },
    },
    async (request) => ({ items: await service.list(principalOf(request), request.query) }),
  );

  app.get(
    '/recalls/:id',
    {
      schema: {
        tags,
        summary: 'One recall: due times, holders with their acknowledgement and quantities, progress',
        security: bearerSecurity,
        params: z.object({ id: idSchema }),
        response: { 200: recallSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => service.get(principalOf(request), request.params.id),
  );

  /** A recall's CSV download: its schema differs from the other's in summary, description and what the 200 holds. */
  const recallCsv = (summary: string, description: string, content: string) => ({
    schema: {
      tags,
      summary,
      description: `${description} Ask with \`Accept: text/csv\` or \`?format=csv\`.`,
      security: bearerSecurity,
      params: z.object({ id: idSchema }),
      querystring: z.object({ format: z.enum(['csv']).optional(), dialect: csvDialectQuery }),
      produces: ['text/csv'],
      response: {
        200: { description: content, content: { 'text/csv': { schema: z.string() } }, headers: CSV_ATTACHMENT_DECLARED },
        403: problemSchema,
        404: problemSchema,
      },
    },
  });
  const sendCsv = (reply: FastifyReply, filename: string) =>
    reply.type(CSV_TYPE).header('content-disposition', `attachment; filename="${filename}"`);

  app.get(
    '/recalls/:id/scope',
    recallCsv(
      'The recorded scope as CSV (UTF-8 with BOM, for Excel), streamed: lots and containers, holdings, pack codes',
      'For regulators, admins and the party that opened the recall; any other reader (a holder, the producer or a past holder of a lot of the scope) is 403 (it reads its own part in the recall).',
      'The scope, streamed as UTF-8 CSV with a byte order mark',
    ),
    async (request, reply) => {
      const pages = service.scopeRows(principalOf(request), request.params.id);
      const first = await pages.next(); // surfaces 403/404 before the stream starts
      async function* all() {
        for (let page = first; !page.done; page = await pages.next()) yield page.value;
      }
      // a stream is sent as it is, past the response schema
      return sendCsv(reply, `recall-${request.params.id}-scope.csv`).send(
        csvStream(CSV_COLUMNS, all(), { dialect: request.query.dialect }) as never,
      );
    },
  );

  app.get(
    '/recalls/:id/holders',
    recallCsv(
      'The recall’s outcome per holder and lot as CSV (UTF-8 with BOM, for Excel): asked, acknowledged, returned, destroyed, outstanding',
      'A line per holder and lot: the holder’s code, name and contact (as the recall shows them to the caller), the lot, its unit, the quantity affected, when the holder acknowledged, what it returned and destroyed, and what is outstanding (affected − returned − destroyed), `record` `holding`; then a line per party stock was returned to and lot (`record` `returned`, the recall’s `returns`): that party as holder, what it destroyed of it, `returned_sent`, `returned_received`, `lost_in_transit` and as outstanding what it still has to destroy (sent − lost − destroyed). Read as the final report is: regulators, admins and the party that opened the recall read every holder, any other holder its own lines.',
      'The holders, as UTF-8 CSV with a byte order mark',
    ),
    async (request, reply) => {
      const recall = await service.get(principalOf(request), request.params.id);
      return sendCsv(reply, `recall-${request.params.id}-holders.csv`).send(
        csvStream(HOLDER_CSV_COLUMNS, [holderCsvRows(recall)], { dialect: request.query.dialect }) as never,
      );
    },
  );

  app.post(
    '/recalls/:id/reports',
    {
      schema: {
        tags,
        summary: 'A holder acknowledges the recall and reports quantities returned or destroyed (operator key of a holder)',
        security: bearerSecurity,
        headers: idempotencyKeyHeaders,
        params: z.object({ id: idSchema }),
        body: recallReportBody,
        response: { 201: recallSchema, ...errors },
      },
    },
    async (request, reply) =>
      sendAnswered(
        reply,
        201,
        await service.reportOnce(principalOf(request), request.params.id, request.body, idempotencyOf(request, reply, 201)),
      ),
  );

  app.post(
    '/recalls/:id/close',
    {
      schema: {
        tags,
        summary:
          'Close a recall: every holder has acknowledged, or overridden with a reason (a recall a regulator opened: that regulator party or an admin; a producer’s: any regulator or an admin)',
        security: bearerSecurity,
        headers: idempotencyKeyHeaders,
        params: z.object({ id: idSchema }),
        body: closeRecallBody,
        response: { 200: recallSchema, ...errors },
      },
    },
    async (request, reply) =>
      sendAnswered(
        reply,
        200,
        await service.closeOnce(principalOf(request), request.params.id, request.body ?? {}, idempotencyOf(request, reply, 200)),
      ),
  );

  app.get(
    '/recalls/:id/report',
    {
      schema: {
        tags,
        summary:
          'The final report: scope, actions, quantities and times — JSON, or a printable page (`Accept: text/html` or `?format=html`)',
        security: bearerSecurity,
        params: z.object({ id: idSchema }),
        querystring: z.object({
          format: z.enum(['json', 'html']).optional(),
          lang: z
            .enum(['zh-CN', 'en'])
            .optional()
            .describe(
              'The page’s language, before Accept-Language: without it the browser’s (any English or Chinese tag), else Chinese; the page links to the same report in the other language',
            ),
        }),
        produces: ['application/json', 'text/html'],
        response: {
          200: {
            description: 'The final report as JSON, or as a printable page (text/html) that loads nothing from elsewhere',
            content: { 'application/json': { schema: recallReportSchema }, 'text/html': { schema: z.string() } },
            headers: {
              Vary: {
                type: 'string',
                description:
                  'Accept without a format, and Accept-Language when the answer may be a page with no lang: a cache keeps the answers apart',
              },
              ...PAGE_HEADERS_DECLARED,
            },
          },
          403: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const report = await service.finalReport(principalOf(request), request.params.id);
      const { format: formatAsked, lang: langAsked } = request.query;
      const format =
        formatAsked ?? (preferredType(request.headers.accept, ['application/json', 'text/html']) === 'text/html' ? 'html' : 'json');
      const vary = [...(formatAsked ? [] : ['Accept']), ...(formatAsked !== 'json' && !langAsked ? ['Accept-Language'] : [])];
      if (vary.length > 0) reply.header('vary', vary.join(', '));
      if (format === 'html')
        return reply
          .headers(PAGE_HEADERS)
          .type('text/html; charset=utf-8')
          .serializer((value: string) => value)
          .send(
            recallReportPage(report, pageLang(langAsked, request.headers['accept-language']), {
              hrefOf: apiRecallReportHref,
            }) as never,
          );
      return report;
    },
  );
};
