// Reader payloads to tag reads, without I/O. Each element of a batch is checked on its own, so a
// bad one is named by its index (and the batch refused whole: nothing of it is stored). A read
// later than the latest time the caller takes (its clock and the drift it allows readers' clocks)
// is refused too: it would lie in the future of every event written from it.
import type { z } from 'zod';
import { badRequest, type FieldProblem } from '../errors/problem.js';
import {
  genericReadSchema,
  hexOfBase64,
  impinjEventSchema,
  MAX_BATCH_READS,
  readerTime,
  ZEBRA_OTHER_EVENT_TYPES,
  zebraEventSchema,
  zebraOtherEventSchema,
} from './schemas.js';
import { normalizeTag } from './tags.js';

export type ReaderFormat = 'zebra' | 'impinj' | 'generic';

/** One tag read, whatever the reader said it in. */
export type TagRead = {
  /** Where it sits in the posted body, for error pointers. */
  pointer: (string | number)[];
  /** The reader it names, when it names one. */
  hostName: string | null;
  /** Where in the element the reader, the antenna and the time are named, for error pointers. */
  paths: { hostName: string[]; antenna: string[]; time: string[] };
  /** Antenna keys to look the read point up by, most specific first (Impinj: name, then port). */
  antennas: string[];
  /** A read point named directly (generic format). */
  readPointId: string | null;
  /** The EPC in upper-case hex, or an EPC URI. */
  tag: string;
  tid: string | null;
  time: Date;
  rawTime: string;
  /** dBm. */
  rssi: number | null;
  count: number;
};

export type ParsedBatch = { reads: TagRead[]; otherEvents: number };

/**
 * The earliest a reader's time is taken as right: a reader whose clock was reset (after a power loss,
 * without NTP) dates its reads 1970 or 2000, long before any gate of the service; such a read would
 * only be rejected later, at a time no party held anything.
 */
export const READER_CLOCK_FLOOR = new Date('2010-01-01T00:00:00Z');

/** How a problem that is the reader's clock's begins, and what its party is told to do about it. */
export const READER_CLOCK = 'reader clock';
export const SET_THE_READER_CLOCK = "set the reader's clock (NTP)";

/** Why a read's time cannot be right, or null. */
export const readerClockProblem = (read: Pick<TagRead, 'time' | 'rawTime'>): string | null =>
  read.time < READER_CLOCK_FLOOR
    ? `${READER_CLOCK}: ${read.rawTime} is before ${READER_CLOCK_FLOOR.toISOString().slice(0, 10)}; ${SET_THE_READER_CLOCK} and send the read again`
    : null;

const MAX_PROBLEMS = 100;

/** When an element says its read happened, and where it says so; null for elements that are no reads. */
type ReadTimeOf<T> = (element: T) => { path: string[]; value: string } | null;

function checkEach<S extends z.ZodType>(
  schema: S,
  elements: unknown[],
  base: (string | number)[],
  single: boolean,
  readTime: { of: ReadTimeOf<z.infer<S>>; latest: Date },
  /** Each element's index in the body, when the elements are some of its. */
  positions?: number[],
): z.infer<S>[] {
  const problems: FieldProblem[] = [];
  const parsed: z.infer<S>[] = [];
  const pointer = (at: (string | number)[], path: PropertyKey[]) => `/${[...at, ...path.map(String)].join('/')}`;
  elements.forEach((element, index) => {
    const at = single ? base : [...base, positions?.[index] ?? index];
    const result = schema.safeParse(element);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push({ in: 'body', pointer: pointer(at, issue.path), detail: issue.message });
      return;
    }
    const time = readTime.of(result.data);
    if (time && readerTime(time.value) > readTime.latest) {
      problems.push({
        in: 'body',
        pointer: pointer(at, time.path),
        detail: `must not be in the future (by the service's clock, not after ${readTime.latest.toISOString()})`,
      });
      return;
    }
    parsed.push(result.data);
  });
  if (problems.length > 0) {
    const first = problems[0];
    const count = new Set(
      problems.map((problem) =>
        problem.pointer
          .split('/')
          .slice(0, base.length + 2)
          .join('/'),
      ),
    ).size;
    throw badRequest(
      `${single ? 'the read' : `${count} element${count === 1 ? '' : 's'} of the batch`} cannot be stored (${first.pointer}: ${first.detail}); nothing of the batch was stored`,
      problems.slice(0, MAX_PROBLEMS),
    );
  }
  return parsed;
}

/**
 * Refuses a batch of more elements than one holds: the routes leave their schemas to these parsers
 * (which name a bad element by its index), so the bound is held here.
 */
function requireBatchBound(list: unknown[], pointer: string, elements: string) {
  if (list.length <= MAX_BATCH_READS) return;
  const detail = `at most ${MAX_BATCH_READS} ${elements} a batch, not ${list.length}`;
  throw badRequest(`${detail}; nothing of the batch was stored`, [{ in: 'body', pointer, detail }]);
}

