import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../access/index.js';
import { idSchema } from '../codes/uuid.js';
import { problemSchema } from '../errors/problem.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { apiKeySchema, issueApiKeyBody, issuedApiKeySchema } from './schemas.js';
import type { ApiKeyService } from './service.js';

export const apiKeyRoutes: FastifyPluginAsyncZod<{ service: ApiKeyService }> = async (app, { service }) => {
  const tags = ['api keys'];
  app.post(
    '/api-keys',
    {
      schema: {
        tags,
        summary: 'Issue an API key (admin)',
        security: bearerSecurity,
        body: issueApiKeyBody,
        response: { 201: issuedApiKeySchema, 400: problemSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireRole(principal, 'api-keys.manage');
      return reply.code(201).send(await service.issue(request.body, principal));
    },
  );

  app.get(
    '/api-keys',
    {
      schema: {
        tags,
        summary: 'List API keys (admin); secrets are never shown',
        security: bearerSecurity,
        response: { 200: z.object({ items: z.array(apiKeySchema) }), 403: problemSchema },
      },
    },
    async (request) => {
      requireRole(principalOf(request), 'api-keys.manage');
      const rows = await service.list();
      return { items: rows.map(({ keyHash: _hash, ...row }) => ({ ...row, role: row.role as never })) };
    },
  );

  app.delete(
    '/api-keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API key (admin)',
        security: bearerSecurity,
        params: z.object({ id: idSchema }),
        response: { 200: apiKeySchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireRole(principal, 'api-keys.manage');
      const { keyHash: _hash, ...row } = await service.revoke(request.params.id, principal);
      return { ...row, role: row.role as never };
    },
  );
};
