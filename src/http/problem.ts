import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** One field-level problem: where in the request (`in` + JSON pointer) and what is wrong. */
export type FieldProblem = { in: string; pointer: string; detail: string };

/** RFC 9457 problem details; every error the API sends has this shape. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldProblem[],
  ) {
    super(detail ?? title);
  }
}

export const badRequest = (detail: string, errors?: FieldProblem[]) => new Problem(400, 'bad-request', 'Bad request', detail, errors);
export const unauthorized = (detail: string) => new Problem(401, 'unauthorized', 'Unauthorized', detail);
export const forbidden = (detail: string) => new Problem(403, 'forbidden', 'Forbidden', detail);
export const notFound = (detail: string) => new Problem(404, 'not-found', 'Not found', detail);
export const conflict = (detail: string, errors?: FieldProblem[]) => new Problem(409, 'conflict', 'Conflict', detail, errors);
export const unprocessable = (slug: string, detail: string, errors?: FieldProblem[]) =>
  new Problem(422, slug, 'Unprocessable request', detail, errors);

/** Field problem on the request body, addressed by path segments. */
export const bodyField = (path: (string | number)[], detail: string): FieldProblem => ({
  in: 'body',
  pointer: `/${path.join('/')}`,
  detail,
});

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ in: z.string(), pointer: z.string(), detail: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

const fastifyErrorProblems: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed-json', 'Malformed JSON body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed-json', 'Empty JSON body'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body-too-large', 'Request body too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported-media-type', 'Unsupported media type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad-request', 'Invalid content length'],
};

function toProblem(error: FastifyError): Problem {
  if (error instanceof Problem) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const errors = error.validation.map((issue) => ({
      in: where,
      pointer: issue.instancePath || '/',
      detail: issue.message ?? 'invalid value',
    }));
    const first = errors[0];
    return new Problem(400, 'validation', 'Request validation failed', `${first.in} ${first.pointer}: ${first.detail}`, errors);
  }
  const known = error.code ? fastifyErrorProblems[error.code] : undefined;
  if (known) return new Problem(known[0], known[1], known[2], error.message);
  if (error.statusCode === 429) return new Problem(429, 'too-many-requests', 'Too many requests', error.message);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new Problem(error.statusCode, 'bad-request', 'Bad request', error.message);
  }
  return new Problem(500, 'internal', 'Internal server error', 'The error was logged; please retry or report the request id.');
}

export function registerProblemHandlers(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ problem: problem.slug, detail: problem.detail }, 'request rejected');
    return reply
      .code(problem.status)
      .type('application/problem+json')
      .send({
        type: `/problems/${problem.slug}`,
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        instance: request.url,
        ...(problem.errors ? { errors: problem.errors } : {}),
      });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type('application/problem+json')
      .send({
        type: '/problems/not-found',
        title: 'Not found',
        status: 404,
        detail: `No route ${request.method} ${request.url.split('?')[0]}`,
        instance: request.url,
      }),
  );
}
