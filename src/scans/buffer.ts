// Scans are counted in memory and written in batches: a scan answers with one indexed read
// (like any lookup), not a write and a commit per request. What a process has not stored yet
// is added to what the database says, so counts and flags stay exact within the process.
import { parseSnapshot, sawTransaction } from '../db/snapshot.js';

/** A client's scan of a code counts unless that client's scan of it was counted within this time before it (a sliding window). */
export const REPEAT_WINDOW_MS = 10 * 60_000;

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
/**
 * What a scan counts for: a pack, a lot or case scanned by its own label, or (`unknown`) a code that names
 * nothing (never issued, or a pack of a lot whose making was declared in error), as the resolver read it.
 */
export type CountedKind = 'item' | 'lot' | 'unknown';

/** The code a scan counts for, and of what kind: a pack's, a lot's and an unknown code written alike are three codes. */
export function countedAs(scan: Pick<PendingScan, 'code' | 'itemCode' | 'lotCode'>): { kind: CountedKind; code: string } {
  if (scan.itemCode !== null) return { kind: 'item', code: scan.itemCode };
  if (scan.lotCode !== null) return { kind: 'lot', code: scan.lotCode };
  return { kind: 'unknown', code: scan.code };
}

const countedKey = (kind: CountedKind, code: string) => `${kind}:${code}`;

/** A scan's region, when that scan was and its address (hashed): they travel together. */
export type RegionAt = { region: string; at: Date; ipHash: string };
export type PendingCounts = {
  count: number;
  firstAt: Date;
  lastAt: Date;
  /** The latest of these scans that had a region (a later one may have had none). */
  lastRegion: RegionAt | null;
  /**
   * The latest of these scans before the latest one that had a region, for the impossible-travel
   * check: null when none did (the stored region is then the one before).
   */
  regionBefore: RegionAt | null;
  /** The clients these scans came from. */
  clients: Set<string>;
  /** The addresses (hashed) these scans came from: the scanners the over-scanned check counts. */
  addresses: Set<string>;
};

/**
 * A read of stored counts: until it closes, batches stored meanwhile stay in memory, so that what
 * its snapshot did not see can still be added.
 */
type ScanRead = {
  /**
   * Scans of a pack this process counted that stored counts read in `snapshot` (pg_current_snapshot()
   * of the statement that read them) do not include: each scan is in exactly one of the two.
   */
  pendingFor(itemCode: string, snapshot: string): PendingCounts | undefined;
  close(): void;
};

/** A flushed batch: being written, or stored while a read that began before is still open. */
type Batch = {
  counts: Map<string, PendingCounts>;
  /** The transaction writing it, once its write has told (before its commit). */
  xid: string | null;
  /** Its place among stored batches, once its write has ended. */
  storedAs: number | null;
};

/** The counts of one code (its countedKey) over several sources, oldest first. */
function merged(key: string, sources: Map<string, PendingCounts>[]): PendingCounts | undefined {
  let result: PendingCounts | undefined;
  for (const source of sources) {
    const entry = source.get(key);
    if (!entry) continue;
    result = result
      ? {
          count: result.count + entry.count,
          firstAt: result.firstAt,
          lastAt: entry.lastAt,
          lastRegion: entry.lastRegion ?? result.lastRegion,
          // the later source's latest scan is the latest: before it, its own scans, then the earlier source's
          regionBefore: entry.regionBefore ?? result.lastRegion,
          clients: new Set([...result.clients, ...entry.clients]),
          addresses: new Set([...result.addresses, ...entry.addresses]),
        }
      : { ...entry, clients: new Set(entry.clients), addresses: new Set(entry.addresses) };
  }
  return result;
}

/**
 * `write` stores a batch in one transaction and calls `began` with that transaction's id before
 * it commits: a read can then tell by its snapshot whether it saw the batch, whether or not the
 * write has been seen to end here (a commit is visible to other connections before its answer
 * reaches this process).
 */
