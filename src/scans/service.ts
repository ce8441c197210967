import { createBatchLoader } from '../db/batch-loader.js';
import { notFound } from '../errors/problem.js';
import type { LotsRepository } from '../lots/repository.js';
import { type CountedKind, countedAs, createScanBuffer, type PendingScan, REPEAT_WINDOW_MS } from './buffer.js';
import type { ScansRepository } from './repository.js';

export { REPEAT_WINDOW_MS };

/** Consumer scans: counted in memory, stored in batches, and read back (flushed first) by regulators. */
export function createScanService(deps: {
  scans: Pick<ScansRepository, 'writeScans' | 'raiseFlag' | 'listFlags' | 'scansOfLot' | 'scannedSince' | 'scannersOf'>;
  lots: Pick<LotsRepository, 'findByCodes'>;
  onWriteError?: (error: unknown) => void;
  /** Scans a stored batch dropped: the same client's scan of the code was counted first (writeScans). */
  onDropped?: (scans: PendingScan[]) => void;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const buffer = createScanBuffer({
    write: async (batch, began) => {
      const dropped = await deps.scans.writeScans(batch, began);
      if (dropped.length > 0) deps.onDropped?.(dropped);
    },
    onError: deps.onWriteError,
  });
  // the checks of one loop turn share a query, like the item lookups they go with
  const recentLoader = (scanned: CountedKind) =>
    createBatchLoader(async (keys: string[]) => {
      const pairs = keys.map((key) => {
        const [code, client] = key.split('|');
        return { code, client };
      });
      const seen = await deps.scans.scannedSince(pairs, new Date(now().getTime() - REPEAT_WINDOW_MS), scanned);
      return new Map(keys.map((key) => [key, seen.has(key)]));
    });
  const recent = { item: recentLoader('item'), lot: recentLoader('lot'), unknown: recentLoader('unknown') };
  return {
    /**
     * Has this client scanned this code (a pack's, a lot's or case's own, or one that names nothing) within the
     * last ten minutes? Then a reload or a re-opened page is the same scan, not a new one (stored or still buffered).
     */
    async scannedRecentlyBy(code: string, client: string, scanned: CountedKind): Promise<boolean> {
      if (buffer.pendingFor(code, scanned)?.clients.has(client)) return true;
      return (await recent[scanned].load(`${code}|${client}`)) ?? false;
    },
    /**
     * Counts the scan, unless this process already holds the same client's scan of the code: two requests sent at
     * once (a prefetch and the load, a double tap) both find no earlier scan, and the second to get here is the same
     * scan. A scan stored meanwhile is still held while the read that began before it is open. Another process may
     * hold the same client's scan unstored: then the second of the two to be stored is dropped (writeScans: it counts
     * only ten minutes or more after the client's last counted scan), and until then this process counts it. Whether
     * it counted.
     */
    record(scan: PendingScan): boolean {
      const counted = countedAs(scan);
      if (buffer.holds(counted.kind, counted.code, scan.clientHash)) return false;
      buffer.record(scan);
      return true;
    },
    /** Scans of a pack this process has counted but not yet stored. */
    pendingFor: (itemCode: string) => buffer.pendingFor(itemCode),
    /** Begins a read of stored counts, to which the scans it did not see are added (ScanRead.pendingFor). */
    beginRead: buffer.beginRead,
    /** Stores the scans counted so far (before reading scan statistics, and at shutdown). */
    flush: buffer.flush,
    /** The addresses (hashed) a pack's stored scans came from, `limit` at most (ScansRepository.scannersOf). */
    scannersOf: deps.scans.scannersOf,
    raiseFlag: deps.scans.raiseFlag,
    listFlags: deps.scans.listFlags,
    /** A lot's scans; a lot (or container) that does not exist is not found, as it is everywhere else, not one of no scans. */
    async scansOfLot(lotCode: string, limit: number) {
      const [lot] = await deps.lots.findByCodes([lotCode]);
      if (!lot) throw notFound(`no lot ${lotCode}`);
      await buffer.flush();
      return deps.scans.scansOfLot(lotCode, limit);
    },
  };
}

export type ScanService = ReturnType<typeof createScanService>;
