import { STATUS_CODES } from 'node:http';
import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { problemSchema } from '../errors/problem.js';

/** A response declared by content type (`{ description, headers?, content }`) rather than by one schema. */
type DeclaredResponse = { description?: string; headers?: Record<string, unknown>; content: Record<string, unknown> };
const isDeclaredByContent = (response: unknown): response is DeclaredResponse =>
  typeof response === 'object' && response !== null && 'content' in response;

/**
 * The route schemas as the document should read them. Every error leaves as problem+json
 * (src/http/problems.ts), so a response given as the Problem schema is declared so, here rather
 * than on each route. jsonSchemaTransform keeps only a content-typed response's description and
 * content, so its headers (Link, GS1-EPCIS-Version, …) are put back after it.
 */
const transform: SwaggerTransform = (document) => {
  const response = document.schema?.response as Record<string, unknown> | undefined;
  if (!response) return jsonSchemaTransform(document);
  const declared = Object.fromEntries(
    Object.entries(response).map(([status, schema]) => [
      status,
      schema === problemSchema
        ? { description: STATUS_CODES[status] ?? 'Error', content: { 'application/problem+json': { schema: problemSchema } } }
        : schema,
    ]),
  );
  const transformed = jsonSchemaTransform({ ...document, schema: { ...document.schema, response: declared } });
  const responses = transformed.schema.response as Record<string, Record<string, unknown>> | undefined;
  for (const [status, schema] of Object.entries(declared))
    if (isDeclaredByContent(schema) && schema.headers && responses?.[status]) responses[status].headers = schema.headers;
  return transformed;
};

// The OpenAPI 3.1 document is generated from the zod route schemas; Swagger UI serves it at /docs.
export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'County food-chain traceability API',
        description:
          'Unified codes for parties, products, lots and containers; an append-only EPCIS-shaped event log; bottom-up and forward traces. Errors are RFC 9457 problem+json.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'API key' } } },
    },
    transform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true } });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
});
