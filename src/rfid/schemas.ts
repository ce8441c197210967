// RFID gates: what readers post (Zebra FX IoT Connector, Impinj IoT Device Interface and a generic
// format, each exactly as documented) and the readers, read points and tag bindings parties manage.
import { z } from 'zod';
import { freeTextSchema, nameSchema, refuseControlsInLine } from '../codes/names.js';
import { mistypedCodeCheck, plainIdentifierSchema, serviceCodeField, serviceCodeFilter } from '../codes/service-codes.js';
import { isIsoTimestamp, isStorableTime, offsetWithinRange, STORABLE_YEARS, timestampSchema } from '../codes/timestamp.js';
import { idSchema } from '../codes/uuid.js';
import { queryInteger } from '../http/query.js';
import { epcProblem, tagLookupProblem } from './tags.js';

export const READ_POINT_ROLES = ['entry', 'exit', 'observe', 'commissioning'] as const;
export type ReadPointRole = (typeof READ_POINT_ROLES)[number];

export const READ_OUTCOMES = [
  'observed',
  'received',
  'already_received',
  'departed',
  'unexpected_departure',
  'ambiguous_departure',
  'bound',
  'unknown',
  'rejected',
  'failed',
] as const;

// ISO 8601 with an offset, the offset possibly without its colon (Zebra writes -0600) and the
// fraction up to nanoseconds (Impinj)
const READER_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

const withOffsetColon = (value: string) => value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');

/** The instant a reader's time string names (its offset's colon restored, sub-millisecond digits dropped). */
export function readerTime(value: string): Date {
  return new Date(withOffsetColon(value).replace(/(\.\d{3})\d+/, '$1'));
}

const timeSchema = z
  .string()
  .regex(READER_TIME, { error: 'must be an ISO 8601 time with an offset, e.g. 2024-11-21T13:20:53.319-0600', abort: true })
  // checked as the native event times are: a Date would read 30 February as 2 March
  .refine((value) => isIsoTimestamp(withOffsetColon(value)), {
    error: 'must be a real date and time (no 30 February, no hour 24)',
    abort: true,
  })
  .refine((value) => isStorableTime(readerTime(value)), { error: `must lie in the years ${STORABLE_YEARS}` })
  // the offset becomes the event's eventTimeZoneOffset, which EPCIS bounds
  .refine(offsetWithinRange, { error: 'must have an offset from -14:00 to +14:00' });

const EPC_DESCRIPTION =
  'the EPC as hex (whole bytes) or a URI: a tag or raw URI must decode as GET /epc/{value} decodes it, an EPC URN or Digital Link of a GS1 key be well-formed';

const hexSchema = z
  .string()
  .min(4)
  .max(128)
  .regex(/^(?:[0-9A-Fa-f]{2})+$/, { error: 'must be hexadecimal, in whole bytes' });

/** The most elements one batch holds, in every reader format: generic reads, or a reader's events. */
export const MAX_BATCH_READS = 10_000;
/**
 * What one element of a batch may take as JSON: a generic read with every field at its longest (an
 * EPC URI of 300 characters, a host name of 200, an antenna name of 100 characters of three bytes,
 * a TID of 128 hex digits, a time with nanoseconds) is some 1.2 KB, an Impinj event with its EPC
 * and TID both ways and the fields the vendor documents beyond ours some 1.3 KB.
 */
const BATCH_ELEMENT_BYTES = 2048;
/** The body limit of the reader routes: the most elements a batch holds, each at its longest (some 20 MB). */
export const BATCH_BODY_LIMIT = MAX_BATCH_READS * BATCH_ELEMENT_BYTES;

const ZEBRA_EVENT_TYPES = ['SIMPLE', 'INVENTORY', 'PORTAL', 'CONVEYOR', 'CUSTOM'] as const;

/** One tag read as the Zebra FX IoT Connector posts it; fields it documents beyond these are kept out of the way, not refused. */
export const zebraEventSchema = z
  .looseObject({
    data: z.looseObject({
      eventNum: z.number().int().optional(),
      format: z.string().max(20).optional(),
      idHex: hexSchema.describe('the EPC (format epc) as hex'),
      antenna: z.number().int().min(0).max(64).optional(),
      peakRssi: z.number().min(-200).max(50).optional().describe('dBm'),
      reads: z.number().int().min(1).max(1_000_000).optional().describe('times the tag was read in this report'),
      channel: z.number().optional(),
      TID: hexSchema.optional(),
      hostName: z.string().trim().min(1).max(200).optional(),
    }),
    timestamp: timeSchema.optional().describe('the offset is written without a colon, e.g. -0600'),
    type: z.enum(ZEBRA_EVENT_TYPES),
  })
  .meta({ id: 'ZebraTagEvent' });
