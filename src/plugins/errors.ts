import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isComplaintFormPost, sendComplaintFormError } from '../complaints/form-errors.js';
import { Problem } from '../errors/problem.js';
import { namedUrl, OUTAGE_RETRY_AFTER_SECONDS, toProblem } from '../http/problems.js';
import { sentUrlOf } from '../http/request.js';
import { sendScanError } from '../resolver/routes.js';

// The app's error and 404 handlers: every error leaves as problem+json (see src/http/problems.ts),
// except on the paths a label links to, where a browser gets the scan error page instead, and for
// the scan page's complaint form, whose browser gets a page saying what to correct.

/** Unknown paths are answered, but not at any rate: probing the public surface is throttled. */
const NOT_FOUND_RATE_LIMIT = { max: 120, timeWindow: '1 minute' };

/** Answers any error, including the router's own (a URL it cannot decode). */
export const sendError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
  const problem = toProblem(error, request);
  // the database is unreachable: the API and the scan page alike say when to try again
  if (problem.status === 503) reply.header('retry-after', String(OUTAGE_RETRY_AFTER_SECONDS));
  return isComplaintFormPost(request) ? sendComplaintFormError(request, reply, problem) : sendScanError(request, reply, problem);
};

/** Connection errors that are not a malformed request: status, slug and title. */
const connectionErrorProblems: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', 'Request timeout'],
  HPE_HEADER_OVERFLOW: [431, 'headers-too-large', 'Request header fields too large'],
};

/**
 * Answers on the raw socket what Node's HTTP parser refuses before there is a request to route (a
 * byte not allowed in a header, headers too large, a timeout), as problem+json like any other error.
 */
export function sendClientError(this: FastifyInstance, error: ConnectionError, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, slug, title] = Object.hasOwn(connectionErrorProblems, error.code)
    ? connectionErrorProblems[error.code]
    : [400, 'malformed-request', 'Malformed request'];
  // the parser's reason ("Parse Error: Invalid header value char"), never the bytes it refused
  const detail = error.message.slice(0, 200);
  this.log.info({ problem: slug, detail, code: error.code }, 'request rejected');
  // not after a response on the same socket has begun: its bytes would be mixed with ours
  const responding = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (socket.writable && !responding) {
    const body = JSON.stringify({ type: `/problems/${slug}`, title, status, detail });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/problem+json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export default fp(async (app) => {
  app.setErrorHandler(sendError);
  app.setNotFoundHandler({ preHandler: app.rateLimit(NOT_FOUND_RATE_LIMIT) }, (request, reply) =>
    // the path as sent, as `instance` names it (the router's, rewriteUrl's, may read otherwise: a full-width "？" as "?")
    sendScanError(
      request,
      reply,
      new Problem(404, 'not-found', 'Not found', `No route ${request.method} ${namedUrl(sentUrlOf(request).split('?')[0])}`),
    ),
  );
});
