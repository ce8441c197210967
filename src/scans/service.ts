import { createScanBuffer, type PendingScan } from './buffer.js';
import type { ScansRepository } from './repository.js';

/** Consumer scans: counted in memory, stored in batches, and read back (flushed first) by regulators. */
export function createScanService(deps: {
  scans: Pick<ScansRepository, 'writeScans' | 'raiseFlag' | 'listFlags' | 'scansOfLot'>;
  onWriteError?: (error: unknown) => void;
}) {
  const buffer = createScanBuffer({ write: (batch) => deps.scans.writeScans(batch), onError: deps.onWriteError });
  return {
    record: (scan: PendingScan) => buffer.record(scan),
    /** Scans of a code this process has counted but not yet stored. */
    pendingFor: buffer.pendingFor,
    /** Stores the scans counted so far (before reading scan statistics, and at shutdown). */
    flush: buffer.flush,
    raiseFlag: deps.scans.raiseFlag,
    listFlags: deps.scans.listFlags,
    async scansOfLot(lotCode: string, limit: number) {
      await buffer.flush();
      return deps.scans.scansOfLot(lotCode, limit);
    },
  };
}

export type ScanService = ReturnType<typeof createScanService>;
