import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';
import type { ApiKeyService } from '../auth/service.js';

declare module 'fastify' {
  interface FastifyRequest {
    principalOrNull: Principal | null;
  }
  interface FastifyContextConfig {
    /** Reachable without an API key (health, docs, the OpenAPI document). */
    public?: boolean;
  }
}

/** Every route needs a valid API key unless its config says `public: true`. */
export function registerAuthentication(app: FastifyInstance, apiKeys: Pick<ApiKeyService, 'authenticate'>) {
  app.decorateRequest('principalOrNull', null);
  app.addHook('onRequest', async (request) => {
    // OPTIONS (CORS preflight, capture limits) never carries credentials
    if (request.method === 'OPTIONS' || request.is404 || request.routeOptions.config?.public || isDocs(request.routeOptions.url)) return;
    request.principalOrNull = await apiKeys.authenticate(request.headers.authorization);
  });
}

// Swagger UI registers its own routes under /docs.
const isDocs = (url: string | undefined) => url === '/docs' || Boolean(url?.startsWith('/docs/'));

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principalOrNull) throw new Error(`route ${request.routeOptions.url} is public but asked for a principal`);
  return request.principalOrNull;
}

export const bearerSecurity = [{ bearerAuth: [] }];
