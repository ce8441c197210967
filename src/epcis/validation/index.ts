// Validation of EPCIS 2.0 JSON capture input: the GS1 JSON Schemas (see schema.ts) plus the
// checks they cannot express or word well: CBV business steps and dispositions, ILMD only on
// ADD and the lot dates it gives, certificationInfo as URIs.

import type { ValidateFunction } from 'ajv';
import { dateSchema, isStorableTime, STORABLE_YEARS } from '../../codes/timestamp.js';
import { pauses } from '../../db/turns.js';
import { inspectionSchema, MAX_URI_LENGTH } from '../../events/schemas.js';
import { gs1IdentifierProblem, isEpcPattern } from '../../gs1/canonical.js';
import { gs1KeyUri, isTagEncoding } from '../../gs1/epc-binary.js';
import { epcUriSpelling } from '../../gs1/epc-uri.js';
import { contextPrefixes } from '../event-hash.js';
import { cbvMasterData, ILMD_DATE_TERMS, INSPECTION_FIELD, lotNumberProblem } from '../mapping.js';
import { tagValueProblem } from '../tag-values.js';
import { lineDecimals, MAX_QUANTITY } from '../uom.js';
import { cited, label, schemaErrors, type ValidationError } from './messages.js';
import { epcisValidators } from './schema.js';
import { BIZ_STEP, DISPOSITION, type Vocabulary, vocabularyProblem } from './vocabulary.js';

export type { ValidationError };
export type ValidationResult = { ok: true } | { ok: false; errors: ValidationError[] };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Checks that run beside the schema. `covered` pointers get no schema errors of their own.
type Findings = { errors: ValidationError[]; covered: string[] };

const EPC_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'];
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];
const SSCC_URI = /^https:\/\/id\.gs1\.org\/00\//;
/** What a read point or business location names, and a source or destination: one of them, how to name it. */
const ONE_PLACE = 'one place: name that place (an SGLN, a GS1 Digital Link with AI 414, or another URI)';
const ONE_PARTY_OR_PLACE = 'one party or place: name that one (a PGLN or SGLN, a GS1 Digital Link with AI 417 or 414, or another URI)';
const ONE_DOCUMENT = 'one business transaction: name that document (a GDTI, a GS1 Digital Link with AI 253, or another URI)';
/** Lists of objects naming one URI each, that URI's field, and the one transaction, party or place it names. */
const URI_LISTS = [
  ['bizTransactionList', 'bizTransaction', ONE_DOCUMENT],
  ['sourceList', 'source', ONE_PARTY_OR_PLACE],
  ['destinationList', 'destination', ONE_PARTY_OR_PLACE],
] as const;
/** The URI fields of a sensor element's metadata and reports (EPCIS 2.0 JSON Schema). */
const SENSOR_METADATA_URIS = ['deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules'];
const SENSOR_REPORT_URIS = [...SENSOR_METADATA_URIS, 'microorganism', 'chemicalSubstance', 'coordinateReferenceSystem', 'uriValue'];

/**
 * Quantities are booked in the ledger: never negative, within what it stores, at most 3 decimals (6 in
 * tonnes, TNE: the 3 of the kilograms a lot is counted in; see quantityInUnit).
 */
function quantityProblem(quantity: number, uom: unknown): string | null {
  if (quantity < 0) return 'must not be negative';
  if (quantity > MAX_QUANTITY) return `must be at most ${MAX_QUANTITY}`;
  const decimals = lineDecimals(uom);
  const steps = Math.round(quantity * 10 ** decimals);
  // a positive quantity finer than a thousandth (1e-300) would be booked as 0
  if (Math.abs(quantity * 10 ** decimals - steps) > 1e-6 || (quantity > 0 && steps === 0)) {
    return `has more than ${decimals} decimals${uom === 'TNE' ? ' (a gram) in TNE' : ''}`;
  }
  return null;
}

/**
 * What one event's user-defined content may hold: its extension fields (named by a namespace prefix
 * or a full URI, wherever in the event) and its own @context. Each value stored is hashed (the CBV
 * event hash orders every one of them) and written in one piece, between which capture hands the
 * event loop back: these bound what one event holds it for (hashing 2,000 values takes about as
 * long as the pause budget of db/turns.ts), where the body limit alone would let one event carry
 * millions of numbers.
 */
