import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../access/index.js';
import { brandCodeParams } from '../brands/schemas.js';
import { serviceCodeFilter } from '../codes/service-codes.js';
import { Problem, problemSchema } from '../errors/problem.js';
import { preferredType } from '../http/negotiate.js';
import { queryInteger } from '../http/query.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { PAGE_HEADERS, PAGE_HEADERS_DECLARED } from '../web/html.js';
import { pageLang } from '../web/i18n/index.js';
import type { BrandComplaintService } from './brand-complaints.js';
import { formError, isComplaintFormPost } from './form-errors.js';
import type { MakerComplaintService } from './maker-complaints.js';
import { complaintNotFoundPage, complaintReceivedPage, complaintStatusPage } from './pages.js';
import {
  COMPLAINT_STATUSES,
  complaintSchema,
  complaintStatusSchema,
  fileComplaintBody,
  redactedComplaintSchema,
  ticketParams,
  transitionBody,
} from './schemas.js';
import { type ComplaintService, TooManyComplaints } from './service.js';

const langDescription =
  'page language, before Accept-Language: en (any English tag) or zh-CN (any Chinese tag), else the browser’s, else zh-CN';
const statusQuery = z.object({
  lang: z.string().optional().describe(langDescription),
  received: z
    .literal('1')
    .optional()
    .describe('1 on the page the form post leads to: the receipt (that the complaint was received, its ticket, the status link)'),
});

/** The form's query: the page's language, and the page itself for the way back when the complaint is refused. */
const formQuery = z.object({
  lang: z.string().optional().describe(langDescription),
  from: z
    .string()
    .max(1024)
    .optional()
    .describe('the path of the scan page the form is on (/t/… or a Digital Link): the refusal page links back to it'),
});

/** A page of complaints, the newest first, of one status or any: every listing of complaints takes it. */
const complaintPageQuery = z.object({
  // `all`, as the flag listings take it, is every status: the same as leaving it out
  status: z
    .enum([...COMPLAINT_STATUSES, 'all'])
    .optional()
    .transform((status) => (status === 'all' ? undefined : status))
    .describe('one status, or all (the default)'),
  limit: queryInteger(1, 1000).prefault(100),
  offset: queryInteger(0).prefault(0),
});

/** The status follows Accept (JSON or the page), and the page Accept-Language: a cache keeps them apart. */
const STATUS_VARY = 'Accept, Accept-Language';

/**
 * Posts to POST /complaints per client address and hour, refused ones included, for each complaint
 * it may have accepted (COMPLAINTS_PER_HOUR): a shopper may mistype a field and post again, a flood
 * of posts is still stopped before it reaches the database.
 */
export const ATTEMPTS_PER_COMPLAINT = 4;

/** A JSON answer that is a page in the consumer's language for a browser (the form, the receipt's link). */
const jsonOrPage = (description: string, schema: z.ZodType, vary: { const: string; description: string }) => ({
  description,
  content: { 'application/json': { schema }, 'text/html': { schema: z.string() } },
  headers: { Vary: { type: 'string', ...vary }, ...PAGE_HEADERS_DECLARED },
});

