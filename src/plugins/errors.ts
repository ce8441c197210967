import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { Problem } from '../errors/problem.js';
import { sendProblem, toProblem } from '../http/problems.js';

// The app's error and 404 handlers: every error leaves as problem+json (see src/http/problems.ts).

/** Unknown paths are answered, but not at any rate: probing the public surface is throttled. */
export const NOT_FOUND_RATE_LIMIT = { max: 120, timeWindow: '1 minute' };

export default fp(async (app) => {
  app.setErrorHandler((error: FastifyError, request, reply) => sendProblem(request, reply, toProblem(error, request)));
  app.setNotFoundHandler({ preHandler: app.rateLimit(NOT_FOUND_RATE_LIMIT) }, (request, reply) =>
    sendProblem(request, reply, new Problem(404, 'not-found', 'Not found', `No route ${request.method} ${request.url.split('?')[0]}`)),
  );
});