export const MAX_EXTENSION_VALUES = 2000;
export const MAX_EXTENSION_DEPTH = 32;

/** A JSON Pointer's reference token (RFC 6901). */
const token = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Counts `value`'s values (itself and every one nested in it) into `counted`, stopping as soon as
 * they go over `MAX_EXTENSION_VALUES` or an array or object lies deeper than `MAX_EXTENSION_DEPTH`:
 * which of the two, or null. Walked without recursion, so no nesting exhausts the stack, and each
 * value is counted before its children are looked at, so a refusal looks at no more than the limit.
 */
function overLimit(value: unknown, counted: { values: number }): 'values' | 'depth' | null {
  if (++counted.values > MAX_EXTENSION_VALUES) return 'values';
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [next, depth] = stack.pop() as [unknown, number];
    if (typeof next !== 'object' || next === null) continue;
    const children = Array.isArray(next) ? next : Object.values(next);
    if (children.length === 0) continue;
    if (depth >= MAX_EXTENSION_DEPTH && children.some((child) => typeof child === 'object' && child !== null)) return 'depth';
    if (counted.values + children.length > MAX_EXTENSION_VALUES) return 'values';
    counted.values += children.length;
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return null;
}

/**
 * The standard structure of an event, as far as its members hold more than one value: a standard
 * value (`value`), a list bounded per event (`list`, of at most `max` entries in all the event's
 * lists of that name, e.g. sensor reports over its sensor elements), or an object of standard
 * members. Anything else in an event is user-defined content (extension fields, with or without a
 * prefix, ilmd, its @context), counted against MAX_EXTENSION_VALUES.
 */
type Shape = 'value' | { list: Shape; max: number; what: string } | { object: Record<string, Shape> };

/** At most this many entries in one event's EPC list or quantity list (a native event's lines: 10,000). */
export const MAX_EVENT_LIST = 10_000;
/** At most this many sensor reports in one event, over all its sensor elements, and as many elements. */
export const MAX_SENSOR_REPORTS = 10_000;
/** At most this many business transactions, sources, destinations, dispositions set or unset, certifications, corrective eventIDs. */
export const MAX_EVENT_REFERENCES = 1000;

const list = (item: Shape, max: number, what: string): Shape => ({ list: item, max, what });
const object = (members: Record<string, Shape>): Shape => ({ object: members });
const epcs = list('value', MAX_EVENT_LIST, 'EPCs');
const quantities = list(object({ epcClass: 'value', quantity: 'value', uom: 'value' }), MAX_EVENT_LIST, 'quantity elements');
const references = (what: string) => list('value', MAX_EVENT_REFERENCES, what);
const typed = (id: string, what: string) => list(object({ type: 'value', [id]: 'value' }), MAX_EVENT_REFERENCES, what);
const fieldsOf = (names: string[]) => Object.fromEntries(names.map((name) => [name, 'value' as Shape]));
const SENSOR_METADATA_FIELDS = ['time', 'startTime', 'endTime', ...SENSOR_METADATA_URIS];
const SENSOR_REPORT_FIELDS = [
  'type',
  'exception',
  'time',
  'value',
  'component',
  'stringValue',
  'booleanValue',
  'hexBinaryValue',
  'minValue',
  'maxValue',
  'meanValue',
  'sDev',
  'percRank',
  'percValue',
  'uom',
  ...SENSOR_REPORT_URIS,
];
const EVENT_SHAPE: Record<string, Shape> = {
  ...fieldsOf([
    'type',
    'eventID',
    'eventTime',
    'recordTime',
    'eventTimeZoneOffset',
    'parentID',
    'action',
    'transformationID',
    'bizStep',
    'disposition',
  ]),
  certificationInfo: references('certifications'),
  ...Object.fromEntries(EPC_LISTS.map((field) => [field, epcs])),
  ...Object.fromEntries(QUANTITY_LISTS.map((field) => [field, quantities])),
  persistentDisposition: object({ set: references('dispositions'), unset: references('dispositions') }),
  readPoint: object({ id: 'value' }),
  bizLocation: object({ id: 'value' }),
  bizTransactionList: typed('bizTransaction', 'business transactions'),
  sourceList: typed('source', 'sources'),
  destinationList: typed('destination', 'destinations'),
  sensorElementList: list(
    object({
      sensorMetadata: object(fieldsOf(SENSOR_METADATA_FIELDS)),
      sensorReport: list(object(fieldsOf(SENSOR_REPORT_FIELDS)), MAX_SENSOR_REPORTS, 'sensor reports'),
    }),
    MAX_SENSOR_REPORTS,
    'sensor elements',
  ),
  // all its members are user-defined, each named when it goes over
  ilmd: object({}),
  errorDeclaration: object({ declarationTime: 'value', reason: 'value', correctiveEventIDs: references('corrective eventIDs') }),
};

