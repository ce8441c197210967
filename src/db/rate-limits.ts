import { sql } from 'drizzle-orm';
import { type Db, queryRows } from './client.js';

/** Fixed-window request counters (see the rate_limits table). */
export function createRateLimitRepository(db: Db) {
  return {
    /** Counts one hit for `key` in its current window (a new one when the last has passed): the hits so far and the ms left. */
    async hit(key: string, windowMs: number): Promise<{ hits: number; msLeft: number }> {
      const [row] = await queryRows<{ hits: number; msLeft: number | string }>(
        db,
        sql`insert into rate_limits as r (key, window_start, hits) values (${key}, now(), 1)
        on conflict (key) do update set
          hits = case when r.window_start + ${windowMs} * interval '1 millisecond' <= now() then 1 else r.hits + 1 end,
          window_start = case when r.window_start + ${windowMs} * interval '1 millisecond' <= now() then now() else r.window_start end
        returning hits, greatest(0, extract(epoch from r.window_start + ${windowMs} * interval '1 millisecond' - now()) * 1000)::int as "msLeft"`,
      );
      return { hits: Number(row.hits), msLeft: Number(row.msLeft) };
    },
  };
}
