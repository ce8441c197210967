// Query strings, read one way on every route: a parameter a route does not declare is refused by
// name, never ignored (but on the routes that pass over what they do not read: passingOver), and a
// number is written in plain decimal digits, once.
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { strictBody } from './body.js';

/**
 * Names JavaScript gives every object (`__proto__`, `constructor`, `hasOwnProperty`, …) and
 * functions (`prototype`): never a parameter of a route that does not declare it, even one that
 * keeps parameters it does not know to refuse them itself (zod drops `__proto__` from what it keeps, unseen).
 */
const OBJECT_MACHINERY = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

const NOT_A_PARAMETER = 'not a parameter of this route';

const DECIMAL = /^[0-9]+$/;

/**
 * An integer query parameter in `min…max`, written in decimal digits alone: `Number()` would also
 * read `1e2`, `0x10`, ` 5`, `5.0`, `-0` and an empty value (as 0), and a repeated parameter is an array.
 * Its default is given with `.prefault(n)`, which the OpenAPI document shows (it leaves out a `.default`
 * of a schema that transforms its input).
 */
export function queryInteger(min: number, max = Number.MAX_SAFE_INTEGER) {
  const expected =
    max === Number.MAX_SAFE_INTEGER ? `must be a decimal integer, at least ${min}` : `must be a decimal integer ${min}…${max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value),
    z
      .number({ error: (issue) => (Array.isArray(issue.input) ? 'given more than once; takes one value' : expected) })
      .int({ error: expected })
      .min(min, { error: expected })
      .max(max, { error: expected }),
  );
}

/** Refuses each undeclared name of the object machinery, at its own pointer. */
const refuseObjectMachinery = (declared: Set<string>) =>
  z.unknown().superRefine((query, context) => {
    if (typeof query !== 'object' || query === null) return;
    for (const name of Object.keys(query))
      if (OBJECT_MACHINERY.has(name) && !declared.has(name)) context.addIssue({ code: 'custom', path: [name], message: NOT_A_PARAMETER });
  });

/** Query schemas of the routes that pass over the parameters they do not declare (passingOver). */
const PASSING_OVER = new WeakSet<z.ZodType>();

/**
 * The query schema of a route that passes over every parameter it does not declare, the object machinery's names
 * included (a scan: what a messenger app or a campaign adds to a shared link is no error of the shopper's). They are
 * left out of what the route reads, which has no prototype: a name the route reads is only ever a parameter given.
 * A route that passes them on reads them off the URL, as written.
 */
export function passingOver<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>) {
  const read = schema.strip();
  PASSING_OVER.add(read);
  return read;
}

const withoutPrototype = (query: unknown) => Object.assign(Object.create(null) as object, query);

/**
 * The schema a route's query string is checked against: its own, refusing each parameter it does
 * not declare. A route that keeps unknown ones to refuse them itself by name (the EPCIS query)
 * refuses only the object machinery, which it could never be given; one that passes them over
 * (passingOver) refuses none.
 */
export function strictQuerystring(schema: z.ZodType): z.ZodType {
  if (PASSING_OVER.has(schema)) return schema.transform(withoutPrototype);
  if (!(schema instanceof z.ZodObject)) return refuseObjectMachinery(new Set()).pipe(schema);
  const declared = new Set(Object.keys(schema.shape));
  // a catchall (passthrough included) keeps what it is given; without one, zod would drop it unseen
  const strict = schema.def.catchall === undefined ? schema.catchall(z.unknown().refine(() => false, { error: NOT_A_PARAMETER })) : schema;
  return refuseObjectMachinery(declared).pipe(strict);
}

/** A route that declares no query string takes none. */
const NO_QUERY = z.object({});

/** Zod's validator compiler, with every query string (strictQuerystring) and body (strictBody) read strictly. */
export const requestValidatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) =>
  validatorCompiler(
    route.httpPart === 'querystring'
      ? { ...route, schema: strictQuerystring(route.schema) }
      : route.httpPart === 'body'
        ? { ...route, schema: strictBody(route.schema) }
        : route,
  );

/** The route's schema with a query string that takes nothing when it declares none (the docs' own routes aside). */
export const withQuerystring = (schema: FastifySchema | undefined): FastifySchema =>
  schema?.hide ? schema : { ...schema, querystring: schema?.querystring ?? NO_QUERY };