/** Zebra IoT Connector events that are no tag reads, which a reader may send on its data endpoint too. */
export const ZEBRA_OTHER_EVENT_TYPES = ['heartbeat', 'GPI', 'GPO'] as const;
/** A Zebra heartbeat, GPI or GPO event: accepted and counted, not a read (its fields beyond these are kept out of the way). */
export const zebraOtherEventSchema = z
  .looseObject({
    type: z.enum(ZEBRA_OTHER_EVENT_TYPES),
    timestamp: z.string().max(100).optional(),
    data: z.looseObject({}).optional(),
  })
  .meta({ id: 'ZebraOtherEvent' });
const zebraAnyEvent = z.union([zebraEventSchema, zebraOtherEventSchema]);
export const zebraBody = z.union([zebraAnyEvent, z.array(zebraAnyEvent).max(MAX_BATCH_READS)]);

/** Whole bytes a base64 value carries; null when its last character holds only part of one. */
const base64Bytes = (value: string) => {
  const digits = value.replace(/=+$/, '').length;
  return digits % 4 === 1 ? null : Math.floor((digits * 3) / 4);
};

/** The bytes of a base64 value, in hex (Node reads either alphabet). */
export const hexOfBase64 = (value: string) => Buffer.from(value, 'base64').toString('hex').toUpperCase();

// base64 as readers and the tools between them write it: the standard alphabet (+ and /) or
// base64url, padded or not, one alphabet at a time; at least the two bytes the hex forms take:
// fewer would store a tag of one byte, or of none
const base64Schema = z
  .string()
  .min(2)
  .max(200)
  .regex(/^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/, { error: 'must be base64 (standard or base64url)' })
  .refine((value) => (base64Bytes(value) ?? 0) >= 2, { error: 'must be base64 of at least two whole bytes' });

const impinjTagInventorySchema = z
  .looseObject({
    epc: base64Schema.optional().describe('the EPC, base64 (standard or base64url); this or epcHex'),
    epcHex: hexSchema.optional().describe('the EPC as hex (off by default on the reader); this or epc'),
    tid: base64Schema.optional(),
    tidHex: hexSchema.optional(),
    antennaPort: z.number().int().min(0).max(64).optional(),
    antennaName: freeTextSchema(100).min(1).optional(),
    peakRssiCdbm: z.number().int().min(-20_000).max(5_000).optional().describe('centi-dBm'),
    frequency: z.number().optional(),
    lastSeenTime: timeSchema.optional(),
  })
  .superRefine((inventory, context) => {
    // the reader reports the EPC in whichever of its forms it is set to: one of them is the tag read
    if (inventory.epc === undefined && inventory.epcHex === undefined)
      context.addIssue({ code: 'custom', path: [], message: 'carries the EPC read, as epc or epcHex' });
    // the reader sends the same bytes both ways; two different tags mean a corrupt report, of which
    // neither may be taken for the tag read
    const differ = (base64: string | undefined, hex: string | undefined) =>
      base64 !== undefined && hex !== undefined && hexOfBase64(base64) !== hex.toUpperCase();
    if (differ(inventory.epc, inventory.epcHex))
      context.addIssue({ code: 'custom', path: ['epcHex'], message: 'not the tag the epc names: epc and epcHex must be the same bytes' });
    if (differ(inventory.tid, inventory.tidHex))
      context.addIssue({ code: 'custom', path: ['tidHex'], message: 'not the tag the tid names: tid and tidHex must be the same bytes' });
  });

/** One event of the Impinj IoT Device Interface; only `tagInventory` events are reads. */
export const impinjEventSchema = z
  .looseObject({
    timestamp: timeSchema.describe('nanoseconds, kept as sent'),
    hostname: z.string().trim().min(1).max(200).optional(),
    eventType: z.string().min(1).max(100),
    tagInventoryEvent: impinjTagInventorySchema.optional(),
  })
  .refine((event) => event.eventType !== 'tagInventory' || event.tagInventoryEvent !== undefined, {
    error: 'a tagInventory event carries tagInventoryEvent',
    path: ['tagInventoryEvent'],
  })
  .meta({ id: 'ImpinjEvent' });
export const impinjBody = z
  .array(impinjEventSchema)
  .max(MAX_BATCH_READS)
  .describe('possibly empty (the reader posts on its linger timeout)');

export const genericReadSchema = z
  .object({
    reader: z.string().trim().min(1).max(200).optional().describe('host name of the reader; default: the reader of the posting key'),
    antenna: z
      .union([z.number().int().min(0).max(64), z.string().trim().min(1).max(100)])
      .check(refuseControlsInLine)
      .optional()
      .describe('antenna port or name'),
    readPoint: idSchema.min(1).max(100).optional().describe('read point id, instead of reader + antenna'),
    epc: z
      .string()
      .min(4)
      .max(300)
      .superRefine((value, context) => {
        const problem = epcProblem(value);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })
      .describe(EPC_DESCRIPTION),
    tid: hexSchema.optional(),
    time: timeSchema,
    rssi: z.number().min(-200).max(50).optional().describe('peak RSSI, dBm'),
    count: z.number().int().min(1).max(1_000_000).optional().describe('times read; default 1'),
  })
  .meta({ id: 'GenericRead' });