export const complaintRoutes: FastifyPluginAsyncZod<{
  service: ComplaintService;
  makers: MakerComplaintService;
  perHour: number;
  lookupsPerMinute: number;
}> = async (app, { service, makers, perHour, lookupsPerMinute }) => {
  const tags = ['complaints'];
  app.post(
    '/complaints',
    {
      // the scan page's form posts here: a browser whose complaint is refused is told on a page
      config: { public: true, formErrorPage: true, rateLimit: { max: perHour * ATTEMPTS_PER_COMPLAINT, timeWindow: '1 hour' } },
      schema: {
        tags,
        summary: '消费维权投诉: a consumer complaint about a scanned code (JSON or the page form); returns a ticket',
        body: fileComplaintBody,
        querystring: formQuery,
        response: {
          200: z
            .object(complaintStatusSchema.shape)
            .describe(
              'The same complaint (code, category and text) posted again from the address within ten minutes: the ticket it was filed under, nothing stored or counted again',
            ),
          201: complaintStatusSchema.describe('The ticket of the complaint filed (a JSON client)'),
          303: z.null().meta({
            description:
              'The page form (a form post not asking for JSON first), filed or the same posted again within ten minutes: to the receipt, GET /complaints/{ticket}?lang=…&received=1, so a reload does not post again',
            headers: { location: { type: 'string', description: 'the receipt page' } },
          }),
          400: formError('A field the complaint cannot be filed with (errors[].pointer names it), or a query the route refuses'),
          422: formError(
            'A code no shopper holds (problems/complaint-code-not-sold at /code): a case’s or pallet’s, or a lot’s that no consumer pack’s label names (by a Digital Link with a batch)',
          ),
          429: formError(
            `Too many complaints accepted from this address in the last hour (COMPLAINTS_PER_HOUR), or too many posts, refused ones included (${ATTEMPTS_PER_COMPLAINT} × COMPLAINTS_PER_HOUR); Retry-After says when to try again`,
          ),
        },
      },
    },
    async (request, reply) => {
      const { repeated, ...filed } = await service.file(request.body, request.ip).catch((error: unknown) => {
        // the address's complaints of the last hour: until the first of them is an hour old
        if (error instanceof TooManyComplaints) reply.header('retry-after', String(error.retryAfter));
        throw error;
      });
      // the rule its errors follow: a browser's form post gets a page, a client asking for JSON JSON
      if (isComplaintFormPost(request)) {
        // the language of the page the form was on, else the browser's; the receipt and its status link keep it.
        // Post/Redirect/Get: a reload of the receipt reads it again instead of posting the complaint again
        const lang = pageLang(request.query.lang, request.headers['accept-language']);
        return reply.redirect(`/complaints/${filed.ticket}?lang=${lang}&received=1`, 303);
      }
      return reply.code(repeated ? 200 : 201).send(filed);
    },
  );

  app.get(
    '/complaints',
    {
      schema: {
        tags,
        summary:
          "Consumers' complaints about the packs, lots and cases the key's party made, the newest first, without the consumer's phone number, client address or the regulators' notes (a maker's operator key; regulators and admins read GET /regulator/complaints)",
        security: bearerSecurity,
        querystring: complaintPageQuery,
        response: { 200: z.object({ items: z.array(redactedComplaintSchema) }), 403: problemSchema },
      },
    },
    async (request) => ({ items: await makers.list(principalOf(request), request.query) }),
  );

  app.get(
    '/complaints/:ticket',
    {
      // a ticket found or not tells whether it exists: guessing them is slowed down
      config: { public: true, rateLimit: { max: lookupsPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Status of a complaint by its ticket number',
        params: ticketParams,
        querystring: statusQuery,
        response: {
          200: jsonOrPage('The status: JSON, or a page for a browser (text/html preferred)', complaintStatusSchema, {
            const: STATUS_VARY,
            description: 'the answer follows Accept, and the page Accept-Language when no lang names its language',
          }),
          404: {
            description:
              'No complaint has this ticket: a page in the consumer’s language for a browser (text/html preferred), problem+json otherwise',
            content: { 'application/problem+json': { schema: problemSchema }, 'text/html': { schema: z.string() } },
            headers: {
              Vary: { type: 'string', const: STATUS_VARY, description: 'the answer follows Accept, and the page Accept-Language' },
              ...PAGE_HEADERS_DECLARED,
            },
          },
          429: problemSchema,
        },
      },
    },
    async (request, reply) => {
      reply.header('vary', STATUS_VARY);
      const page = preferredType(request.headers.accept, ['application/json', 'text/html']) === 'text/html';
      if (!page) return service.status(request.params.ticket);
      // the consumer following the link on the receipt, or typing a ticket, gets a page, not JSON
      const lang = pageLang(request.query.lang, request.headers['accept-language']);
      const sendPage = (code: 200 | 404, html: string) =>
        reply
          .code(code)
          .headers(PAGE_HEADERS)
          .type('text/html; charset=utf-8')
          .serializer((text: string) => text)
          .send(html as never);
      try {
        const complaint = await service.status(request.params.ticket);
        // the receipt shows the ticket alone, as the status page does no more than the ticket's status
        if (request.query.received)
          return sendPage(200, complaintReceivedPage(complaint.ticket, `/complaints/${complaint.ticket}?lang=${lang}`, lang));
        return sendPage(200, complaintStatusPage(complaint, lang));
      } catch (error) {
        if (error instanceof Problem && error.status === 404)
          return sendPage(404, complaintNotFoundPage(request.params.ticket.trim(), lang));
        throw error;
      }
    },
  );

  app.get(
    '/regulator/complaints',
    {
      schema: {
        tags,
        summary: 'Complaints to handle (regulator)',
        security: bearerSecurity,
        querystring: complaintPageQuery.extend({ lotCode: serviceCodeFilter('lot', 'container') }),
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
        summary:
          'Move a complaint open → investigating or resolved, investigating → resolved, with a note and, when resolving, whether it was upheld (regulator)',
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

/** The brand office's reading of the complaints about its brand's packs (a brand route: a brand office key reaches it). */
export const brandComplaintRoutes: FastifyPluginAsyncZod<{ service: BrandComplaintService }> = async (app, { service }) => {
  app.get(
    '/brands/:code/complaints',
    {
      config: { brandRoute: true },
      schema: {
        tags: ['brands'],
        summary:
          "Consumers' complaints about packs of the brand's products, the newest first, without the consumer's phone number (the brand's office: a brand_office key issued for the brand's owner party; regulators, admins)",
        security: bearerSecurity,
        params: brandCodeParams,
        querystring: complaintPageQuery,
        response: {
          200: z.object({ items: z.array(redactedComplaintSchema) }),
          400: problemSchema,
          403: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request) => ({ items: await service.list(principalOf(request), request.params.code, request.query) }),
  );
};
