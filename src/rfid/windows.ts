// Dedupe windows, without I/O: reads of one tag at one read point within a fixed window (30 s by
// default, per read point) are one observation, in whichever spellings the tag was read (by its key). Windows are aligned to the epoch, so every batch —
// in any order, out-of-order timestamps included — puts a read in the same window, and the store
// merges a batch's windows into those earlier batches opened.
import { LAST_STORABLE_MS } from '../codes/timestamp.js';
import { tagKey } from './tags.js';

/** A read placed at its read point. */
export type PlacedRead = {
  partyCode: string;
  readPointId: string;
  windowMs: number;
  readerId: string;
  antenna: string;
  tag: string;
  tid: string | null;
  time: Date;
  rawTime: string;
  rssi: number | null;
  count: number;
  /** Where the read stands in its batch, from 0. */
  position: number;
};

/** One observation: a tag at a read point in one window, with how often and when it was read. */
export type ReadWindow = {
  partyCode: string;
  readPointId: string;
  /** The spelling of the window's earliest read (as its reader reported the tag). */
  tag: string;
  /** The tag's key (tagKey), which one tag's spellings share: the window's identity. */
  tagKey: string;
  windowStart: Date;
  windowEnd: Date;
  readerId: string;
  antenna: string;
  tid: string | null;
  firstSeen: Date;
  firstSeenRaw: string;
  /** Where the first read stands in its batch (of reads at that time, the first in the batch). */
  batchPosition: number;
  lastSeen: Date;
  readCount: number;
  peakRssi: number | null;
};

export function windowStartOf(time: Date, windowMs: number): Date {
  return new Date(Math.floor(time.getTime() / windowMs) * windowMs);
}

/** A window's end; the last window of 9999 ends with the year, since no later time can be stored. */
function windowEndOf(windowStart: Date, windowMs: number): Date {
  return new Date(Math.min(windowStart.getTime() + windowMs, LAST_STORABLE_MS));
}

const windowKey = (window: Pick<ReadWindow, 'readPointId' | 'tagKey' | 'windowStart'>) =>
  `${window.readPointId}\u0000${window.tagKey}\u0000${window.windowStart.getTime()}`;

/**
 * The batch's reads collapsed into windows, in key order (concurrent batches then lock shared
 * windows in the same order and cannot deadlock).
 */
export function collapseReads(reads: PlacedRead[]): ReadWindow[] {
  const windows = new Map<string, ReadWindow>();
  for (const read of reads) {
    const windowStart = windowStartOf(read.time, read.windowMs);
    const key = tagKey(read.tag);
    const id = windowKey({ readPointId: read.readPointId, tagKey: key, windowStart });
    const open = windows.get(id);
    if (!open) {
      windows.set(id, {
        partyCode: read.partyCode,
        readPointId: read.readPointId,
        tag: read.tag,
        tagKey: key,
        windowStart,
        windowEnd: windowEndOf(windowStart, read.windowMs),
        readerId: read.readerId,
        antenna: read.antenna,
        tid: read.tid,
        firstSeen: read.time,
        firstSeenRaw: read.rawTime,
        batchPosition: read.position,
        lastSeen: read.time,
        readCount: read.count,
        peakRssi: read.rssi,
      });
      continue;
    }
    open.readCount += read.count;
    if (read.time < open.firstSeen) {
      open.firstSeen = read.time;
      open.firstSeenRaw = read.rawTime;
      open.batchPosition = read.position;
      open.tag = read.tag;
      open.readerId = read.readerId;
      open.antenna = read.antenna;
    }
    if (read.time > open.lastSeen) open.lastSeen = read.time;
    if (read.rssi !== null && (open.peakRssi === null || read.rssi > open.peakRssi)) open.peakRssi = read.rssi;
    open.tid ??= read.tid;
  }
  return [...windows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, window]) => window);
}
