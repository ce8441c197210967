import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../access/index.js';
import { serviceCodeFilter } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { preferredType } from '../http/negotiate.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { PAGE_HEADERS } from '../web/html.js';
import { langOf } from '../web/i18n/index.js';
import { complaintReceivedPage, complaintStatusPage } from './pages.js';
import { COMPLAINT_STATUSES, complaintSchema, complaintStatusSchema, fileComplaintBody, ticketParams, transitionBody } from './schemas.js';
import type { ComplaintService } from './service.js';

export const complaintRoutes: FastifyPluginAsyncZod<{ service: ComplaintService; perHour: number }> = async (app, { service, perHour }) => {
  const tags = ['complaints'];
  app.post(
    '/complaints',
    {
      config: { public: true, rateLimit: { max: perHour, timeWindow: '1 hour' } },
      schema: {
        tags,
        summary: '消费维权投诉: a consumer complaint about a scanned code (JSON or the page form); returns a ticket',
        body: fileComplaintBody,
        querystring: z.object({ lang: z.string().optional().describe('language of the page answering the form: en, else zh-CN') }),
        response: { 201: complaintStatusSchema, 400: problemSchema, 429: problemSchema },
      },
    },
    async (request, reply) => {
      const filed = await service.file(request.body, request.ip);
      if (request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
        // the language of the page the form was on, else the browser's
        const lang = langOf(request.query.lang ?? request.headers['accept-language']);
        return (
          reply
            .code(201)
            .headers(PAGE_HEADERS)
            .type('text/html; charset=utf-8')
            .serializer((html: string) => html)
            // the HTML answer to the page form; the schema documents the JSON answer
            .send(complaintReceivedPage(filed.ticket, `/complaints/${filed.ticket}${lang === 'en' ? '?lang=en' : ''}`, lang) as never)
        );
      }
      return reply.code(201).send(filed);
    },
  );

  app.get(
    '/complaints/:ticket',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Status of a complaint by its ticket number',
        params: ticketParams,
        querystring: z.object({ lang: z.string().optional().describe('page language: en (any English tag), else zh-CN') }),
        response: { 200: complaintStatusSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const status = await service.status(request.params.ticket);
      if (preferredType(request.headers.accept, ['application/json', 'text/html']) !== 'text/html') return status;
      // the consumer following the link on the receipt gets a page, not JSON
      return reply
        .headers(PAGE_HEADERS)
        .type('text/html; charset=utf-8')
        .serializer((html: string) => html)
        .send(complaintStatusPage(status, langOf(request.query.lang)) as never);
    },
  );

  app.get(
    '/regulator/complaints',
    {
      schema: {
        tags,
        summary: 'Complaints to handle (regulator)',
        security: bearerSecurity,
        querystring: z.object({
          status: z.enum(COMPLAINT_STATUSES).optional(),
          lotCode: serviceCodeFilter('lot', 'container'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ items: z.array(complaintSchema) }), 403: problemSchema },
      },
    },
    async (request) => {
      requireRole(principalOf(request), 'complaints.handle');
      return { items: await service.list(request.query) };
    },
  );

  app.post(
    '/regulator/complaints/:ticket/transitions',
    {
      schema: {
        tags,
        summary: 'Move a complaint open → investigating → resolved, with a note and, when resolving, whether it was upheld (regulator)',
        security: bearerSecurity,
        params: ticketParams,
        body: transitionBody,
        response: { 200: complaintSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireRole(principal, 'complaints.handle');
      const { status, note, outcome } = request.body;
      return service.transition(principal, request.params.ticket, status, note, outcome);
    },
  );
};
