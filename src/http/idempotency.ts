// The Idempotency-Key request header (IETF draft "The Idempotency-Key HTTP Header Field") on the
// routes whose writes a client retries: a retry under the key is answered as the first request
// was, with Idempotent-Replayed: true, and writes nothing (src/db/idempotency.ts keeps the keys).
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Answered, IDEMPOTENCY_KEY_HOURS, type IdempotentRequest } from '../db/idempotency.js';

/** The longest key taken: a UUID or an ERP's document number fits many times over. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The request header, as a route declares it (`headers`): a key of printable ASCII, optional. */
export const idempotencyKeyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(MAX_IDEMPOTENCY_KEY_LENGTH)
    .regex(/^[\x20-\x7e]+$/, 'printable ASCII only')
    .optional()
    .describe(
      `A key of the client's own (printable ASCII, at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters; a UUID, say) naming this write: a retry with the same key and request within ${IDEMPOTENCY_KEY_HOURS} hours is answered as the first request was, with \`Idempotent-Replayed: true\`, and writes nothing; a concurrent one waits for the first. The same key with another request is 422 \`idempotency-key-reused\`. Keys are the calling party's own (a reader key's, that key's own); a refused request keeps no key.`,
    ),
});

/**
 * The request's key, a hash of what it asked (route, path parameters and body as validated), and
 * how its answer is sent: as the route's serializer for `status` writes it. Undefined without a key.
 */
export function idempotencyOf<T>(request: FastifyRequest, reply: FastifyReply, status: number): IdempotentRequest<T> | undefined {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string') return undefined;
  // a response declared by content type (a Location with it, say) has a serializer per type
  const declared = (request.routeOptions.schema?.response as Record<number, object> | undefined)?.[status];
  const contentType = declared && 'content' in declared ? 'application/json' : undefined;
  const asked = canonicalize({ method: request.method, route: request.routeOptions.url, params: request.params, body: request.body });
  return {
    key,
    requestHash: createHash('sha256')
      .update(asked ?? '')
      .digest('base64url'),
    present: (answer) => reply.serializeInput(answer as Record<string, unknown>, String(status), contentType) as string,
  };
}

/** Sends a write's answer, or the body first sent for its key, marked as replayed. */
export function sendAnswered<T>(reply: FastifyReply, status: number, answered: Answered<T>) {
  reply.code(status);
  if (!answered.replayed) return reply.send(answered.answer);
  return reply.header('idempotent-replayed', 'true').type('application/json; charset=utf-8').send(answered.body);
}
