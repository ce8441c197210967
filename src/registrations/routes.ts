import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { nameSchema } from '../codes/names.js';
import { uuidSchema } from '../codes/uuid.js';
import { problemSchema } from '../errors/problem.js';
import { queryInteger } from '../http/query.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import {
  applyBody,
  DOCUMENT_TYPES,
  documentSchema,
  expiringCredentialSchema,
  MAX_DOCUMENT_BYTES,
  REGISTRATION_STATUSES,
  registrationSchema,
  rejectBody,
  submittedSchema,
  ticketHeaders,
} from './schemas.js';
import type { DocumentType, RegistrationService } from './service.js';

const idParams = z.object({ id: uuidSchema });
const documentParams = idParams.extend({ documentId: uuidSchema });

export const registrationRoutes: FastifyPluginAsyncZod<{ service: RegistrationService; perHour: number }> = async (
  app,
  { service, perHour },
) => {
  const tags = ['registrations'];
  // uploaded documents arrive as the file itself
  app.addContentTypeParser(Object.keys(DOCUMENT_TYPES), { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_BYTES }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/registrations',
    {
      config: { public: true, rateLimit: { max: perHour, timeWindow: '1 hour' } },
      schema: {
        tags,
        summary: '主体注册: an enterprise applies to join (no key needed); returns the application and its ticket, shown once',
        body: applyBody,
        response: { 201: submittedSchema, 400: problemSchema, 409: problemSchema, 429: problemSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.apply(request.body, request.ip)),
  );

  app.get(
    '/registrations/:id',
    {
      config: { public: true },
      schema: {
        tags,
        summary: "The applicant's view of its application (Registration-Ticket header); shows the first operator key once after approval",
        params: idParams,
        headers: ticketHeaders,
        response: { 200: registrationSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => service.status(request.params.id, request.headers['registration-ticket']),
  );

  app.post(
    '/registrations/:id/documents',
    {
      config: { public: true },
      bodyLimit: MAX_DOCUMENT_BYTES,
      schema: {
        tags,
        summary: 'Upload a licence or certificate scan (PDF or JPEG, at most 2 MiB, 5 per application) while the application waits',
        params: idParams,
        headers: ticketHeaders,
        querystring: z.object({ name: nameSchema(200).describe('the file name shown to reviewers') }),
        body: z.instanceof(Buffer).describe('the file, with Content-Type application/pdf or image/jpeg'),
        response: {
          201: documentSchema,
          400: problemSchema,
          404: problemSchema,
          409: problemSchema,
          413: problemSchema,
          415: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() as DocumentType;
      const stored = await service.addDocument(request.params.id, request.headers['registration-ticket'], {
        name: request.query.name,
        contentType,
        content: request.body,
      });
      return reply.code(201).send(stored);
    },
  );

  const sendDocument = (
    reply: { header: (k: string, v: string) => unknown; type: (t: string) => unknown; send: (b: Buffer) => unknown },
    document: { name: string; contentType: string; content: Buffer },
  ) => {
    // never rendered inline: an upload is the applicant's file, not this service's page
    reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(document.name)}`);
    reply.header('x-content-type-options', 'nosniff');
    reply.type(document.contentType);
    return reply.send(document.content);
  };

  app.get(
    '/registrations/:id/documents/:documentId',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'A document of the application, for the applicant (Registration-Ticket header)',
        params: documentParams,
        headers: ticketHeaders,
      },
    },
    async (request, reply) =>
      sendDocument(
        reply,
        await service.document(request.params.id, request.params.documentId, { ticket: request.headers['registration-ticket'] }),
      ),
  );

  app.get(
    '/regulator/registrations',
    {
      schema: {
        tags,
        summary: 'Applications to join, oldest first (regulator)',
        security: bearerSecurity,
        querystring: z.object({
          status: z.enum(REGISTRATION_STATUSES).optional(),
          limit: queryInteger(1, 1000).prefault(100),
          offset: queryInteger(0).prefault(0),
        }),
        response: { 200: z.object({ items: z.array(registrationSchema) }), 403: problemSchema },
      },
    },
    async (request) => ({ items: await service.list(principalOf(request), request.query) }),
  );

  app.get(
    '/regulator/registrations/:id',
    {
      schema: {
        tags,
        summary: 'One application (regulator)',
        security: bearerSecurity,
        params: idParams,
        response: { 200: registrationSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => service.get(principalOf(request), request.params.id),
  );

  app.get(
    '/regulator/registrations/:id/documents/:documentId',
    { schema: { tags, summary: 'A document of an application (regulator)', security: bearerSecurity, params: documentParams } },
    async (request, reply) =>
      sendDocument(reply, await service.document(request.params.id, request.params.documentId, { principal: principalOf(request) })),
  );

  app.post(
    '/regulator/registrations/:id/approve',
    {
      schema: {
        tags,
        summary: 'Approve: the enterprise becomes a party with its unified code; its first operator key is shown to the applicant once',
        security: bearerSecurity,
        params: idParams,
        response: { 200: registrationSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => service.approve(principalOf(request), request.params.id),
  );

  app.post(
    '/regulator/registrations/:id/reject',
    {
      schema: {
        tags,
        summary: 'Reject, with the reason the applicant will read',
        security: bearerSecurity,
        params: idParams,
        body: rejectBody,
        response: { 200: registrationSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => service.reject(principalOf(request), request.params.id, request.body.reason),
  );

  app.get(
    '/regulator/credentials/expiring',
    {
      schema: {
        tags,
        summary: "Registered enterprises' licences and certifications that end within `days` (default 30) or have ended",
        security: bearerSecurity,
        querystring: z.object({ days: queryInteger(0, 366).prefault(30) }),
        response: { 200: z.object({ items: z.array(expiringCredentialSchema) }), 403: problemSchema },
      },
    },
    async (request) => ({ items: await service.expiring(principalOf(request), request.query.days) }),
  );
};
