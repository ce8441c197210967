// Runs background jobs (captures, code issuance) a few at a time, taking turns between parties: one
// party's large job never holds back another party's small one longer than one job slot.

export function createFairQueue(options: {
  concurrency: number;
  /** Each party's jobs run one after the other, so one party's jobs never take every slot while another's wait. */
  onePerParty?: boolean;
  onError: (error: unknown) => void;
}) {
  const waiting = new Map<string, (() => Promise<void>)[]>();
  const runningParties = new Map<string, number>();
  let running = 0;
  let idle: Promise<void> = Promise.resolve();
  let settle: (() => void) | undefined;

  function next(): { party: string; job: () => Promise<void> } | undefined {
    // the party that has waited longest goes first: Map keeps insertion order, and a party that ran goes to the back
    for (const [party, jobs] of waiting) {
      if (options.onePerParty && runningParties.has(party)) continue;
      const job = jobs.shift();
      waiting.delete(party);
      if (jobs.length > 0) waiting.set(party, jobs);
      if (job) return { party, job };
    }
    return undefined;
  }

  function pump() {
    while (running < options.concurrency) {
      const taken = next();
      if (!taken) break;
      const { party, job } = taken;
      running++;
      runningParties.set(party, (runningParties.get(party) ?? 0) + 1);
      job()
        .catch(options.onError)
        .finally(() => {
          running--;
          const left = (runningParties.get(party) ?? 1) - 1;
          if (left === 0) runningParties.delete(party);
          else runningParties.set(party, left);
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
