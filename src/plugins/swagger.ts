import { STATUS_CODES } from 'node:http';
import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rolesRefusedBy } from '../access/index.js';
import { formError } from '../complaints/form-errors.js';
import { problemSchema } from '../errors/problem.js';
import { declareClosedObjects } from '../http/body.js';
import { checksApiKey, MAX_URL_LENGTH, routeKindOf } from '../http/request.js';
import { isScanPath } from '../resolver/routes.js';
import { scanError } from '../resolver/schemas.js';

/** A response declared by content type (`{ description, headers?, content }`) rather than by one schema. */
type DeclaredResponse = { description?: string; headers?: Record<string, unknown>; content: Record<string, unknown> };
const isDeclaredByContent = (response: unknown): response is DeclaredResponse =>
  typeof response === 'object' && response !== null && 'content' in response;

/** What @fastify/swagger declares for a route that declares no answers, which the errors added here would otherwise replace. */
const NO_RESPONSES = { 200: z.null().meta({ description: 'Default Response' }) };

/** Every object without a catchall is declared closed, as strictBody reads a body (and as an answer is written). */
const zodToJsonConfig = { override: declareClosedObjects };
const jsonSchemaTransform = createJsonSchemaTransform({ zodToJsonConfig });
const jsonSchemaTransformObject = createJsonSchemaTransformObject({ zodToJsonConfig });

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });

/**
 * The errors a route answers with whatever its own schema declares, by what the route is: bad input
 * (the router's malformed URL, the input guard's NUL characters and lone surrogates, a parameter,
 * query or body the route's schema refuses), the API key check and route access
 * (src/plugins/authentication.ts), parsing a body (its limit, the content types read), the input
 * guard's URL limit and the router's path parameter limit, a rate limit, and the error handler's 500
 * and its 503 while the database cannot be reached (src/http/problems.ts). On a scan path a browser gets the scan error page instead, and on a route a
 * page's form posts to (config.formErrorPage) a browser's form post gets a page saying what to correct.
 */
function routeErrors(route: RouteOptions, maxParamLength: number): Record<string, string> {
  const config = route.config;
  const refused = rolesRefusedBy(routeKindOf(config));
  const takesPathParameters = route.url.includes(':');
  return {
    400: 'Bad input: a malformed URL, a NUL character or lone surrogate anywhere in the request, or a parameter, query or body the route refuses (errors[].pointer names it)',
    ...(checksApiKey(config) && {
      401: config?.public
        ? 'The API key given is unknown or revoked (without a key the route answers all the same)'
        : 'No API key ("Authorization: Bearer <key>"), or an unknown or revoked one',
      ...(refused.length > 0 && {
        403: `Forbidden to this key (keys of role ${refused.join(' or ')} are refused here whatever they ask)`,
      }),
    }),
    ...(route.schema?.body !== undefined && {
      413: route.bodyLimit ? `The body is over ${route.bodyLimit} bytes` : 'The body is over the service’s body limit (BODY_LIMIT_BYTES)',
      415: 'A Content-Type the route does not read, or a Content-Encoding other than identity (no body is decompressed)',
    }),
    414: `The URL is over ${MAX_URL_LENGTH} characters${takesPathParameters ? `, or a path parameter over ${maxParamLength}` : ''}`,
    ...(config?.rateLimit && { 429: 'Too many requests from this address; try again later' }),
    500: 'An unexpected error: logged, and answered without its details (quote the X-Request-Id header when reporting it)',
    503: 'The database cannot be reached for now (an outage, a restart): send the request again after Retry-After seconds',
  };
}

/** What @fastify/rate-limit adds to every answer of a route with a limit (config.rateLimit), and to its 429. */
const RATE_LIMIT_HEADERS = {
  'x-ratelimit-limit': { type: 'integer', description: 'the requests allowed from this address in the window' },
  'x-ratelimit-remaining': { type: 'integer', description: 'the requests left in the window' },
  'x-ratelimit-reset': { type: 'integer', description: 'seconds until the window starts again' },
};
const RETRY_AFTER = { 'retry-after': { type: 'integer', description: 'seconds to wait before asking again' } };

/**
 * What Node's HTTP parser answers before there is a request to route (src/plugins/errors.ts,
 * sendClientError): on the connection, as problem+json whatever the path, with none of a route's headers.
 */
const BEFORE_ROUTING: Record<string, string> = {
  408: 'The request’s headers did not arrive in time (Node’s headersTimeout, 60 s): answered on the connection before routing, which it closes',
  431: 'The request’s headers are over Node’s limit (16 KiB): answered on the connection before routing, which it closes',
};

/**
 * The route schemas as the document should read them. Every error leaves as problem+json
 * (src/http/problems.ts), so a response given as the Problem schema is declared so, here rather
 * than on each route, and so are the errors every route of its kind answers with (routeErrors): a
 * route's own declaration of a status comes first. jsonSchemaTransform keeps only a content-typed
 * response's description and content, so its headers (Link, GS1-EPCIS-Version, …) are put back
 * after it; a response given by one schema keeps those of its meta (a redirect's Location). Both are
 * followed by those every answer of the route carries (its config's answerHeaders, and the rate
 * limit's on a route with a limit, RATE_LIMIT_HEADERS). Every route
 * declares too what Node answers before routing (BEFORE_ROUTING).
 */
