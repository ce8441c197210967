// RFC 9457 problem details: the one error type services throw. Plain, with no web framework in
// it; the error handler plugin turns a Problem into the response.
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
export const forbidden = (detail: string, errors?: FieldProblem[]) => new Problem(403, 'forbidden', 'Forbidden', detail, errors);
export const notFound = (detail: string, errors?: FieldProblem[]) => new Problem(404, 'not-found', 'Not found', detail, errors);
export const payloadTooLarge = (slug: string, detail: string) => new Problem(413, slug, 'Payload too large', detail);
/** EPCIS 2.0's QueryTooComplexException, which its REST binding answers with 413. */
export const queryTooComplex = (detail: string) => new Problem(413, 'query-too-complex', 'Query too complex', detail);
export const conflict = (detail: string, errors?: FieldProblem[]) => new Problem(409, 'conflict', 'Conflict', detail, errors);
export const unprocessable = (slug: string, detail: string, errors?: FieldProblem[]) =>
  new Problem(422, slug, 'Unprocessable request', detail, errors);

/** Field problem on the request body, addressed by path segments. */
export const bodyField = (path: (string | number)[], detail: string): FieldProblem => ({
  in: 'body',
  pointer: `/${path.join('/')}`,
  detail,
});

/** Field problem on a path parameter, addressed by its name as request validation addresses it (`/code`). */
export const paramField = (name: string, detail: string): FieldProblem => ({ in: 'params', pointer: `/${name}`, detail });

/**
 * The problem with its body fields' pointers moved by `move`, which takes and gives path segments
 * (a door that handed on a body of another shape names the fields of the body it was sent).
 */
export function withBodyFieldsMoved(problem: Problem, move: (path: (string | number)[]) => (string | number)[]): Problem {
  if (!problem.errors?.some((error) => error.in === 'body')) return problem;
  const pathOf = (pointer: string) =>
    pointer
      .split('/')
      .slice(1)
      .filter(Boolean)
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  const errors = problem.errors.map((error) => (error.in === 'body' ? bodyField(move(pathOf(error.pointer)), error.detail) : error));
  return new Problem(problem.status, problem.slug, problem.title, problem.detail, errors);
}

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
