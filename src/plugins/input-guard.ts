import fp from 'fastify-plugin';
import { badRequest, Problem } from '../errors/problem.js';
import { MAX_URL_LENGTH } from '../http/request.js';

// What no request may carry, checked once for every route before its own schema runs:
// PostgreSQL refuses NUL characters in text and JSON, a lone surrogate is not text at all, and
// a document nested deeper than any real one only serves to exhaust the stack of whatever walks it.

/** Deeper than any EPCIS document or API body this service reads. */
export const MAX_NESTING = 64;

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what it looks for
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// almost all text has neither NUL nor surrogates: one quick scan clears it
const unstorable = (text: string) => SUSPECT.test(text) && (text.includes('\u0000') || LONE_SURROGATE.test(text));

const pointerPart = (key: string | number) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

type Visit = { value: object; depth: number; key?: string | number; parent?: Visit };
/** The JSON pointer of `key` inside a visited value (of the visited value itself without one), built only for the one reported. */
const pointerOf = (visit: Visit | undefined, key?: string | number): string => {
  const path: (string | number)[] = key === undefined ? [] : [key];
  for (let at = visit; at?.parent; at = at.parent) path.unshift(at.key as string | number);
  return `/${path.map(pointerPart).join('/')}`;
};

/** What a string or number must not be, or null (other values hold nothing to refuse). */
function primitiveProblem(value: unknown): string | null {
  if (typeof value === 'string') return unstorable(value) ? 'contains a NUL character or a lone surrogate' : null;
  // JSON parses a number too large for a double (1e400) as Infinity, which no JSON can hold again
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'is a number beyond the range JSON numbers hold';
  return null;
}

// uploaded files (PDF, JPEG) are bytes, not text
const isWalked = (value: unknown): value is object => typeof value === 'object' && value !== null && !ArrayBuffer.isView(value);

/**
 * The first place in `value` a request must not carry, as a JSON pointer with what is wrong; walked
 * without recursion. Strings and numbers are checked where they are found: only objects and arrays
 * are kept to visit, so a list of millions of numbers costs a loop, not an object per number.
 */
export function unacceptableInput(value: unknown): { pointer: string; detail: string } | null {
  const problem = primitiveProblem(value);
  if (problem) return { pointer: pointerOf(undefined), detail: problem };
  if (!isWalked(value)) return null;
  const stack: Visit[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    if (visit.depth >= MAX_NESTING) return { pointer: pointerOf(visit), detail: `nested deeper than ${MAX_NESTING} levels` };
    const current = visit.value as Record<string, unknown>;
    const keys: (string | number)[] = Array.isArray(current) ? Array.from(current.keys()) : Object.keys(current);
    for (const key of keys) {
      if (typeof key === 'string' && unstorable(key))
        return { pointer: pointerOf(visit), detail: 'has a member name with a NUL character or a lone surrogate' };
      const child = current[key];
      const found = primitiveProblem(child);
      if (found) return { pointer: pointerOf(visit, key), detail: found };
      if (isWalked(child)) stack.push({ value: child, depth: visit.depth + 1, key, parent: visit });
    }
  }
  return null;
}

/** The content codings a body names other than identity (no coding at all), in the order they were applied. */
const contentCodings = (header: string | undefined) =>
  (header ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');

/** Methods whose body Fastify never reads: whatever coding it is labelled with, nothing is decoded. */
const BODY_NEVER_READ = new Set(['GET', 'HEAD', 'TRACE']);

export default fp(async (app) => {
  app.addHook('onRequest', async (request) => {
    // as it came: the app's rewriteUrl may have shortened it (a full-width "？" read as "?")
    const { length } = request.originalUrl;
    if (length > MAX_URL_LENGTH)
      throw new Problem(414, 'uri-too-long', 'URI too long', `the URL has ${length} characters; at most ${MAX_URL_LENGTH}`);
  });
  // no route decodes a compressed body: parsed as it came, a gzip body reads as malformed JSON, and
  // a plain one labelled gzip would be taken; RFC 9110 answers an unsupported coding with 415
  app.addHook('preParsing', async (request, reply, payload) => {
    const codings = contentCodings(request.headers['content-encoding']);
    const bodyRead =
      !BODY_NEVER_READ.has(request.method) &&
      (request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0);
    if (codings.length === 0 || !bodyRead) return payload;
    reply.header('accept-encoding', 'identity');
    const detail = `the body is in the content coding ${codings.join(', ')}; send it uncompressed (identity)`;
    throw new Problem(415, 'unsupported-content-encoding', 'Unsupported content encoding', detail, [
      { in: 'headers', pointer: '/content-encoding', detail: 'only identity is taken' },
    ]);
  });
  app.addHook('preValidation', async (request) => {
    for (const [where, value] of [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const) {
      const found = unacceptableInput(value);
      if (found)
        throw badRequest(`${where} ${found.pointer}: ${found.detail}`, [{ in: where, pointer: found.pointer, detail: found.detail }]);
    }
  });
});
