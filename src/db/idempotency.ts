// Idempotency keys (the Idempotency-Key request header): a client names a write with a key of its
// own, and a retry under that key is answered as the first request was instead of writing again.
// A key is claimed in the write's own transaction and holds the answer once the write is stored:
// no write commits without its key, and a refused write leaves no key (it wrote nothing).
import { sql } from 'drizzle-orm';
import { conflict, unprocessable } from '../errors/problem.js';
import { type Db, queryRows } from './client.js';

/** How long a key is kept: a request under it after that is a new one. */
export const IDEMPOTENCY_KEY_HOURS = 24;

/** A request's key, a hash of what it asked (route, parameters, body), and its answer as sent (JSON text). */
export type IdempotentRequest<T> = { key: string; requestHash: string; present: (answer: T) => string };

/** The request whose write's result `answerOf` turns into the answer sent (a stored row into the route's view of it). */
export const presenting = <T, A>(request: IdempotentRequest<A> | undefined, answerOf: (result: T) => A): IdempotentRequest<T> | undefined =>
  request && { ...request, present: (result) => request.present(answerOf(result)) };

/** What a write under a key answers: the write's answer, or the body first sent for the key. */
export type Answered<T> = { replayed: false; answer: T } | { replayed: true; body: string };

/** A write's own answer, made with no key (so never a replay: a replay here is a fault of the service). */
export function written<T>(answered: Answered<T>): T {
  if (answered.replayed) throw new Error('a write without an Idempotency-Key was answered as a replay');
  return answered.answer;
}

type Claim = { partyCode: string; key: string; requestHash: string };

/** A key as a claim found it: this transaction's now, or used before (what its request asked and was answered). */
export type HeldKey = { claimed: true } | { claimed: false; requestHash: string; answer: string | null };

export const claimOf = (partyCode: string, request: IdempotentRequest<never>): Claim => ({
  partyCode,
  key: request.key,
  requestHash: request.requestHash,
});

/** One key of one party (party codes hold no spaces). */
export const keyIdOf = (claim: Pick<Claim, 'partyCode' | 'key'>) => `${claim.partyCode} ${claim.key}`;

const texts = (values: string[]) => sql`${sql.param(values)}::text[]`;

/**
 * Claims the keys in the transaction, in one order (two transactions claiming the same keys wait
 * for one another, never in a cycle). A key another transaction holds is waited for: once that one
 * commits it reads as used; once it rolls back, as this one's. A key past its time is claimed anew.
 */