export function createScanBuffer(options: {
  write: (scans: PendingScan[], began: (xid: string) => void) => Promise<void>;
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
  const batches: Batch[] = [];
  let stored = 0;
  // reads still open, counted by how many batches were stored when each began
  const openReads = new Map<number, number>();

  /** Drops the stored batches every open read saw whole: those stored before the oldest began. */
  function forgetStored() {
    const oldest = openReads.size === 0 ? stored : Math.min(...openReads.keys());
    for (let i = batches.length - 1; i >= 0; i--) {
      const storedAs = batches[i].storedAs;
      if (storedAs !== null && storedAs <= oldest) batches.splice(i, 1);
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const scans = pending;
    if (scans.length === 0) return writing;
    const batch: Batch = { counts, xid: null, storedAs: null };
    pending = [];
    counts = new Map();
    batches.push(batch);
    writing = writing.then(async () => {
      try {
        await options.write(scans, (xid) => {
          batch.xid = xid;
        });
        batch.storedAs = ++stored;
      } catch (error) {
        // a refused batch counts nowhere, rather than as pending forever
        batches.splice(batches.indexOf(batch), 1);
        options.onError?.(error);
      }
      forgetStored();
    });
    return writing;
  }

  return {
    record(scan: PendingScan) {
      pending.push(scan);
      // a pack's scan counts for the pack; a lot's or case's, scanned by its own label, for the lot or case; one of
      // a code that names nothing for that code
      const counted = countedAs(scan);
      const key = countedKey(counted.kind, counted.code);
      const previous = counts.get(key);
      counts.set(key, {
        count: (previous?.count ?? 0) + 1,
        firstAt: previous?.firstAt ?? scan.at,
        lastAt: scan.at,
        lastRegion: scan.region !== null ? { region: scan.region, at: scan.at, ipHash: scan.ipHash } : (previous?.lastRegion ?? null),
        regionBefore: previous?.lastRegion ?? null,
        clients: (previous?.clients ?? new Set()).add(scan.clientHash),
        addresses: (previous?.addresses ?? new Set()).add(scan.ipHash),
      });
      if (pending.length >= maxPending) void flush();
      else timer ??= setTimeout(() => void flush(), flushMs);
    },
    /**
     * Whether this process holds a scan of the code (a pack's, a lot's or case's own, or one naming nothing) by the client: not yet
     * stored, or stored since a read that is still open began.
     */
    holds(kind: CountedKind, code: string, client: string): boolean {
      const key = countedKey(kind, code);
      return [...batches.map((batch) => batch.counts), counts].some((source) => source.get(key)?.clients.has(client) ?? false);
    },
    /** Scans of a code (a pack's unless `kind` says otherwise) this process has counted but not yet stored. */
    pendingFor(code: string, kind: CountedKind = 'item'): PendingCounts | undefined {
      return merged(countedKey(kind, code), [...batches.filter((batch) => batch.storedAs === null).map((batch) => batch.counts), counts]);
    },
    /** Begins a read of stored counts (before its statement is sent); close it when done. */
    beginRead(): ScanRead {
      // every batch stored by now is committed before the read's statement takes its snapshot
      const began = stored;
      openReads.set(began, (openReads.get(began) ?? 0) + 1);
      let open = true;
      return {
        pendingFor(itemCode, snapshot) {
          const seen = parseSnapshot(snapshot);
          const unseen = batches.filter(
            (batch) => !(batch.storedAs !== null && batch.storedAs <= began) && !(batch.xid !== null && sawTransaction(seen, batch.xid)),
          );
          return merged(countedKey('item', itemCode), [...unseen.map((batch) => batch.counts), counts]);
        },
        close() {
          if (!open) return;
          open = false;
          const left = (openReads.get(began) ?? 1) - 1;
          if (left === 0) openReads.delete(began);
          else openReads.set(began, left);
          forgetStored();
        },
      };
    },
    flush,
  };
}
