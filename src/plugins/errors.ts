import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Problem } from '../errors/problem.js';
import { toProblem } from '../http/problems.js';
import { sendScanError } from '../resolver/routes.js';

// The app's error and 404 handlers: every error leaves as problem+json (see src/http/problems.ts),
// except on the paths a label links to, where a browser gets the scan error page instead.

/** Unknown paths are answered, but not at any rate: probing the public surface is throttled. */
export const NOT_FOUND_RATE_LIMIT = { max: 120, timeWindow: '1 minute' };

/** Answers any error, including the router's own (a URL it cannot decode). */
export const sendError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
  sendScanError(request, reply, toProblem(error, request));

export default fp(async (app) => {
  app.setErrorHandler(sendError);
  app.setNotFoundHandler({ preHandler: app.rateLimit(NOT_FOUND_RATE_LIMIT) }, (request, reply) =>
    sendScanError(request, reply, new Problem(404, 'not-found', 'Not found', `No route ${request.method} ${request.url.split('?')[0]}`)),
  );
});
