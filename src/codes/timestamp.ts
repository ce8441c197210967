// Times the service accepts: ISO 8601 with an offset (a time without one is ambiguous between the
// device's zone and UTC), within years 1900–9999 — PostgreSQL's timestamptz cannot hold every
// date JavaScript can write, and nothing in a food chain happened before 1900. The offset is kept
// as the event's eventTimeZoneOffset, so it must be one EPCIS 2.0 can carry: -14:00 to +14:00.
import { z } from 'zod';

const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(10000, 0, 1);

export const STORABLE_YEARS = '1900–9999';
/** The last instant the service stores (the end of 9999, UTC). */
export const LAST_STORABLE_MS = LATEST - 1;

const LARGEST_OFFSET_MINUTES = 14 * 60;

/**
 * Whether a time's offset lies within ±14:00, as EPCIS's eventTimeZoneOffset and every real time
 * zone do (Z is +00:00; readers may leave out the offset's colon).
 */
export const offsetWithinRange = (value: string) => {
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(value);
  return !offset || Number(offset[2]) * 60 + Number(offset[3]) <= LARGEST_OFFSET_MINUTES;
};

/** Within the years the service stores. */
export const isStorableTime = (time: Date) => time.getTime() >= EARLIEST && time.getTime() < LATEST;

/**
 * An instant as the database stores it, to the microsecond: ISO 8601 in UTC with six fractional
 * digits (`2026-12-01T08:00:00.123456Z`). A Date holds milliseconds alone, and a page's cursor cut
 * to them would stand before a row stored later in its millisecond (written by SQL, a column default
 * now()): a full page ending on it would start the next one before it, again and again. Of fixed
 * width within the storable years, so two compare as strings in time order.
 */
export type MicroInstant = string;

export const microInstant = (time: Date): MicroInstant => `${time.toISOString().slice(0, -1)}000Z`;

/** A cursor's time: to the microsecond, or to the millisecond as cursors were written before (the same instant). */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(\d{3})?Z$/;

/**
 * The instant a page cursor carries as `t` (to the microsecond, or to the millisecond as cursors
 * were written before); undefined for anything else. Only the forms this service writes reach the
 * database: a storable time, written back as it was read (no year 0, nothing new Date() guesses at).
 */
export function readCursorInstant(t: unknown): MicroInstant | undefined {
  if (typeof t !== 'string' || !CURSOR_TIME.test(t)) return undefined;
  const date = new Date(t);
  if (!isStorableTime(date) || date.toISOString() !== `${t.slice(0, 23)}Z`) return undefined;
  return t.length === 24 ? `${t.slice(0, -1)}000Z` : t;
}

const isoDateTime = z.iso.datetime({ offset: true });

/** An ISO 8601 date-time with an offset (with its colon) naming a real calendar day and time of day: no 30 February, no hour 24. */
export const isIsoTimestamp = (value: string) => isoDateTime.safeParse(value).success;

// A value that is no date or time at all stops at its format check (`abort`): it has no year to be out of range.
/** An ISO 8601 date-time with an offset of at most ±14:00, within the storable years (the string is kept as written). */
const NOT_A_TIME = 'must be an ISO 8601 time with an offset, e.g. 2026-11-30T09:00:00+08:00';
/** A time whose offset's "+" became a space, as a query string reads an unescaped "+". */
const SPACED_OFFSET = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)? \d{2}:?\d{2}$/;

export const timestampSchema = z
  .string()
  .refine(isIsoTimestamp, {
    error: (issue) =>
      typeof issue.input === 'string' && SPACED_OFFSET.test(issue.input)
        ? `${NOT_A_TIME}; a space stands where its offset's "+" goes: a query string reads "+" as a space, so write it %2B (2026-11-30T09:00:00%2B08:00)`
        : NOT_A_TIME,
    abort: true,
  })
  .refine(offsetWithinRange, { error: 'must have an offset from -14:00 to +14:00' })
  .refine((value) => isStorableTime(new Date(value)), { error: `must lie in the years ${STORABLE_YEARS}` });

/** A calendar date (YYYY-MM-DD) within the storable years. */
export const dateSchema = z.iso
  .date({ error: 'must be a calendar date YYYY-MM-DD', abort: true })
  .refine((value) => isStorableTime(new Date(`${value}T00:00:00Z`)), { error: `must lie in the years ${STORABLE_YEARS}` });

/** A time as China Standard Time (UTC+8 all year) in ISO 8601, e.g. 2026-03-01T08:00:00+08:00. */
export function shanghaiIso(time: Date): string {
  return `${new Date(time.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

/** The calendar day (YYYY-MM-DD) a time falls on in China: expiry and validity dates are China's days. */
export const chinaDay = (time: Date): string => shanghaiIso(time).slice(0, 10);

/** The instants China's day `day` (YYYY-MM-DD) begins and ends: compared with a timestamp column, an index can range over them. */
export const chinaDayStart = (day: string): Date => new Date(Date.parse(`${day}T00:00:00Z`) - 8 * 3_600_000);
export const chinaDayEnd = (day: string): Date => new Date(chinaDayStart(day).getTime() + 86_400_000);
