// Where a sync of GET /events stands in the log's record order, (recordTime, id), and the opaque
// cursor (`after`, `next`) that carries it. Pure.
import { z } from 'zod';
import { isStorableTime } from '../codes/timestamp.js';
import { readPageToken, writePageToken } from '../http/page-token.js';
import { MAX_URI_LENGTH } from './schemas.js';

/**
 * A record time as the database stores it, to the microsecond: ISO 8601 in UTC with six fractional
 * digits (`2026-12-01T08:00:00.123456Z`). A Date holds milliseconds alone, and a cursor cut to them
 * would stand before an event recorded later in its millisecond (written by SQL, the column default
 * now()): a full page ending on it would start the next one before it, again and again. Of fixed
 * width within the storable years, so two compare as strings in time order.
 */
export type RecordInstant = string;

export const recordInstant = (time: Date): RecordInstant => `${time.toISOString().slice(0, -1)}000Z`;

/** Events after this: recorded later than `time`, or at it with a greater id; with no id, recorded at `time` or later. */
export type SyncPosition = { time: RecordInstant; id?: string };

/** What orders the log the cursor continues: a cursor of another listing is no cursor of this one. */
const BY = 'recordTime';

export const encodeSyncCursor = (position: SyncPosition): string =>
  writePageToken({ by: BY, t: position.time, ...(position.id === undefined ? {} : { id: position.id }) });

/** A cursor's time: to the microsecond, or to the millisecond as cursors were written before (the same instant). */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(\d{3})?Z$/;

/** An event's key: its id, or a captured eventID (printable ASCII) kept apart under `|` and its party's code. */
const EVENT_KEY = new RegExp(`^[\\x21-\\x7e]{1,${MAX_URI_LENGTH + 100}}$`);

/** The position a cursor this service issued carries; undefined for anything else (forged, cut, another listing's). */
export function decodeSyncCursor(cursor: string): SyncPosition | undefined {
  const fields = readPageToken(cursor);
  if (fields === undefined || fields.by !== BY) return undefined;
  const { t, id } = fields;
  if (typeof t !== 'string' || !CURSOR_TIME.test(t)) return undefined;
  const time = t.length === 24 ? `${t.slice(0, -1)}000Z` : t;
  // only the form encodeSyncCursor writes reaches the database: a storable time, written back as it was read
  const date = new Date(t);
  if (!isStorableTime(date) || date.toISOString() !== `${t.slice(0, 23)}Z`) return undefined;
  if (id === undefined) return { time };
  return typeof id === 'string' && EVENT_KEY.test(id) ? { time, id } : undefined;
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
