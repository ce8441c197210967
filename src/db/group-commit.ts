/**
 * Group commit: work items queued while a group is in flight run together as the next group,
 * in one call of `run` (one transaction). Under load many requests share one transaction's
 * round trips, planning and commit; a lone item runs alone, in the turn after it was queued.
 * `run` answers each item of a group in order. When a group fails as a whole (a database
 * error, say), its items run again one by one, so that one item's failure is only its own.
 */
export function createGroupCommit<I, O>(run: (items: I[]) => Promise<O[]>, options: { maxGroup?: number; concurrency?: number } = {}) {
  const maxGroup = options.maxGroup ?? 100;
  const concurrency = options.concurrency ?? 1;
  type Waiting = { item: I; resolve: (outcome: O) => void; reject: (error: unknown) => void };
  let queue: Waiting[] = [];
  let running = 0;
  let scheduled = false;

  async function runGroup(group: Waiting[]) {
    try {
      const outcomes = await run(group.map((waiting) => waiting.item));
      for (const [index, waiting] of group.entries()) waiting.resolve(outcomes[index]);
    } catch (error) {
      if (group.length === 1) return group[0].reject(error);
      for (const waiting of group) {
        try {
          waiting.resolve((await run([waiting.item]))[0]);
        } catch (alone) {
          waiting.reject(alone);
        }
      }
    }
  }

  // setImmediate runs after the poll phase has handed every ready socket its callback
  function pump() {
    scheduled = false;
    while (running < concurrency && queue.length > 0) {
      const group = queue.slice(0, maxGroup);
      queue = queue.slice(maxGroup);
      running++;
      void runGroup(group).finally(() => {
        running--;
        pump();
      });
    }
  }

  return {
    push(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!scheduled && running < concurrency) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
  };
}
