import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';

type RateLimitCounters = { hit: (key: string, windowMs: number) => Promise<{ hits: number; msLeft: number }> };

// Off by default: public routes opt in with their own limits (config.rateLimit), and so does the
// 404 handler. Counts live in the database, so a restart or a second instance does not reset them.
export default fp<{ counters: RateLimitCounters }>(async (app, { counters }) => {
  class DatabaseStore {
    private readonly scope: string;
    constructor(scope?: unknown) {
      this.scope = typeof scope === 'string' ? scope : 'global';
    }
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number) {
      counters.hit(`${this.scope}|${key}`, timeWindow).then(
        ({ hits, msLeft }) => callback(null, { current: hits, ttl: msLeft }),
        (error: Error) => callback(error),
      );
    }
    /** One counter per route (or group): a limit on one route does not use up another's. */
    child(options: { routeInfo?: { url?: string; method?: string | string[] }; groupId?: string }) {
      const route = options.routeInfo?.url ? `${options.routeInfo.method}:${options.routeInfo.url}` : undefined;
      return new DatabaseStore(options.groupId ?? route ?? 'not-found');
    }
  }
  await app.register(rateLimit, { global: false, store: DatabaseStore as never });
});
