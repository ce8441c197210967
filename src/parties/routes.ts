import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../access/index.js';
import { serviceCodeField } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { createPartyBody, listPartiesQuery, partySchema, prefixConflictsQuery, prefixConflictsSchema } from './schemas.js';
import type { PartyService } from './service.js';

export const partyRoutes: FastifyPluginAsyncZod<{ service: PartyService }> = async (app, { service }) => {
  const tags = ['parties'];
  app.post(
    '/parties',
    {
      schema: {
        tags,
        summary: 'Register a party (主体) and issue its unified entity code (admin)',
        security: bearerSecurity,
        body: createPartyBody,
        response: { 201: partySchema, 400: problemSchema, 403: problemSchema, 409: problemSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireRole(principal, 'parties.register');
      return reply.code(201).send(await service.register(request.body, { by: principal }));
    },
  );

  app.get(
    '/regulator/company-prefix-conflicts',
    {
      schema: {
        tags: [...tags, 'regulator'],
        summary:
          'Company prefixes, GTINs and GLNs that registrations now refuse but were stored earlier: overlapping prefixes, GTINs and GLNs under another party’s prefix, sites named by another party’s GLN, and lots captured under another party’s GTIN (regulator, admin)',
        security: bearerSecurity,
        querystring: prefixConflictsQuery,
        response: { 200: prefixConflictsSchema, 400: problemSchema, 403: problemSchema },
      },
    },
    async (request) => service.prefixConflicts(principalOf(request), request.query),
  );

  app.get(
    '/parties',
    {
      schema: {
        tags,
        summary: 'The party directory (any key)',
        security: bearerSecurity,
        querystring: listPartiesQuery,
        response: { 200: z.object({ items: z.array(partySchema) }) },
      },
    },
    async (request) => ({ items: await service.list(principalOf(request), request.query) }),
  );

  app.get(
    '/parties/:code',
    {
      schema: {
        tags,
        summary: 'One party by its unified entity code',
        security: bearerSecurity,
        params: z.object({ code: serviceCodeField('party') }),
        response: { 200: partySchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => service.get(principalOf(request), request.params.code),
  );
};
