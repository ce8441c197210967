import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isConcurrencyFailure, isConnectionFailure } from '../db/errors.js';
import { type FieldProblem, Problem } from '../errors/problem.js';
import { escapePointer, unknownMemberDetail } from './body.js';
import { loggedUrlOf, sentUrlOf } from './request.js';
import { cutUrl, escapedForUri, uriReference } from './uri.js';

// Every error leaves as RFC 9457 problem+json: Problems thrown by services as they are, request
// validation failures with a pointer per field, Fastify's own errors mapped, an unreachable database
// a 503, anything else a 500 that is logged with the request it came from.

/** Seconds an answer during a database outage (503) tells the client to wait before sending again. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/** Fastify's own request errors: status, slug, title, and where in the request the fault lies. */
const fastifyErrorProblems: Record<string, [number, string, string, Omit<FieldProblem, 'detail'>]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed-json', 'Malformed JSON body', { in: 'body', pointer: '/' }],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed-json', 'Empty JSON body', { in: 'body', pointer: '/' }],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body-too-large', 'Request body too large', { in: 'body', pointer: '/' }],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported-media-type', 'Unsupported media type', { in: 'headers', pointer: '/content-type' }],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad-request', 'Invalid content length', { in: 'headers', pointer: '/content-length' }],
  FST_ERR_BAD_URL: [400, 'malformed-url', 'Malformed URL', { in: 'path', pointer: '/' }],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'uri-too-long', 'URI too long', { in: 'path', pointer: '/' }],
};

/** The most characters of a URL a problem's detail names: a URL may be thousands of characters long. */
const NAMED_URL_CHARS = 200;

/**
 * A URL as a problem's detail names it: as the client sent it, what no URI carries raw escaped, cut where a character
 * ends (cutUrl) to NAMED_URL_CHARS with the ellipsis.
 */
export function namedUrl(url: string): string {
  const named = escapedForUri(url);
  return named.length <= NAMED_URL_CHARS ? named : `${cutUrl(named, NAMED_URL_CHARS - 1)}…`;
}

/**
 * A URL as a problem's `instance` names it: an RFC 3986 URI reference (uriReference), cut where a character ends to at
 * most 2,048 characters (cutUrl; the router refuses URLs some 16 KB long before the input guard's limit).
 */
const instanceOf = (url: string) => cutUrl(uriReference(url));

/**
 * The details of the router's own errors, whose messages name the URL as the app's rewriteUrl read it (a full-width
 * "？" as "?", a request target in absolute form as its path): they name it as sent, as `instance` and the logs do.
 */
const routerErrorDetails: Record<string, (url: string) => string> = {
  FST_ERR_BAD_URL: (url) => `'${namedUrl(url)}' is not a valid url component`,
  FST_ERR_MAX_PARAM_LENGTH: (url) => `'${namedUrl(url)}' is exceeding the max param length`,
};

/** The problem an error stands for; `sentUrl`, the URL as the client sent it, is what the router's own errors name. */
export function problemOf(error: FastifyError, sentUrl?: string): Problem {
  if (error instanceof Problem) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    // an undeclared member first: a misspelled name explains the declared one found missing
    const validation = [...error.validation].sort(
      (a, b) => Number(b.keyword === 'unrecognized_keys') - Number(a.keyword === 'unrecognized_keys'),
    );
    const errors = validation.flatMap((issue) => {
      const at = issue.instancePath === '/' ? '' : issue.instancePath;
      // a body's undeclared members, each at its own pointer (src/http/body.ts)
      if (issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params.keys)) {
        const members = Array.isArray(issue.params.members) ? (issue.params.members as string[]) : [];
        return (issue.params.keys as string[]).map((key) => ({
          in: where,
          pointer: `${at}/${escapePointer(key)}`,
          detail: unknownMemberDetail(key, members),
        }));
      }
      return [{ in: where, pointer: issue.instancePath || '/', detail: issue.message ?? 'invalid value' }];
    });
    const first = errors[0];
    return new Problem(400, 'validation', 'Request validation failed', `${first.in} ${first.pointer}: ${first.detail}`, errors);
  }
  const known = error.code ? fastifyErrorProblems[error.code] : undefined;
  if (known) {
    const namesUrl = sentUrl !== undefined && Object.hasOwn(routerErrorDetails, error.code);
    const detail = namesUrl ? routerErrorDetails[error.code](sentUrl) : error.message;
    return new Problem(known[0], known[1], known[2], detail, [{ ...known[3], detail }]);
  }
  if (error.statusCode === 429) return new Problem(429, 'too-many-requests', 'Too many requests', error.message);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new Problem(error.statusCode, 'bad-request', 'Bad request', error.message);
  }
  if (isConcurrencyFailure(error)) {
    return new Problem(
      409,
      'concurrent-write',
      'Concurrent write',
      'Another request changed the same rows at the same time; nothing was stored: send the request again.',
    );
  }
  if (isConnectionFailure(error)) {
    return new Problem(
      503,
      'service-unavailable',
      'Service unavailable',
      `The database cannot be reached for now: send the request again in ${OUTAGE_RETRY_AFTER_SECONDS} seconds.`,
    );
  }
  return new Problem(500, 'internal', 'Internal server error', 'The error was logged; please retry or report the request id.');
}

/** The problem an error stands for, logged with the request it came from (a 5xx with its stack). */
export function toProblem(error: FastifyError, request: FastifyRequest): Problem {
  const problem = problemOf(error, sentUrlOf(request));
  const context = { method: request.method, url: loggedUrlOf(request), params: request.params };
  if (problem.status >= 500) request.log.error({ err: error, ...context }, 'request failed');
  else request.log.info({ problem: problem.slug, detail: problem.detail, ...context }, 'request rejected');
  return problem;
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem) {
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({
      type: `/problems/${problem.slug}`,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      instance: instanceOf(sentUrlOf(request)),
      ...(problem.errors ? { errors: problem.errors } : {}),
    });
}
