/**
 * Coalesces the single-key lookups asked for within one turn of the event loop into one query.
 * Requests whose sockets became readable together reach their lookups in the same turn; under
 * load they then share a round trip instead of each paying for one (and queueing for a pool
 * client). A lone request is looked up alone, in the same turn it asked.
 */
export function createBatchLoader<K, V>(loadMany: (keys: K[]) => Promise<Map<K, V>>, options: { maxBatch?: number } = {}) {
  const maxBatch = options.maxBatch ?? 256;
  type Waiter = { resolve: (value: V | undefined) => void; reject: (error: unknown) => void };
  let batch = new Map<K, Waiter[]>();
  let scheduled = false;

  function dispatch(waiting: Map<K, Waiter[]>) {
    new Promise<Map<K, V>>((resolve) => resolve(loadMany([...waiting.keys()]))).then(
      (found) => {
        for (const [key, waiters] of waiting) for (const waiter of waiters) waiter.resolve(found.get(key));
      },
      (error) => {
        for (const waiters of waiting.values()) for (const waiter of waiters) waiter.reject(error);
      },
    );
  }

  // setImmediate runs after the poll phase has handed every ready socket its callback
  function flush() {
    scheduled = false;
    if (batch.size === 0) return;
    const waiting = batch;
    batch = new Map();
    dispatch(waiting);
  }

  return {
    load(key: K): Promise<V | undefined> {
      return new Promise((resolve, reject) => {
        const waiters = batch.get(key);
        if (waiters) return void waiters.push({ resolve, reject });
        batch.set(key, [{ resolve, reject }]);
        if (batch.size >= maxBatch) {
          const full = batch;
          batch = new Map();
          dispatch(full);
        } else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