export async function claimKeys(tx: Db, claims: Claim[], now: Date): Promise<Map<string, HeldKey>> {
  const unique = [...new Map(claims.map((claim) => [keyIdOf(claim), claim])).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const held = new Map<string, HeldKey>();
  if (unique.length === 0) return held;
  const parties = [...new Set(unique.map(([, claim]) => claim.partyCode))];
  const expired = new Date(now.getTime() - IDEMPOTENCY_KEY_HOURS * 3_600_000);
  // the parties' keys past their time go now (clean-up); rows another transaction holds are left to it
  await tx.execute(sql`delete from idempotency_keys where ctid in (
    select ctid from idempotency_keys where party_code = any(${texts(parties)}) and created_at < ${expired}
    for update skip locked)`);
  const claimed = await queryRows<{ party_code: string; key: string }>(
    tx,
    sql`insert into idempotency_keys as k (party_code, key, request_hash, created_at)
      select c.party_code, c.key, c.request_hash, ${now} from unnest(
        ${texts(unique.map(([, claim]) => claim.partyCode))},
        ${texts(unique.map(([, claim]) => claim.key))},
        ${texts(unique.map(([, claim]) => claim.requestHash))}
      ) with ordinality as c(party_code, key, request_hash, position) order by c.position
      on conflict (party_code, key) do update set request_hash = excluded.request_hash, answer = null, created_at = excluded.created_at
        where k.created_at < ${expired}
      returning k.party_code, k.key`,
  );
  for (const row of claimed) held.set(keyIdOf({ partyCode: row.party_code, key: row.key }), { claimed: true });
  const used = unique.filter(([id]) => !held.has(id)).map(([, claim]) => claim);
  if (used.length === 0) return held;
  const rows = await queryRows<{ party_code: string; key: string; request_hash: string; answer: string | null }>(
    tx,
    sql`select k.party_code, k.key, k.request_hash, k.answer from idempotency_keys k
      join unnest(${texts(used.map((claim) => claim.partyCode))}, ${texts(used.map((claim) => claim.key))}) as u(party_code, key)
        on k.party_code = u.party_code and k.key = u.key`,
  );
  for (const row of rows)
    held.set(keyIdOf({ partyCode: row.party_code, key: row.key }), { claimed: false, requestHash: row.request_hash, answer: row.answer });
  // a used key gone between the two statements: its clean-up committed meanwhile, the next try claims it
  if (held.size < unique.length) throw conflict('a request under this Idempotency-Key was being cleared away; retry it');
  return held;
}

/** The answers of the writes made under the claimed keys, stored with them. */
export async function keepAnswers(tx: Db, answers: { claim: Claim; body: string }[]): Promise<void> {
  if (answers.length === 0) return;
  await tx.execute(sql`update idempotency_keys k set answer = a.answer
    from unnest(${texts(answers.map((a) => a.claim.partyCode))}, ${texts(answers.map((a) => a.claim.key))}, ${texts(answers.map((a) => a.body))})
      as a(party_code, key, answer)
    where k.party_code = a.party_code and k.key = a.key`);
}

/** Keys whose writes were refused: free again, as the refused request wrote nothing. */
export async function releaseKeys(tx: Db, claims: Claim[]): Promise<void> {
  if (claims.length === 0) return;
  await tx.execute(sql`delete from idempotency_keys k
    using unnest(${texts(claims.map((claim) => claim.partyCode))}, ${texts(claims.map((claim) => claim.key))}) as r(party_code, key)
    where k.party_code = r.party_code and k.key = r.key`);
}

/** The problem of a key named again for another request than the one it was first used for. */
export const keyReused = () =>
  unprocessable(
    'idempotency-key-reused',
    'this Idempotency-Key was used for another request (another route or body) in the last 24 hours: use a new key for a new request',
    [{ in: 'headers', pointer: '/idempotency-key', detail: 'used for another request' }],
  );

/** The answer to a request under a key used before: the body first sent, or a problem if it asked something else. */
export function replayOf(claim: Claim, held: Extract<HeldKey, { claimed: false }>): { replayed: true; body: string } {
  if (held.requestHash !== claim.requestHash || held.answer === null) throw keyReused();
  return { replayed: true, body: held.answer };
}

/**
 * The answer kept for the party's key, read without claiming it: the body first sent (or the problem
 * of a key used for another request), or undefined while the key is unused or past its time. A
 * request whose checks come before its write's transaction reads it first, so that a retry is not
 * refused for what changed since its first answer (a hold, say); the write still claims the key (see once).
 */
export async function keptAnswer<T>(
  db: Db,
  partyCode: string,
  request: IdempotentRequest<T>,
  now: Date,
): Promise<{ replayed: true; body: string } | undefined> {
  const expired = new Date(now.getTime() - IDEMPOTENCY_KEY_HOURS * 3_600_000);
  const [row] = await queryRows<{ request_hash: string; answer: string | null }>(
    db,
    sql`select request_hash, answer from idempotency_keys
      where party_code = ${partyCode} and key = ${request.key} and created_at >= ${expired}`,
  );
  if (!row || row.answer === null) return undefined;
  return replayOf(claimOf(partyCode, request), { claimed: false, requestHash: row.request_hash, answer: row.answer });
}

/**
 * Runs one write under a key, in the write's transaction: the write and its answer, or the answer
 * the key was first given. `kept`: whether the write's result is one kept for the key (a refusal
 * returned rather than thrown is not: the key is free again).
 */
export async function once<T>(
  tx: Db,
  request: IdempotentRequest<T> | undefined,
  partyCode: string,
  now: Date,
  work: () => Promise<T>,
  kept: (result: T) => boolean = () => true,
): Promise<Answered<T>> {
  if (!request) return { replayed: false, answer: await work() };
  const claim = claimOf(partyCode, request);
  const held = (await claimKeys(tx, [claim], now)).get(keyIdOf(claim));
  if (held && !held.claimed) return replayOf(claim, held);
  const answer = await work();
  if (kept(answer)) await keepAnswers(tx, [{ claim, body: request.present(answer) }]);
  else await releaseKeys(tx, [claim]);
  return { replayed: false, answer };
}
