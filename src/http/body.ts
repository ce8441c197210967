// Request bodies, read one way on every route: a member an object of the body does not declare is
// refused by name, at its own pointer, never dropped unseen (zod's z.object strips what it does not
// know). An object that keeps what it is not told of (a catchall: looseObject, passthrough, a party's
// own attributes) keeps it.
import { z } from 'zod';
import type { $ZodType, JSONSchema } from 'zod/v4/core';

export const NOT_A_MEMBER = 'not a member of this body';

/** An issue zod raises for the members an object does not declare, with the names it does declare. */
export type UnknownMembersIssue = { code: 'unrecognized_keys'; keys: string[]; members?: string[] };

/** The edits that turn one string into another (Levenshtein), case aside. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, index) => index);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[y.length];
}

/**
 * The declared member a misspelled name most likely meant: the nearest, within `share` of its length
 * (a third unless told; at least 1, at most 3 edits).
 */
export function closestMember(name: string, members: readonly string[], share = 1 / 3): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length * share)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const member of members) {
    const d = distance(name, member);
    if (d < bestDistance) [best, bestDistance] = [member, d];
  }
  return best;
}

/** What a refusal of an undeclared member says: that it is none, and the declared name it likely meant. */
export function unknownMemberDetail(name: string, members: readonly string[] = []): string {
  const hint = closestMember(name, members);
  return hint === undefined ? NOT_A_MEMBER : `${NOT_A_MEMBER}; did you mean "${hint}"?`;
}

type Def = Record<string, unknown> & { type: string };
const defOf = (schema: $ZodType) => schema._zod.def as unknown as Def;
const isSchema = (value: unknown): value is $ZodType => value instanceof z.core.$ZodType;

/** Bodies already made strict, so that a schema used twice (or lazily, by itself) is made so once. */
const STRICT = new WeakMap<$ZodType, $ZodType>();

/**
 * The schema a route's body is checked against: its own, with every object in it that would drop the
 * members it does not declare refusing them instead (an unrecognized_keys issue naming them and the
 * members it declares, see problemOf). Everything else is as it was: what a schema checks,
 * transforms and keeps.
 */
export function strictBody<T extends $ZodType>(schema: T): T {
  const done = STRICT.get(schema);
  if (done) return done as T;
  const def = defOf(schema);
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(def)) {
    if (isSchema(value)) {
      const strict = strictBody(value);
      if (strict !== value) changes[key] = strict;
    } else if (Array.isArray(value) && value.some(isSchema)) {
      const strict = value.map((entry) => (isSchema(entry) ? strictBody(entry) : entry));
      if (strict.some((entry, index) => entry !== value[index])) changes[key] = strict;
    } else if (key === 'shape' && typeof value === 'object' && value !== null) {
      const entries = Object.entries(value as Record<string, $ZodType>).map(([name, member]) => [name, strictBody(member)] as const);
      if (entries.some(([name, member]) => member !== (value as Record<string, $ZodType>)[name]))
        changes.shape = Object.fromEntries(entries);
    } else if (key === 'getter' && def.type === 'lazy' && typeof value === 'function') {
      const getter = value as () => $ZodType;
      changes.getter = () => strictBody(getter());
    }
  }
  if (def.type === 'object' && def.catchall === undefined) {
    const members = Object.keys((changes.shape ?? def.shape) as object);
    const own = def.error as ((issue: unknown) => unknown) | undefined;
    changes.catchall = z.never();
    changes.error = (issue: { code: string; members?: string[] }) => {
      if (issue.code !== 'unrecognized_keys') return own?.(issue);
      issue.members = members; // kept on the issue (zod copies its own keys), for each name's hint
      return NOT_A_MEMBER;
    };
  }
  if (Object.keys(changes).length === 0) {
    STRICT.set(schema, schema);
    return schema;
  }
  const strict = new (schema._zod.constr as new (def: unknown) => T)({ ...def, ...changes });
  STRICT.set(schema, strict);
  STRICT.set(strict, strict);
  return strict;
}

/**
 * The OpenAPI document's side of strictBody: an object that declares no catchall takes no other
 * members (`additionalProperties: false`), in what a request sends as in what an answer holds. An
 * override given replaces fastify-type-provider-zod's own, whose other work is done here too: a
 * union's empty branches left out, a date written as a date-time string, undefined as null (no
 * request part is a date or undefined, so what it does for answers alone is done for both).
 */
export function declareClosedObjects(context: { zodSchema: $ZodType; jsonSchema: JSONSchema.BaseSchema }) {
  const def = defOf(context.zodSchema);
  const json = context.jsonSchema;
  if (def.type === 'object' && def.catchall === undefined && json.additionalProperties === undefined) json.additionalProperties = false;
  if (def.type === 'union') json.anyOf = json.anyOf?.filter((branch) => Object.keys(branch).length > 0);
  if (def.type === 'date') Object.assign(json, { type: 'string', format: 'date-time' });
  if (def.type === 'undefined') json.type = 'null';
}

/** A member name as one step of a JSON pointer (RFC 6901). */
export const escapePointer = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');
