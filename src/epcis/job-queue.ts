// Runs background jobs a few at a time, taking turns between parties: one party's large capture
// never holds back another party's small one longer than one job slot.

export function createFairQueue(options: { concurrency: number; onError: (error: unknown) => void }) {
  const waiting = new Map<string, (() => Promise<void>)[]>();
  let running = 0;
  let idle: Promise<void> = Promise.resolve();
  let settle: (() => void) | undefined;

  function next(): (() => Promise<void>) | undefined {
    // the party that has waited longest goes first: Map keeps insertion order, and a party that ran goes to the back
    for (const [party, jobs] of waiting) {
      const job = jobs.shift();
      waiting.delete(party);
      if (jobs.length > 0) waiting.set(party, jobs);
      if (job) return job;
    }
    return undefined;
  }

  function pump() {
    while (running < options.concurrency) {
      const job = next();
      if (!job) break;
      running++;
      job()
        .catch(options.onError)
        .finally(() => {
          running--;
          pump();
        });
    }
    if (running === 0 && waiting.size === 0) settle?.();
  }

  return {
    /** Queues a job of a party. */
    push(party: string, job: () => Promise<void>) {
      if (running === 0 && waiting.size === 0)
        idle = new Promise((resolve) => {
          settle = resolve;
        });
      waiting.set(party, [...(waiting.get(party) ?? []), job]);
      pump();
    },
    /** Resolves once every queued job has finished (tests, shutdown). */
    idle: () => idle,
  };
}