/** Zebra FX IoT Connector: one event object, or an array of them when batching is on. */
export function parseZebra(body: unknown, receivedAt: Date, latestTime: Date): ParsedBatch {
  const single = !Array.isArray(body);
  if (!single) requireBatchBound(body, '/', 'events');
  const elements: unknown[] = single ? [body] : body;
  // a heartbeat, GPI or GPO event is counted and set aside; every other element is held to the tag event's schema
  const isOther = (element: unknown) =>
    (ZEBRA_OTHER_EVENT_TYPES as readonly unknown[]).includes((element as { type?: unknown } | null)?.type) &&
    zebraOtherEventSchema.safeParse(element).success;
  const positions = elements.flatMap((element, index) => (isOther(element) ? [] : [index]));
  const events = checkEach(
    zebraEventSchema,
    positions.map((index) => elements[index]),
    [],
    single,
    {
      of: (event) => (event.timestamp ? { path: ['timestamp'], value: event.timestamp } : null),
      latest: latestTime,
    },
    positions,
  );
  return {
    reads: events.map((event, index) => ({
      pointer: single ? [] : [positions[index]],
      hostName: event.data.hostName ?? null,
      paths: { hostName: ['data', 'hostName'], antenna: ['data', 'antenna'], time: ['timestamp'] },
      antennas: event.data.antenna === undefined ? [] : [String(event.data.antenna)],
      readPointId: null,
      tag: event.data.idHex.toUpperCase(),
      tid: event.data.TID?.toUpperCase() ?? null,
      // SIMPLE reports may carry no time: the read is as old as the post
      time: event.timestamp ? readerTime(event.timestamp) : receivedAt,
      rawTime: event.timestamp ?? receivedAt.toISOString(),
      rssi: event.data.peakRssi ?? null,
      count: event.data.reads ?? 1,
    })),
    otherEvents: elements.length - positions.length,
  };
}

type ImpinjEvent = z.infer<typeof impinjEventSchema>;

/** An Impinj read happened when the tag was last seen, or else when the event was sent. */
const impinjReadTime: ReadTimeOf<ImpinjEvent> = (event) => {
  const inventory = event.tagInventoryEvent;
  if (event.eventType !== 'tagInventory' || !inventory) return null;
  return inventory.lastSeenTime
    ? { path: ['tagInventoryEvent', 'lastSeenTime'], value: inventory.lastSeenTime }
    : { path: ['timestamp'], value: event.timestamp };
};

/** Impinj IoT Device Interface webhook: an array of events, possibly empty; only tagInventory events are reads. */
export function parseImpinj(body: unknown, latestTime: Date): ParsedBatch {
  if (!Array.isArray(body)) {
    throw badRequest('an Impinj webhook posts an array of events', [{ in: 'body', pointer: '/', detail: 'must be an array' }]);
  }
  requireBatchBound(body, '/', 'events');
  const events = checkEach(impinjEventSchema, body, [], false, { of: impinjReadTime, latest: latestTime });
  const reads: TagRead[] = [];
  events.forEach((event, index) => {
    const inventory = event.tagInventoryEvent;
    if (event.eventType !== 'tagInventory' || !inventory) return;
    const rawTime = inventory.lastSeenTime ?? event.timestamp;
    reads.push({
      pointer: [index],
      hostName: event.hostname ?? null,
      paths: {
        hostName: ['hostname'],
        antenna: ['tagInventoryEvent', inventory.antennaName ? 'antennaName' : 'antennaPort'],
        time: inventory.lastSeenTime ? ['tagInventoryEvent', 'lastSeenTime'] : ['timestamp'],
      },
      antennas: [
        ...(inventory.antennaName ? [inventory.antennaName] : []),
        ...(inventory.antennaPort !== undefined ? [String(inventory.antennaPort)] : []),
      ],
      readPointId: null,
      // one of the two, as the schema holds
      tag: inventory.epcHex?.toUpperCase() ?? hexOfBase64(inventory.epc as string),
      tid: inventory.tidHex?.toUpperCase() ?? (inventory.tid ? hexOfBase64(inventory.tid) : null),
      time: readerTime(rawTime),
      rawTime,
      rssi: inventory.peakRssiCdbm === undefined ? null : inventory.peakRssiCdbm / 100,
      count: 1,
    });
  });
  return { reads, otherEvents: events.length - reads.length };
}

/** The generic format: `{ reads: [{ reader?, antenna? | readPoint?, epc, time, rssi?, tid?, count? }] }`. */
export function parseGeneric(body: unknown, latestTime: Date): ParsedBatch {
  const list = (body as { reads?: unknown } | null)?.reads;
  if (!Array.isArray(list)) {
    throw badRequest('post { "reads": [ … ] }', [{ in: 'body', pointer: '/reads', detail: 'must be an array of reads' }]);
  }
  requireBatchBound(list, '/reads', 'reads');
  const reads = checkEach(genericReadSchema, list, ['reads'], false, {
    of: (read) => ({ path: ['time'], value: read.time }),
    latest: latestTime,
  });
  return {
    reads: reads.map((read, index) => ({
      pointer: ['reads', index],
      hostName: read.reader ?? null,
      paths: { hostName: ['reader'], antenna: ['antenna'], time: ['time'] },
      antennas: read.antenna === undefined ? [] : [String(read.antenna)],
      readPointId: read.readPoint ?? null,
      tag: normalizeTag(read.epc),
      tid: read.tid?.toUpperCase() ?? null,
      time: readerTime(read.time),
      rawTime: read.time,
      rssi: read.rssi ?? null,
      count: read.count ?? 1,
    })),
    otherEvents: 0,
  };
}
