// Where a sync of GET /events stands in the log's record order, (recordTime, id), and the opaque
// cursor (`after`, `next`) that carries it. Pure.
import { z } from 'zod';
import { type MicroInstant, microInstant, readCursorInstant } from '../codes/timestamp.js';
import { readPageToken, writePageToken } from '../http/page-token.js';
import { MAX_URI_LENGTH } from './schemas.js';

/** A record time to the microsecond, as the database stores it (see MicroInstant). */
export type RecordInstant = MicroInstant;

export const recordInstant = microInstant;

/** Events after this: recorded later than `time`, or at it with a greater id; with no id, recorded at `time` or later. */
export type SyncPosition = { time: RecordInstant; id?: string };

/** What orders the log the cursor continues: a cursor of another listing is no cursor of this one. */
const BY = 'recordTime';

export const encodeSyncCursor = (position: SyncPosition): string =>
  writePageToken({ by: BY, t: position.time, ...(position.id === undefined ? {} : { id: position.id }) });

/** An event's key: its id, or a captured eventID (printable ASCII) kept apart under `|` and its party's code. */
const EVENT_KEY = new RegExp(`^[\\x21-\\x7e]{1,${MAX_URI_LENGTH + 100}}$`);

export const isEventKey = (id: string) => EVENT_KEY.test(id);

/** The position a cursor this service issued carries; undefined for anything else (forged, cut, another listing's). */
export function decodeSyncCursor(cursor: string): SyncPosition | undefined {
  const fields = readPageToken(cursor);
  if (fields === undefined || fields.by !== BY) return undefined;
  const { id } = fields;
  const time = readCursorInstant(fields.t);
  if (time === undefined) return undefined;
  if (id === undefined) return { time };
  return typeof id === 'string' && isEventKey(id) ? { time, id } : undefined;
}

export const syncCursorSchema = z
  .string()
  .max(4 * MAX_URI_LENGTH)
  .transform((cursor, context) => {
    const position = decodeSyncCursor(cursor);
    if (position === undefined)
      context.addIssue({ code: 'custom', message: 'not a cursor this service issued (pass back a `next` as it came)' });
    return position ?? z.NEVER;
  });

/**
 * Where a sync starts: after the cursor and not before `recordedFrom`, whichever is later in the
 * record order (both given: the cursor, unless `recordedFrom` lies past it); neither given, no sync.
 */
export function syncStart(after: SyncPosition | undefined, recordedFrom: Date | undefined): SyncPosition | undefined {
  const from = recordedFrom && recordInstant(recordedFrom);
  if (from === undefined || (after !== undefined && from <= after.time)) return after;
  return { time: from };
}

/**
 * Where the sync goes on after a page read from `after` up to `before` (settledBefore: every event
 * recorded earlier has committed): after its last event when it is full, else at `before`, unless
 * it started later. A short page read all there is before `before`, so the next one starts there
 * rather than at its last event: the index range it passed over (other parties' events, say) is not
 * read again at each sync of a party with nothing new.
 */
export function nextPosition(
  after: SyncPosition,
  before: RecordInstant,
  page: readonly { recordInstant: RecordInstant; id: string }[],
  limit: number,
): SyncPosition {
  const last = page.at(-1);
  if (last && page.length >= limit) return { time: last.recordInstant, id: last.id };
  return before > after.time ? { time: before } : after;
}
