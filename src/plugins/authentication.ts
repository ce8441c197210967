import fp from 'fastify-plugin';
import { type Principal, requireRouteAccess } from '../access/index.js';
import { checksApiKey, routeKindOf } from '../http/request.js';

// Every route needs a valid API key unless its config says `public: true`; a public route with
// `acceptsKey: true` still checks a key it is given, and says more to its holder. A reader's device
// key reaches only the routes whose config says `takesReads: true`, a brand office's key only those
// saying `brandRoute: true`.
export default fp<{ authenticate: (authorization: string | undefined) => Promise<Principal> }>(async (app, { authenticate }) => {
  app.decorateRequest('principalOrNull', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // OPTIONS (CORS preflight, capture limits) never carries credentials
    if (request.method === 'OPTIONS' || request.is404 || isDocs(request.routeOptions.url)) return;
    // a public route that accepts a key answers without one
    if (!checksApiKey(config) || (config?.public && !request.headers.authorization)) return;
    request.principalOrNull = await authenticate(request.headers.authorization);
    requireRouteAccess(request.principalOrNull, routeKindOf(config));
  });
});

// Swagger UI registers its own routes under /docs.
const isDocs = (url: string | undefined) => url === '/docs' || Boolean(url?.startsWith('/docs/'));
