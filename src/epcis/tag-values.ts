// One tag is one thing however it was written: EPCIS events may name a tag by its pure identity,
// its tag URI (urn:epc:tag:sgtin-96:3.…) or its raw URI (urn:epc:raw:96.x…). Capture rewrites the
// last two to the pure identity when they decode to a GS1 key or a GID (in EPC lists, parentID, and the
// ids of readPoint and bizLocation, where a location tag gives its SGLN), and keeps what was written, with
// the filter value, in the event's `cntrace:tagEncodings` extension. Raw URIs of other tags
// (factory EPCs) stay raw, in one spelling: upper-case hex. Pure: no I/O.
import { decodeTag, EpcSyntaxError, isBareEpc, isTagEncoding } from '../gs1/epc-binary.js';
import type { EpcisEvent } from './mapping.js';

/** A tag value an event named in another form than the one stored; filter for EPCs of GS1 keys. */
export type TagEncoding = { epc: string; written: string; filter?: number };

/** The stored event's extension field (namespace `cntrace`, declared in the EPCIS context) listing them. */
export const TAG_ENCODINGS_FIELD = 'cntrace:tagEncodings';

/** Event fields naming a place by its `id`. */
const PLACES = ['readPoint', 'bizLocation'] as const;

/** Event fields whose values name one tagged object each. */
const INSTANCE_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;

/**
 * Why a value in an EPC field is unusable: a malformed tag or raw URI, or a bare hex EPC (EPCIS
 * names objects by URI; the message gives the URI to write). Null for every other value.
 */
export function tagValueProblem(value: string): string | null {
  try {
    if (isBareEpc(value)) {
      const tag = decodeTag(value);
      return `is a bare EPC in hex; EPCIS names objects by URI: write ${tag.kind === 'raw' ? tag.rawUri : tag.pureIdentity}`;
    }
    if (isTagEncoding(value)) decodeTag(value);
    return null;
  } catch (error) {
    if (error instanceof EpcSyntaxError) return error.message;
    throw error;
  }
}

// The stored form of a tag or raw URI, with what was written; null when the value stays as it is.
function encodingOf(value: unknown): TagEncoding | null {
  if (typeof value !== 'string' || !isTagEncoding(value)) return null;
  const tag = decodeTag(value);
  if (tag.kind === 'gs1') return { epc: tag.pureIdentity, written: value, filter: tag.filter };
  if (tag.kind === 'gid') return { epc: tag.pureIdentity, written: value };
  return tag.hex !== null && tag.rawUri !== value ? { epc: tag.rawUri, written: value } : null;
}

/** The event with its tag and raw URIs in their stored form, and the forms they were written in. */
export function normaliseTagValues(event: EpcisEvent): { event: EpcisEvent; encodings: TagEncoding[] } {
  const encodings: TagEncoding[] = [];
  const normalise = (value: unknown): unknown => {
    const encoding = encodingOf(value);
    if (!encoding) return value;
    encodings.push(encoding);
    return encoding.epc;
  };
  // copied once something is rewritten: most events name no tag or raw URI, and a capture normalises 10,000
  let out: EpcisEvent | undefined;
  const set = (field: string, value: unknown) => {
    out ??= { ...event };
    out[field] = value;
  };
  for (const field of INSTANCE_LISTS) {
    const list = event[field];
    if (!Array.isArray(list)) continue;
    const count = encodings.length;
    const normalised = list.map(normalise);
    if (encodings.length > count) set(field, normalised);
  }
  if (event.parentID !== undefined) {
    const parent = normalise(event.parentID);
    if (parent !== event.parentID) set('parentID', parent);
  }
  // a place read off a location tag (SGLN-96/195) is the SGLN it carries
  for (const field of PLACES) {
    const place = event[field];
    if (typeof place === 'object' && place !== null && 'id' in place) {
      const id = normalise(place.id);
      if (id !== place.id) set(field, { ...place, id });
    }
  }
  return { event: out ?? event, encodings };
}

/** The event as captured minus the extension capture added (for comparing event hashes). */
export function withoutTagEncodings(event: EpcisEvent): EpcisEvent {
  if (!(TAG_ENCODINGS_FIELD in event)) return event;
  const { [TAG_ENCODINGS_FIELD]: _added, ...rest } = event;
  return rest;
}
