import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { plainIdentifierSchema } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { optionalBearerSecurity } from '../http/request.js';
import { tagCheckQuery, tagCheckSchema } from './schemas.js';
import type { EpcService } from './service.js';

export const epcRoutes: FastifyPluginAsyncZod<{ service: EpcService }> = async (app, { service }) => {
  app.get(
    '/epc/:value',
    {
      config: { public: true, acceptsKey: true },
      schema: {
        tags: ['epc'],
        summary: 'Check a tag: any tag value in all its forms, and what this service knows it as',
        description:
          "The value is 24 or 50 hex digits (43, 49 or 51 for the long schemes, or whole bytes or words; a reader's EPC, optionally 0x…), a raw URI (urn:epc:raw:96.x…), a tag URI (urn:epc:tag:sgtin-96:…), a pure-identity URN (urn:epc:id:…) or a GS1 Digital Link (percent-encoded in the path). Tags of SGTIN-96, SGTIN-198, SSCC-96, SGLN-96, SGLN-195, GRAI-96, GRAI-170, GIAI-96 and GIAI-202 decode to their GS1 keys; any other tag (factory EPCs such as E280…) is reported as a raw tag id. Public: without a key, `knownAs` is what the public resolver would show; with one, also what its party may read.",
        security: optionalBearerSecurity,
        params: z.object({ value: plainIdentifierSchema }),
        querystring: tagCheckQuery,
        response: { 200: tagCheckSchema, 400: problemSchema, 401: problemSchema },
      },
    },
    async (request) => service.check(request.principalOrNull, request.params.value, request.query),
  );
};
