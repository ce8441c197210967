import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import fp from 'fastify-plugin';

// Resolver pages, QR images and the API are read cross-origin; keys travel in headers, never cookies.

/** The methods a path may be served with, OPTIONS aside. */
const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The methods the routes of a request's path serve (none: the service has no such path). */
const methodsServed = (app: FastifyInstance, request: FastifyRequest) =>
  METHODS.filter((method) => app.findRoute({ method, url: request.url }) !== null);

const isPreflight = (request: FastifyRequest) =>
  request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined;

/**
 * Every answer allows any origin (@fastify/cors). OPTIONS is answered here instead of by the plugin's
 * preflight, which answered it on any path, the service's or not, with one list of methods: a path
 * the service has is allowed its own methods (a preflight, with the headers it asked for) and named
 * them in Allow (a 204, unless the path has an OPTIONS route of its own, which then answers); a path
 * it does not have is left to the plugin's OPTIONS route, which hands it to the 404 handler. Before
 * OPTIONS of a path the service has is answered, `checkOptions` may refuse it (the EPCIS version
 * range, src/epcis/routes.ts, which every EPCIS request is held to): its error is the answer.
 */
export default fp<{ checkOptions?: (request: FastifyRequest) => Promise<void> }>(async (app, { checkOptions }) => {
  await app.register(cors, {
    origin: '*',
    exposedHeaders: [
      'Link',
      'Location',
      'X-Request-Id',
      // what the EPCIS routes answer with (src/epcis/routes.ts): the versions, the identifier format, the capture limits
      'GS1-EPCIS-Version',
      'GS1-CBV-Version',
      'GS1-EPC-Format',
      'GS1-EPCIS-Capture-Limit',
      'GS1-EPCIS-Capture-File-Size-Limit',
      'GS1-Capture-Error-Behaviour',
    ],
    preflight: false,
  });
  // after the plugin's own hook, which has set the headers of every answer
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'OPTIONS') return;
    const methods = methodsServed(app, request);
    if (methods.length === 0) return;
    // before any method is offered: a refused request is offered none
    await checkOptions?.(request);
    if (isPreflight(request)) {
      const asked = request.headers['access-control-request-headers'];
      reply.header('access-control-allow-methods', methods.join(', ')).header('vary', 'Access-Control-Request-Headers');
      if (asked !== undefined) reply.header('access-control-allow-headers', asked);
    }
    // the plugin's catch-all OPTIONS route: the path has none of its own
    if (request.routeOptions.url === '*')
      return reply
        .code(204)
        .header('allow', ['OPTIONS', ...methods].join(', '))
        .send();
  });
});
