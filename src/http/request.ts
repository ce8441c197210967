// What routes read off a request: the principal its API key resolved to (set by the
// authentication plugin) and the OpenAPI security requirement of authenticated routes.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyContextConfig, FastifyRequest } from 'fastify';
import type { Principal, RouteKind } from '../access/index.js';
import { cutUrl, withoutUserinfo } from './uri.js';

/** Longer URLs are refused: responses echo parts of them in headers (Link), which clients read only up to 16 KiB. */
export const MAX_URL_LENGTH = 8192;

type LoggedRequest = {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers?: IncomingHttpHeaders;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
};

/**
 * The URL as the client sent it, which logs and problems name (the app's rewriteUrl may have read it otherwise: a
 * full-width "？" as "?"), less a user name and password its absolute form may carry: they are no one's to read.
 */
export const sentUrlOf = (request: Pick<LoggedRequest, 'url' | 'originalUrl'>) => withoutUserinfo(request.originalUrl ?? request.url ?? '');

/** The URL as the logs name it: as sent (sentUrlOf), cut as a problem's `instance` is (cutUrl: a request line runs to some 16 KB). */
export const loggedUrlOf = (request: Pick<LoggedRequest, 'url' | 'originalUrl'>) => cutUrl(sentUrlOf(request));

/** A request as the logs name it (the fields of Fastify's own serializer), its URL as sent and cut (loggedUrlOf). */
export function loggedRequest(request: LoggedRequest) {
  const version = request.headers?.['accept-version'];
  return {
    method: request.method,
    url: loggedUrlOf(request),
    version: typeof version === 'string' ? version : undefined,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    principalOrNull: Principal | null;
  }
  interface FastifyContextConfig {
    /** Reachable without an API key (health, docs, the OpenAPI document, the public resolver). */
    public?: boolean;
    /** RFID ingest: the one kind of route a reader's device key may call. */
    takesReads?: boolean;
    /** The brand programme: the one kind of route a brand office's key may call. */
    brandRoute?: boolean;
    /** On a public route: a key given is checked (401 when invalid) and its principal used. */
    acceptsKey?: boolean;
    /**
     * A route a page's form posts to: a browser's form post it refuses gets a page saying what to
     * correct (src/complaints/form-errors.ts), every error declared as problem+json or that page.
     */
    formErrorPage?: boolean;
    /**
     * Headers every answer of the route carries, errors included (an onSend hook of its plugin
     * sends them): declared on each of its responses in the OpenAPI document, as JSON Schemas by name.
     */
    answerHeaders?: Record<string, object>;
  }
}

/** Whether a route checks the API key it is given: every route but a public one that does not accept a key. */
export const checksApiKey = (config: FastifyContextConfig | undefined): boolean => !config?.public || config.acceptsKey === true;

/** The route's kind for route access (src/access): which keys it takes besides the ordinary ones. */
export const routeKindOf = (config: FastifyContextConfig | undefined): RouteKind => ({
  takesReads: config?.takesReads === true,
  brandRoute: config?.brandRoute === true,
});

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principalOrNull) throw new Error(`route ${request.routeOptions.url} is public but asked for a principal`);
  return request.principalOrNull;
}

export const bearerSecurity = [{ bearerAuth: [] }];
/** OpenAPI security of a public route that also accepts a key. */
export const optionalBearerSecurity: Record<string, string[]>[] = [{}, { bearerAuth: [] }];

/** Request ids a caller may choose: short and plain, as they are echoed in a header and written to the log. */
const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is a plain one, else a new UUID (never a header value that breaks the answer or the log). */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && CALLER_REQUEST_ID.test(header) ? header : crypto.randomUUID();
}