const transformFor =
  (maxParamLength: number): SwaggerTransform =>
  (document) => {
    if (document.schema?.hide) return jsonSchemaTransform(document);
    const scan = isScanPath(document.url);
    const form = Boolean(document.route.config?.formErrorPage);
    const shared = Object.entries(routeErrors(document.route, maxParamLength)).map(([status, description]) => [
      status,
      scan ? scanError(description) : form ? formError(description) : problem(description),
    ]);
    const own = Object.entries((document.schema?.response ?? NO_RESPONSES) as Record<string, unknown>).map(([status, schema]) => [
      status,
      schema === problemSchema ? problem(STATUS_CODES[status] ?? 'Error') : schema,
    ]);
    // the error handler's 503 says Retry-After; a route's own 503 (the health check's) need not
    const ownStatuses = new Set(own.map(([status]) => status));
    const beforeRouting = Object.entries(BEFORE_ROUTING).map(([status, description]) => [status, problem(description)]);
    // statuses are integer keys: they list in order whatever order they come in
    const declared = Object.fromEntries([...shared, ...own, ...beforeRouting]);
    const transformed = jsonSchemaTransform({ ...document, schema: { ...document.schema, response: declared } });
    const responses = transformed.schema.response as Record<string, Record<string, unknown>> | undefined;
    // a response's own headers first, then those every answer of the route carries (not the parser's)
    const limited = Boolean(document.route.config?.rateLimit);
    const everyAnswer = { ...document.route.config?.answerHeaders, ...(limited && RATE_LIMIT_HEADERS) };
    for (const [status, schema] of Object.entries(declared)) {
      const headers = {
        ...(isDeclaredByContent(schema) ? schema.headers : (responses?.[status]?.headers as Record<string, unknown> | undefined)),
        ...(status in BEFORE_ROUTING ? {} : everyAnswer),
        ...(((limited && status === '429') || (status === '503' && !ownStatuses.has(status))) && RETRY_AFTER),
      };
      if (Object.keys(headers).length > 0 && responses?.[status]) responses[status].headers = headers;
    }
    return transformed;
  };

type JsonSchema = { type?: string; anyOf?: JsonSchema[] };
type Operation = { requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> } };

/**
 * A body a route takes or goes without (its zod schema `.nullish()`: a close that needs nothing) declared as
 * what it is when sent, and not required: @fastify/swagger requires every body a route has a schema of.
 */
const withOptionalBodies: typeof jsonSchemaTransformObject = (input) => {
  const document = jsonSchemaTransformObject(input) as { paths?: Record<string, Record<string, Operation>> };
  for (const operation of Object.values(document.paths ?? {}).flatMap((operations) => Object.values(operations))) {
    const media = operation.requestBody?.content?.['application/json'];
    const sent = media?.schema?.anyOf?.filter((choice) => choice.type !== 'null');
    if (!operation.requestBody || !media || sent?.length !== 1 || media.schema?.anyOf?.length !== 2) continue;
    media.schema = sent[0];
    operation.requestBody.required = false;
  }
  return document as ReturnType<typeof jsonSchemaTransformObject>;
};

/**
 * What Swagger UI may load: its own scripts, styles and document, and the API it tries out, all from
 * this site (no inline script or style on its page); images from data: URLs (its logo, its stylesheet's
 * icons) and blob: URLs (an image answer tried out, a QR code). No site may frame it, to trick an admin
 * who pasted a key into clicking. Not @fastify/swagger-ui's own `staticCSP`, which lets its own site
 * frame it and upgrades every request to https, so that over plain http (a phone on the LAN) it would
 * load nothing.
 */
const DOCS_POLICY =
  "default-src 'self'; base-uri 'self'; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'";

// The OpenAPI 3.1 document is generated from the zod route schemas; Swagger UI serves it at /docs.
export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'County food-chain traceability API',
        description:
          'Unified codes for parties, products, lots and containers; an append-only EPCIS-shaped event log; bottom-up and forward traces. Errors are RFC 9457 problem+json. ' +
          'Any origin may call the API (CORS; keys travel in the Authorization header, never in cookies): every path listed here answers OPTIONS with 204 and its methods in Allow, ' +
          'and a CORS preflight (Origin and Access-Control-Request-Method) with Access-Control-Allow-Origin *, Access-Control-Allow-Methods (its methods) and Access-Control-Allow-Headers (those asked for). ' +
          'OPTIONS of a path the service does not serve is 404, as any other method there.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'API key' } } },
    },
    transform: transformFor(app.initialConfig.maxParamLength ?? 100),
    transformObject: withOptionalBodies,
  });
  // in a context of its own, so that the policy covers every answer of the docs (the plugin's static
  // files too) and nothing else
  await app.register(async (docs) => {
    docs.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', DOCS_POLICY).header('x-frame-options', 'DENY');
    });
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true } });
  });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
});