export const genericBody = z.object({ reads: z.array(genericReadSchema).max(MAX_BATCH_READS) });

export const ingestResultSchema = z
  .object({
    batchId: z
      .string()
      .nullable()
      .describe(
        'the batch stored; a post of several readers’ reads (a party-wide reader key’s) is stored as one batch of each reader, and this is the first-named reader’s. Null for an empty batch (nothing is stored)',
      ),
    reads: z.number().int().describe('tag reads stored'),
    observations: z.number().int().describe('distinct tag × read point × window in this batch'),
    otherEvents: z.number().int().describe('reader events that are not tag reads, accepted and not treated as reads'),
    unplaced: z
      .number()
      .int()
      .describe('reads left out of the batch and not stored: no registered reader, read point or mapped antenna places them'),
    unplacedReads: z
      .array(
        z.object({
          pointer: z.string().describe('JSON pointer of the read in the posted body'),
          reason: z.string(),
        }),
      )
      .describe('the first 100 unplaced reads'),
  })
  .meta({ id: 'RfidIngestResult' });

/** A code of these kinds in a body: at most 64 characters as typed; a mistyped one is a 400 at its field. */
const serviceCode = (...kinds: Parameters<typeof serviceCodeField>) =>
  z
    .string()
    .min(1)
    .max(64)
    .pipe(serviceCodeField(...kinds));

export const registerReaderBody = z.object({
  partyCode: serviceCode('party'),
  // as a reader names itself on the network: a name no reader can send (an invisible character, a
  // look-alike letter) could pass for another party's reader in a listing
  hostName: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/, 'a host name: ASCII letters, digits, dots, hyphens and underscores'),
  serial: freeTextSchema(100).min(1).optional(),
  name: nameSchema(200).optional(),
});
export const readerSchema = z
  .object({
    id: z.string(),
    partyCode: z.string(),
    hostName: z.string(),
    serial: z.string().nullable(),
    name: z.string().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'RfidReader' });
export const listedReaderSchema = readerSchema
  .extend({
    lastHeardAt: z
      .date()
      .nullable()
      .describe('when the service last stored a batch of the reader, heartbeats and other events too (its own clock)'),
    lastReadAt: z.date().nullable().describe('when the service last stored a batch of the reader that brought tag reads (its own clock)'),
    clockOffsetSeconds: z
      .number()
      .nullable()
      .describe(
        'how far the reader’s clock runs from the service’s, in seconds (to the millisecond), by its last batch that brought tag ' +
          'reads: the latest time the reader gave a read of that batch minus when the service received the batch. Negative: the ' +
          'reader’s clock runs behind (its reads may be rejected as dated before their shipment); positive: ahead. A reader on ' +
          'time shows a few seconds below zero at most (the time between its read and its post). Null before its first reads, and ' +
          'when that batch was stored before the service kept the reader’s time (migration 0110).',
      ),
  })
  .meta({ id: 'RfidListedReader' });
export const registeredReaderSchema = readerSchema.extend({
  key: z.string().describe('the reader’s device API key (role reader), shown once'),
});

export const createReadPointBody = z.object({
  partyCode: serviceCode('party'),
  locationCode: serviceCode('location').describe('one of the party’s locations'),
  name: nameSchema(200).describe('e.g. 冷库 1 号门'),
  role: z.enum(READ_POINT_ROLES),
  windowSeconds: z.number().int().min(1).max(3600).optional().describe('reads of one tag within this window are one observation (30)'),
  bindToCode: plainIdentifierSchema
    .min(1)
    .max(64)
    // any identifier of the lot (an SSCC, a GS1 Digital Link), left as typed but for full-width characters
    .check(mistypedCodeCheck('lot', 'container'))
    .optional()
    .describe('commissioning: the lot or container new tags read here are bound to'),
  antennas: z
    .array(
      z.object({
        readerId: idSchema.max(100),
        antenna: z
          .union([z.number().int().min(0).max(64), z.string().trim().min(1).max(100)])
          .check(refuseControlsInLine)
          .describe('port number, Impinj antenna name, or * for every antenna of the reader'),
      }),
    )
    .min(1)
    .max(64),
});
export type CreateReadPointInput = z.infer<typeof createReadPointBody>;
export const readPointSchema = z
  .object({
    id: z.string(),
    partyCode: z.string(),
    locationCode: z.string(),
    name: z.string(),
    role: z.enum(READ_POINT_ROLES),
    windowSeconds: z.number().int(),
    bindToCode: z.string().nullable(),
    antennas: z.array(z.object({ readerId: z.string(), antenna: z.string() })),
    createdAt: z.date(),
  })
  .meta({ id: 'RfidReadPoint' });

