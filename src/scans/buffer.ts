// Scans are counted in memory and written in batches: a scan answers with one indexed read
// (like any lookup), not a write and a commit per request. What a process has not flushed yet
// is added to what the database says, so counts and flags stay exact within the process.

export type PendingScan = {
  id: string;
  code: string;
  itemCode: string | null;
  lotCode: string | null;
  partyCode: string | null;
  at: Date;
  region: string | null;
  ipHash: string;
  userAgent: string | null;
  clientHash: string;
};
export type PendingCounts = {
  count: number;
  firstAt: Date;
  lastAt: Date;
  lastRegion: string | null;
  /** Where and when the scan before the latest one was (for the impossible-travel check). */
  lastAtBefore: Date | null;
  lastRegionBefore: string | null;
  /** The clients these scans came from. */
  clients: Set<string>;
};

export function createScanBuffer(options: {
  write: (scans: PendingScan[]) => Promise<void>;
  flushMs?: number;
  maxPending?: number;
  onError?: (error: unknown) => void;
}) {
  const flushMs = options.flushMs ?? 200;
  const maxPending = options.maxPending ?? 1000;
  let pending: PendingScan[] = [];
  let counts = new Map<string, PendingCounts>();
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  const inFlight: Map<string, PendingCounts>[] = [];
  let batchesDone = 0;

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    const batchCounts = counts;
    if (batch.length === 0) return writing;
    pending = [];
    counts = new Map();
    // counts stay visible until their batch is stored
    inFlight.push(batchCounts);
    writing = writing
      .then(() => options.write(batch))
      .catch((error) => options.onError?.(error))
      .finally(() => {
        batchesDone += 1;
        inFlight.splice(inFlight.indexOf(batchCounts), 1);
      });
    return writing;
  }

  return {
    record(scan: PendingScan) {
      pending.push(scan);
      if (scan.itemCode) {
        const previous = counts.get(scan.itemCode);
        counts.set(scan.itemCode, {
          count: (previous?.count ?? 0) + 1,
          firstAt: previous?.firstAt ?? scan.at,
          lastAt: scan.at,
          lastRegion: scan.region ?? previous?.lastRegion ?? null,
          lastAtBefore: previous?.lastAt ?? null,
          lastRegionBefore: previous?.lastRegion ?? null,
          clients: (previous?.clients ?? new Set()).add(scan.clientHash),
        });
      }
      if (pending.length >= maxPending) void flush();
      else timer ??= setTimeout(() => void flush(), flushMs);
    },
    /** Scans of a code this process has counted but not yet stored. */
    pendingFor(itemCode: string): PendingCounts | undefined {
      let merged: PendingCounts | undefined;
      for (const source of [...inFlight, counts]) {
        const entry = source.get(itemCode);
        if (!entry) continue;
        merged = merged
          ? {
              count: merged.count + entry.count,
              firstAt: merged.firstAt,
              lastAt: entry.lastAt,
              lastRegion: entry.lastRegion ?? merged.lastRegion,
              lastAtBefore: entry.lastAtBefore ?? merged.lastAt,
              lastRegionBefore: entry.lastAtBefore ? entry.lastRegionBefore : merged.lastRegion,
              clients: new Set([...merged.clients, ...entry.clients]),
            }
          : { ...entry, clients: new Set(entry.clients) };
      }
      return merged;
    },
    flush,
    /**
     * Batches whose write has ended: when this changes between reading a code's stored counts and
     * asking `pendingFor`, a batch may have left the pending counts after that read, and the stored
     * counts must be read again.
     */
    batchesDone: () => batchesDone,
  };
}

export type ScanBuffer = ReturnType<typeof createScanBuffer>;
