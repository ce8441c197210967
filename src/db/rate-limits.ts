import { sql } from 'drizzle-orm';
import { type Db, queryRows } from './client.js';

type Hit = { hits: number; msLeft: number };
type Waiter = { resolve: (hit: Hit) => void; reject: (error: unknown) => void };

const texts = (values: string[]) => sql`${sql.param(values)}::text[]`;

/**
 * Fixed-window request counters (see the rate_limits table). The hits of one event-loop turn are
 * counted in one statement: scans are limited too, and under load they must not each pay a write.
 */
export function createRateLimitRepository(db: Db) {
  // window length → key → the hits waiting for their count, in arrival order
  let pending = new Map<number, Map<string, Waiter[]>>();
  let scheduled = false;

  async function count(windowMs: number, waiting: Map<string, Waiter[]>) {
    const keys = [...waiting.keys()];
    const rows = await queryRows<{ key: string; hits: number; msLeft: number | string }>(
      db,
      sql`insert into rate_limits as r (key, window_start, hits)
        select h.key, now(), h.n::int from unnest(${texts(keys)}, ${texts(keys.map((key) => String(waiting.get(key)?.length)))}) as h(key, n)
        on conflict (key) do update set
          hits = case when r.window_start + ${windowMs} * interval '1 millisecond' <= now() then excluded.hits else r.hits + excluded.hits end,
          window_start = case when r.window_start + ${windowMs} * interval '1 millisecond' <= now() then now() else r.window_start end
        returning r.key, r.hits, greatest(0, extract(epoch from r.window_start + ${windowMs} * interval '1 millisecond' - now()) * 1000)::int as "msLeft"`,
    );
    for (const row of rows) {
      const waiters = waiting.get(row.key) ?? [];
      // the batch's hits are the last ones counted: each gets the count as of its own arrival
      for (const [index, waiter] of waiters.entries())
        waiter.resolve({ hits: Number(row.hits) - waiters.length + 1 + index, msLeft: Number(row.msLeft) });
    }
  }

  // setImmediate runs after the poll phase has handed every ready socket its callback
  function flush() {
    scheduled = false;
    const batches = pending;
    pending = new Map();
    for (const [windowMs, waiting] of batches) {
      count(windowMs, waiting).catch((error) => {
        for (const waiters of waiting.values()) for (const waiter of waiters) waiter.reject(error);
      });
    }
  }

  return {
    /** Counts one hit for `key` in its current window (a new one when the last has passed): the hits so far and the ms left. */
    hit(key: string, windowMs: number): Promise<Hit> {
      return new Promise((resolve, reject) => {
        const waiting = pending.get(windowMs) ?? new Map<string, Waiter[]>();
        pending.set(windowMs, waiting);
        const waiters = waiting.get(key);
        if (waiters) waiters.push({ resolve, reject });
        else waiting.set(key, [{ resolve, reject }]);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