/** What one read of a bound tag counts: the whole lot or container, or one pack (piece) of a lot. */
export const TAG_UNITS = ['lot', 'pack'] as const;

/** One binding, as the JSON body lists it and as each line of a CSV file is checked (parseTagCsv). */
export const tagBindingSchema = z.object({
  epc: z.string().min(4).max(300).optional().describe(EPC_DESCRIPTION),
  tid: hexSchema.optional(),
  code: z.string().min(1).max(64).describe('item, lot or container code (or SSCC) the tag is attached to'),
  unit: z
    .enum(TAG_UNITS)
    .optional()
    .describe(
      'what one read of the tag counts at the gates: lot (default for a lot or container code), the whole of it; pack (an item code always), one piece of a lot counted in pieces',
    ),
});
export type TagBinding = z.infer<typeof tagBindingSchema>;
/** The most tags one request binds, as JSON or CSV. */
export const MAX_TAG_BINDINGS = 100_000;
/**
 * The body limit of POST /rfid/tags: the most bindings a request makes, each at its longest (an `epc`
 * of 300 characters, a `code` of 64 of up to three bytes, with their keys and quotes: under 512 bytes).
 */
export const TAGS_BODY_LIMIT = MAX_TAG_BINDINGS * 512;
/** The longest CSV file of bindings taken (its body limit): 100,000 lines of some 160 bytes, a tag's hex or URN and a code. */
export const MAX_TAG_CSV_BYTES = 16 * 1024 * 1024;
export const bindTagsBody = z.object({ tags: z.array(tagBindingSchema).min(1).max(MAX_TAG_BINDINGS) });
export const tagSchema = z
  .object({
    kind: z.enum(['epc', 'tid']),
    value: z
      .string()
      .describe(
        'an EPC by the GS1 key the tag carries, as its Digital Link (however the tag was spelled), else in upper-case hex or the URI given; a TID in upper-case hex',
      ),
    partyCode: z.string(),
    lotCode: z.string(),
    itemCode: z.string().nullable(),
    unit: z.enum(TAG_UNITS),
    source: z.string(),
    boundAt: z.date(),
  })
  .meta({ id: 'RfidTag' });

export const readRowSchema = z
  .object({
    readPointId: z.string(),
    tag: z.string(),
    readerId: z.string(),
    antenna: z.string(),
    tid: z.string().nullable(),
    windowStart: z.date(),
    firstSeen: z.date(),
    firstSeenRaw: z.string(),
    lastSeen: z.date(),
    readCount: z.number().int(),
    peakRssi: z.number().nullable(),
    outcome: z.enum(READ_OUTCOMES).nullable().describe('null until the observation has been turned into an event'),
    lotCode: z.string().nullable(),
    eventId: z.string().nullable(),
    detail: z.string().nullable(),
    mayHaveLeftIn: z
      .array(z.string())
      .nullable()
      .describe(
        'the shipments (their ids) an ambiguous_departure pack may have left in, as its detail names them; null for any other read',
      ),
    attempts: z.number().int().describe('times turning the observation into events failed'),
    retryAt: z.date().nullable().describe('when a failed observation is tried again; null once given up (or never failed)'),
  })
  .meta({ id: 'RfidRead' });
/** A tag looked up (an EPC or a TID), held to what a read or a binding is held to: a malformed one names nothing. */
export const tagLookupSchema = z
  .string()
  .superRefine((value, context) => {
    const problem = tagLookupProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  })
  .describe('the EPC (hex or EPC URI) or the TID (hex)');
export const partyQuery = z.object({ partyCode: serviceCodeFilter('party') });
export const readsQuery = z.object({
  partyCode: serviceCodeFilter('party'),
  readerId: idSchema.optional(),
  readPointId: idSchema.optional(),
  tag: tagLookupSchema.optional(),
  outcome: z.enum(READ_OUTCOMES).optional(),
  limit: queryInteger(1, 1000).prefault(100),
  offset: queryInteger(0).prefault(0),
});
export type ReadsFilter = z.infer<typeof readsQuery>;
export const unknownTagsQuery = z.object({
  partyCode: serviceCodeFilter('party'),
  since: timestampSchema
    .optional()
    .describe('only the windows last read at or after this time (ISO 8601 with offset), e.g. the time of the last poll'),
  limit: queryInteger(1, 1000).prefault(100),
  offset: queryInteger(0).prefault(0),
});
export type UnknownTagsFilter = z.infer<typeof unknownTagsQuery>;