type Count = { values: number; lists: Map<string, number> };

/** The problem of user-defined content at `pointer` (member `key`), when it takes the event over the limits. */
function userDefined(key: string, value: unknown, pointer: string, counted: Count): ValidationError | null {
  const over = overLimit(value, counted);
  if (over === null) return null;
  const name = key.slice(0, 100);
  return {
    pointer,
    message:
      over === 'values'
        ? `${name} takes this event's user-defined fields over ${MAX_EXTENSION_VALUES} values (numbers, strings, booleans, nulls, objects and arrays, each counting one, with those of ilmd, @context and every member the standard does not define): at most ${MAX_EXTENSION_VALUES} per event`
        : `${name} nests user-defined values more than ${MAX_EXTENSION_DEPTH} deep: at most ${MAX_EXTENSION_DEPTH}`,
  };
}

/**
 * The first member of an event, in document order, at which it goes over a limit: a standard list
 * longer than its bound, or user-defined content over MAX_EXTENSION_VALUES values or
 * MAX_EXTENSION_DEPTH levels (a standard member holding what the standard does not, an object for
 * an EPC, counts as user-defined too). Its pointer and what it breaks.
 */
function limitProblem(value: unknown, shape: Shape, key: string, pointer: string, counted: Count): ValidationError | null {
  if (shape === 'value') return typeof value === 'object' && value !== null ? userDefined(key, value, pointer, counted) : null;
  if ('list' in shape) {
    if (!Array.isArray(value)) return limitProblem(value, shape.list, key, pointer, counted);
    const total = (counted.lists.get(key) ?? 0) + value.length;
    counted.lists.set(key, total);
    if (total > shape.max)
      return { pointer, message: `${key} takes this event over ${shape.max} ${shape.what}: at most ${shape.max} ${shape.what} per event` };
    for (const [i, item] of value.entries()) {
      const problem = limitProblem(item, shape.list, key, `${pointer}/${i}`, counted);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) return userDefined(key, value, pointer, counted);
  for (const [member, inner] of Object.entries(value)) {
    const at = `${pointer}/${token(member)}`;
    const problem = Object.hasOwn(shape.object, member)
      ? limitProblem(inner, shape.object[member], member, at, counted)
      : userDefined(member, inner, at, counted);
    if (problem) return problem;
  }
  return null;
}

function extensionProblem(event: Json, at: string): ValidationError | null {
  return limitProblem(event, object(EVENT_SHAPE), '', at, { values: 0, lists: new Map() });
}

/** The document's @context: at most MAX_EXTENSION_VALUES values, MAX_EXTENSION_DEPTH deep and MAX_CONTEXT_BYTES. */
export const MAX_CONTEXT_BYTES = 16 * 1024;

function contextProblem(context: unknown): ValidationError | null {
  if (context === undefined) return null;
  const over = overLimit(context, { values: 0 });
  if (over === 'values')
    return { pointer: '/@context', message: `@context holds more than ${MAX_EXTENSION_VALUES} values: at most ${MAX_EXTENSION_VALUES}` };
  if (over === 'depth')
    return { pointer: '/@context', message: `@context nests values more than ${MAX_EXTENSION_DEPTH} deep: at most ${MAX_EXTENSION_DEPTH}` };
  const bytes = Buffer.byteLength(JSON.stringify(context));
  if (bytes > MAX_CONTEXT_BYTES)
    return { pointer: '/@context', message: `@context is ${bytes} bytes as JSON: at most ${MAX_CONTEXT_BYTES}` };
  return null;
}

const EVENT_TYPES = 'ObjectEvent, AggregationEvent, AssociationEvent, TransactionEvent, TransformationEvent or an extension event type URI';

/**
 * `documentPrefixes`: the namespace prefixes of the document's @context (see event-hash.ts
 * contextPrefixes), the event's own adding to them; undefined when that context is refused, whose
 * ilmd then goes unread.
 */
function checkEvent(event: unknown, at: string, found: Findings, documentPrefixes: ReadonlyMap<string, string> | undefined): void {
  if (!isObject(event)) return;
  const report = (pointer: string, message: string) => {
    found.errors.push({ pointer, message });
    found.covered.push(pointer);
  };
  if (event.type === undefined) {
    // Without a type every if/then branch of the event schema applies, so its errors are noise.
    report(`${at}/type`, `type is required (${EVENT_TYPES})`);
    found.covered.push(at);
    return;
  }
  // an event over a limit is refused for it alone: its other checks would read all it holds
  const extension = extensionProblem(event, at);
  if (extension) {
    report(extension.pointer, extension.message);
    return;
  }
  // a value longer than any URI the service takes is the schema's to report: its length, not its content
  const tooLong = (value: string) => value.length > MAX_URI_LENGTH;
  const vocabulary = (v: Vocabulary, value: unknown, pointer: string) => {
    const problem = typeof value === 'string' && tooLong(value) ? undefined : vocabularyProblem(v, value);
    if (problem) report(pointer, `${label(pointer, 'event')} ${problem}`);
  };
  vocabulary(BIZ_STEP, event.bizStep, `${at}/bizStep`);
  vocabulary(DISPOSITION, event.disposition, `${at}/disposition`);
  const persistent = event.persistentDisposition;
  for (const key of ['set', 'unset']) {
    const list = isObject(persistent) ? persistent[key] : undefined;
    if (Array.isArray(list)) for (const [i, d] of list.entries()) vocabulary(DISPOSITION, d, `${at}/persistentDisposition/${key}/${i}`);
  }
  for (const field of ['eventTime', 'recordTime']) {
    const time = typeof event[field] === 'string' ? new Date(event[field] as string) : undefined;
    if (time && !Number.isNaN(time.getTime()) && !isStorableTime(time))
      report(`${at}/${field}`, `${field} must lie in the years ${STORABLE_YEARS}`);
  }
  const declared = isObject(event.errorDeclaration) ? event.errorDeclaration.declarationTime : undefined;
  if (typeof declared === 'string' && !Number.isNaN(new Date(declared).getTime()) && !isStorableTime(new Date(declared))) {
    report(`${at}/errorDeclaration/declarationTime`, `declarationTime must lie in the years ${STORABLE_YEARS}`);
  }
  for (const field of QUANTITY_LISTS) {
    const list = event[field];
    if (!Array.isArray(list)) continue;
    for (const [i, entry] of list.entries()) {
      const quantity = isObject(entry) ? entry.quantity : undefined;
      const problem = typeof quantity === 'number' ? quantityProblem(quantity, isObject(entry) ? entry.uom : undefined) : null;
      if (problem) report(`${at}/${field}/${i}/quantity`, `quantity ${problem}`);
    }
  }
  const identifier = (value: unknown, pointer: string) => {
    if (typeof value !== 'string' || tooLong(value)) return;
    const problem = gs1IdentifierProblem(value);
    if (problem) report(pointer, `${cited(value)} ${problem}`);
  };
  // Documents, parties, transformations and devices are often named by the sender's own URLs, whose
  // paths may look like a key (…/reports/2024/01/20240115): there only EPC URNs and links on GS1's
  // resolver are held to GS1 formats.
  const reference = (value: unknown, pointer: string) => {
    if (typeof value === 'string' && (value.startsWith('urn:epc:') || /^https?:\/\/id\.gs1\.org\//i.test(value)))
      identifier(value, pointer);
  };
  // one tagged object each: tag and raw URIs must decode, and a bare hex EPC is told its URI
  const instance = (value: unknown, pointer: string) => {
    if (typeof value !== 'string' || tooLong(value)) return;
    const problem = tagValueProblem(value);
    if (problem) report(pointer, `${cited(value)} ${problem}`);
    else identifier(value, pointer);
  };
  // an EPC pattern (urn:epc:idpat:…, its head in any case) names many objects, or a GTIN's class
  // (CBV's class-level identifier, an epcClass): never the one object an instance list or parentID
  // names, nor the one place or party of a read point, business location, source or destination, nor
  // the one document of a business transaction.
  // Whether the value at `pointer` is a pattern, then reported as no `instead` (the one thing meant).
  const pattern = (value: unknown, pointer: string, instead: string) => {
    if (typeof value !== 'string' || tooLong(value) || !isEpcPattern(value)) return false;
    report(pointer, `${cited(value)} is an EPC pattern, which names many objects, not ${instead}`);
    return true;
  };
  const object = (value: unknown, pointer: string) => {
    if (!pattern(value, pointer, "one object: name each EPC, or a GTIN's class as a quantity list's epcClass")) instance(value, pointer);
  };
  object(event.parentID, `${at}/parentID`);
  for (const field of EPC_LISTS) {
    const list = event[field];
    if (Array.isArray(list)) for (const [i, epc] of list.entries()) object(epc, `${at}/${field}/${i}`);
  }
  // an epcClass names a class (a GTIN, with its lot: CBV 2.0 EPC class identifiers); an SSCC names one
  // logistic unit, which an instance list names (taken as a class, it would be a container of as many
  // kilograms as the entry says), in whichever spelling (EPC URN, tag or raw URI, Digital Link), nor
  // does a pattern of SSCCs name a class
  const epcClass = (value: unknown, pointer: string) => {
    if (typeof value !== 'string' || tooLong(value)) return;
    const problem = isTagEncoding(value) ? tagValueProblem(value) : gs1IdentifierProblem(value);
    if (problem) report(pointer, `${cited(value)} ${problem}`);
    else if (SSCC_URI.test(gs1KeyUri(value) ?? '') || epcUriSpelling(value).startsWith('urn:epc:idpat:sscc:'))
      report(
        pointer,
        `epcClass ${cited(value)} is an SSCC, which names one logistic unit (an instance), not a class: name it in an EPC list (epcList, childEPCs) or as parentID`,
      );
  };
  for (const field of QUANTITY_LISTS) {
    const list = event[field];
    if (Array.isArray(list))
      for (const [i, entry] of list.entries()) epcClass(isObject(entry) ? entry.epcClass : undefined, `${at}/${field}/${i}/epcClass`);
  }
  for (const field of ['readPoint', 'bizLocation']) {
    const place = isObject(event[field]) ? event[field].id : undefined;
    if (!pattern(place, `${at}/${field}/id`, ONE_PLACE)) instance(place, `${at}/${field}/id`);
  }
  for (const [field, key, named] of URI_LISTS) {
    const list = event[field];
    if (!Array.isArray(list)) continue;
    for (const [i, entry] of list.entries()) {
      const value = isObject(entry) ? entry[key] : undefined;
      const pointer = `${at}/${field}/${i}/${key}`;
      if (!pattern(value, pointer, named)) reference(value, pointer);
    }
  }
  reference(event.transformationID, `${at}/transformationID`);
  const sensors = event.sensorElementList;
  for (const [i, sensor] of (Array.isArray(sensors) ? sensors : []).entries()) {
    if (!isObject(sensor)) continue;
    const metadata = sensor.sensorMetadata;
    if (isObject(metadata))
      for (const key of SENSOR_METADATA_URIS) reference(metadata[key], `${at}/sensorElementList/${i}/sensorMetadata/${key}`);
    const reports = sensor.sensorReport;
    for (const [j, report] of (Array.isArray(reports) ? reports : []).entries()) {
      if (isObject(report))
        for (const key of SENSOR_REPORT_URIS) reference(report[key], `${at}/sensorElementList/${i}/sensorReport/${j}/${key}`);
    }
  }
  // an inspection's result as the native event gives it (see mapping.ts inspectionOf), held to the same schema
  if (event[INSPECTION_FIELD] !== undefined) {
    const parsed = inspectionSchema.safeParse(event[INSPECTION_FIELD]);
    for (const issue of parsed.success ? [] : parsed.error.issues) {
      report([`${at}/${INSPECTION_FIELD}`, ...issue.path.map(String)].join('/'), `${INSPECTION_FIELD} ${issue.message}`);
    }
  }
  // The schema says this with an anyOf over action patterns, which reads as an action error.
  if (event.type === 'ObjectEvent' && event.ilmd !== undefined && (event.action === 'OBSERVE' || event.action === 'DELETE')) {
    report(`${at}/ilmd`, `ilmd is only allowed when action is ADD, not ${event.action}`);
  }
  // the dates and lot number a lot the event makes is given (see mapping.ts lotDatesOf, withIlmdLotNumber),
  // held to what a native lot's are, each named as sent (`mda:lotNumber` where the document's context says so)
  const own = event['@context'];
  const prefixes = own === undefined || !documentPrefixes ? documentPrefixes : contextPrefixes(own, documentPrefixes);
  const read = new Map<string, string>();
  for (const { term, member, value } of prefixes ? cbvMasterData(event, prefixes) : []) {
    if (!ILMD_DATE_TERMS.has(term) && term !== 'lotNumber') continue;
    // two names of one attribute (`cbvmda:lotNumber` and `mda:lotNumber`): which is meant, the event does not say
    const earlier = read.get(term);
    read.set(term, earlier ?? member);
    const parsed = ILMD_DATE_TERMS.has(term) ? dateSchema.safeParse(value) : undefined;
    const problem = earlier
      ? `names the CBV attribute ${term} that ${cited(earlier)} gives already: give it once`
      : parsed && !parsed.success
        ? parsed.error.issues[0].message
        : term === 'lotNumber'
          ? lotNumberProblem(value)
          : null;
    if (problem) report(`${at}/ilmd/${token(member)}`, `${cited(member)} ${problem}`);
  }
  const certification = event.certificationInfo;
  if (
    certification !== undefined &&
    typeof certification !== 'string' &&
    !(Array.isArray(certification) && certification.every((c) => typeof c === 'string'))
  ) {
    report(
      `${at}/certificationInfo`,
      'certificationInfo must be a URI or an array of URIs that identify certification details, not the details themselves',
    );
  }
}

function result(validate: ValidateFunction, input: unknown, found: Findings, root: string): ValidationResult {
  const valid = validate(input);
  if (valid && found.errors.length === 0) return { ok: true };
  const errors = [...found.errors, ...(valid ? [] : schemaErrors(validate.errors ?? [], found.covered, root))];
  errors.sort((a, b) => a.pointer.localeCompare(b.pointer, 'en', { numeric: true }));
  return { ok: false, errors };
}

/** Validates an EPCISDocument as received by the capture interface. */
export async function validateCaptureDocument(doc: unknown): Promise<ValidationResult> {
  const found: Findings = { errors: [], covered: [] };
  const body = isObject(doc) ? doc.epcisBody : undefined;
  const events = isObject(body) && Array.isArray(body.eventList) ? body.eventList : [];
  // a document of 10,000 events takes most of a second to check: other requests go on meanwhile
  const context = isObject(doc) ? contextProblem(doc['@context']) : null;
  if (context) {
    found.errors.push(context);
    found.covered.push(context.pointer);
  }
  const prefixes = context ? undefined : contextPrefixes(isObject(doc) ? doc['@context'] : undefined);
  const pause = pauses();
  for (const [i, event] of events.entries()) {
    await pause();
    checkEvent(event, `/epcisBody/eventList/${i}`, found, prefixes);
  }
  return result(epcisValidators().document, doc, found, 'document');
}

/** Validates one event (optionally carrying its own @context), as POST /events receives it. */
export function validateCaptureEvent(event: unknown): ValidationResult {
  if (isObject(event) && (event.type === 'EPCISDocument' || event.type === 'EPCISQueryDocument')) {
    return { ok: false, errors: [{ pointer: '/type', message: `expected a single event, got an ${event.type}` }] };
  }
  const found: Findings = { errors: [], covered: [] };
  checkEvent(event, '', found, contextPrefixes(undefined));
  return result(epcisValidators().event, event, found, 'event');
}
