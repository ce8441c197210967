// CBV 2.0 event hash ID ("ni:///sha-256;<hex>?ver=CBV2.0") for EPCIS 2.0 JSON/JSON-LD events.
// Where the standard's prose and the reference implementation (RalphTro/epcis-event-hash-generator)
// differ, this follows the reference, because interoperable IDs are what its published vectors pin
// down. Pure: no I/O.

import { createHash } from 'node:crypto';
import { canonicalGs1Uri } from '../gs1/canonical.js';

type Json = Record<string, unknown>;

/** Value shapes of the standard fields whose order the algorithm fixes. */
type Spec =
  | { kind: 'value'; vocab?: string; time?: true }
  | { kind: 'object'; fields: Fields }
  // JSON array that the XML binding wraps (epcList → epc elements).
  | { kind: 'list'; item: string; spec: Spec }
  // bizTransactionList, sourceList, destinationList: type first, then the identifier.
  | { kind: 'typed'; id: string; vocab: string };
type Fields = [string, Spec][];

const CBV = 'https://ref.gs1.org/cbv/';
// Bare measurement types and sensor exceptions resolve against gs1 in the EPCIS 2.0 context.
const GS1_VOC = 'https://gs1.org/voc/';

const value: Spec = { kind: 'value' };
const time: Spec = { kind: 'value', time: true };
const vocab = (prefix: string): Spec => ({ kind: 'value', vocab: prefix });
const epcs: Spec = { kind: 'list', item: 'epc', spec: value };
const quantities: Spec = {
  kind: 'list',
  item: 'quantityElement',
  spec: {
    kind: 'object',
    fields: [
      ['epcClass', value],
      ['quantity', value],
      ['uom', value],
    ],
  },
};
const location: Spec = { kind: 'object', fields: [['id', value]] };

const SENSOR_METADATA: Fields = [
  ['time', time],
  ['startTime', time],
  ['endTime', time],
  ['deviceID', value],
  ['deviceMetadata', value],
  ['rawData', value],
  ['dataProcessingMethod', value],
  ['bizRules', value],
];
const SENSOR_REPORT: Fields = [
  ['type', vocab(GS1_VOC)],
  ['exception', vocab(GS1_VOC)],
  ['deviceID', value],
  ['deviceMetadata', value],
  ['rawData', value],
  ['dataProcessingMethod', value],
  ['time', time],
  ['microorganism', value],
  ['chemicalSubstance', value],
  ['value', value],
  ['component', vocab(`${CBV}Comp-`)],
  ['stringValue', value],
  ['booleanValue', value],
  ['hexBinaryValue', value],
  ['uriValue', value],
  ['minValue', value],
  ['maxValue', value],
  ['meanValue', value],
  ['sDev', value],
  ['percRank', value],
  ['percValue', value],
  ['uom', value],
  ['coordinateReferenceSystem', value],
];

const EVENT_FIELDS: Fields = [
  ['eventTime', time],
  ['eventTimeZoneOffset', value],
  ['certificationInfo', value],
  ['parentID', value],
  ['epcList', epcs],
  ['inputEPCList', epcs],
  ['childEPCs', epcs],
  ['quantityList', quantities],
  ['childQuantityList', quantities],
  ['inputQuantityList', quantities],
  ['outputEPCList', epcs],
  ['outputQuantityList', quantities],
  ['action', value],
  ['transformationID', value],
  ['bizStep', vocab(`${CBV}BizStep-`)],
  ['disposition', vocab(`${CBV}Disp-`)],
  [
    'persistentDisposition',
    {
      kind: 'object',
      fields: [
        ['set', vocab(`${CBV}Disp-`)],
        ['unset', vocab(`${CBV}Disp-`)],
      ],
    },
  ],
  ['readPoint', location],
  ['bizLocation', location],
  [
    'sensorElementList',
    {
      kind: 'list',
      item: 'sensorElement',
      spec: {
        kind: 'object',
        fields: [
          ['sensorMetadata', { kind: 'object', fields: SENSOR_METADATA }],
          ['sensorReport', { kind: 'object', fields: SENSOR_REPORT }],
        ],
      },
    },
  ],
];

// The reference sorts these together with ilmd and the user extensions instead of placing them in
// the standard's sequence (its vectors put destinationList before sourceList), so they do too.
const SORTED_WITH_EXTENSIONS: Record<string, Spec> = {
  bizTransactionList: { kind: 'typed', id: 'bizTransaction', vocab: `${CBV}BTT-` },
  sourceList: { kind: 'typed', id: 'source', vocab: `${CBV}SDT-` },
  destinationList: { kind: 'typed', id: 'destination', vocab: `${CBV}SDT-` },
};

// Not part of the hash: identity and bookkeeping of the event rather than what happened.
const EXCLUDED = ['type', 'eventID', 'recordTime', 'errorDeclaration'];
const RDFS_COMMENT = '{http://www.w3.org/2000/01/rdf-schema#}comment';

// Prefixes the EPCIS 2.0 context defines, so documents may use them without declaring them.
const STANDARD_PREFIXES: Record<string, string> = {
  gs1: GS1_VOC,
  cbv: CBV,
  epcis: 'https://ref.gs1.org/epcis/',
  cbvmda: 'urn:epcglobal:cbv:mda:',
};

// Pre-2.0 CBV URNs name the same vocabulary as the web URIs.
const CBV_URNS: [string, string][] = [
  ['urn:epcglobal:cbv:bizstep:', `${CBV}BizStep-`],
  ['urn:epcglobal:cbv:disp:', `${CBV}Disp-`],
  ['urn:epcglobal:cbv:btt:', `${CBV}BTT-`],
  ['urn:epcglobal:cbv:sdt:', `${CBV}SDT-`],
  ['urn:epcglobal:cbv:er:', `${CBV}ER-`],
];

const CBV_URN = 'urn:epcglobal:cbv:';

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;
const CURIE = /^([A-Za-z_][\w.-]*):(.*)$/s;

type Ctx = { prefixes: Map<string, string>; ignored: Set<string> };

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

const SURROGATE = /[\ud800-\udfff]/;

// Lexical order by code point (as UTF-8 bytes compare), not by UTF-16 unit. Without surrogates
// (characters beyond U+FFFF) the two orders are one, and the strings are compared as they are.
function sortLexically(strings: string[]): string[] {
  if (strings.length < 2) return strings;
  if (!strings.some((text) => SURROGATE.test(text))) return strings.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return strings.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function collectPrefixes(context: unknown, into: Map<string, string>): void {
  if (Array.isArray(context)) {
    for (const c of context) collectPrefixes(c, into);
  } else if (isObject(context)) {
    for (const [prefix, def] of Object.entries(context)) {
      const iri = isObject(def) ? def['@id'] : def;
      if (!prefix.startsWith('@') && typeof iri === 'string') into.set(prefix, iri);
    }
  }
}

const STANDARD_MAP: ReadonlyMap<string, string> = new Map(Object.entries(STANDARD_PREFIXES));

/**
 * The namespace prefixes a JSON-LD @context declares, over those of `base` (by default the EPCIS
 * 2.0 context's): a later definition of a prefix, or one in the context given, wins, as JSON-LD has it.
 */
export function contextPrefixes(context: unknown, base: ReadonlyMap<string, string> = STANDARD_MAP): Map<string, string> {
  const prefixes = new Map(base);
  collectPrefixes(context, prefixes);
  return prefixes;
}

/** A member name as namespace and local name: a CURIE whose prefix is declared; null for anything else (a full IRI, an undeclared prefix). */
function splitCurie(key: string, prefixes: ReadonlyMap<string, string>): [namespace: string, local: string] | null {
  const m = CURIE.exec(key);
  const ns = m && prefixes.get(m[1]);
  return ns ? [ns, m[2]] : null;
}

/** A member name as the IRI it stands for: a CURIE of a declared prefix expanded, anything else (a full IRI) as written. */
export function expandTerm(key: string, prefixes: ReadonlyMap<string, string>): string {
  const split = splitCurie(key, prefixes);
  return split ? split[0] + split[1] : key;
}

// User extension names become {namespace}localName, as in the XML binding.
function expandKey(key: string, prefixes: Map<string, string>): string {
  const split = splitCurie(key, prefixes);
  return split ? `{${split[0]}}${split[1]}` : key;
}

function isSkipped(key: string, ctx: Ctx): boolean {
  if (key.startsWith('@') || key === 'comment') return true;
  const expanded = expandKey(key, ctx.prefixes);
  return expanded === RDFS_COMMENT || key === 'rdfs:comment' || ctx.ignored.has(expanded);
}

// UTC with exactly three fractional digits; a fourth digit of 5 or more rounds up. A time without
// a zone (invalid in EPCIS) is taken as UTC so the result never depends on the host's zone.
function normaliseTime(text: string): string {
  const m = DATE_TIME.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'Z'] = m;
  const digits = fraction.padEnd(4, '0');
  const millis = Number(digits.slice(0, 3)) + (digits[3] >= '5' ? 1 : 0);
  const offset = zone.toUpperCase() === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis) - offset * 60_000;
  return new Date(utc).toISOString();
}

// Python's str(): integers in full, no trailing ".0", exponent form only below 1e-4.
function formatNumber(n: number): string {
  if (Number.isInteger(n)) return BigInt(n).toString();
  const [mantissa, exponent] = n.toExponential().split('e');
  const e = Number(exponent);
  return e >= -4 ? String(n) : `${mantissa}e-${String(-e).padStart(2, '0')}`;
}

function canonicalString(text: string, ctx: Ctx): string {
  let s = text;
  // Only standard vocabulary CURIEs are expanded; user ones stay as written, as in XML.
  const m = CURIE.exec(s);
  const ns = m && ctx.prefixes.get(m[1]);
  if (ns && (ns.startsWith(GS1_VOC) || ns.startsWith('https://ref.gs1.org/'))) s = ns + m[2];
  if (s.startsWith(CBV_URN)) for (const [urn, uri] of CBV_URNS) if (s.startsWith(urn)) s = uri + s.slice(urn.length);
  // Out-of-range literals such as 1e999 have no finite value and stay as written.
  if (NUMERIC.test(s) && Number.isFinite(Number(s))) s = formatNumber(Number(s));
  return canonicalGs1Uri(s) ?? s;
}

function scalar(v: unknown, ctx: Ctx, spec?: { vocab?: string; time?: true }): string {
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v !== 'string') return '';
  const s = v.trim();
  if (spec?.time) return normaliseTime(s);
  // A bare term (no scheme or prefix) is a standard vocabulary value.
  if (spec?.vocab && s !== '' && !s.includes(':')) return spec.vocab + s;
  return canonicalString(s, ctx);
}

// Fields outside the fixed order: name, =value when non-empty, then the children sorted.
function generic(key: string, v: unknown, ctx: Ctx): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap((item) => generic(key, item, ctx));
  const name = expandKey(key, ctx.prefixes);
  if (isObject(v)) return [name + rest(v, ctx, new Set()).join('')];
  const s = scalar(v, ctx);
  return [s ? `${name}=${s}` : name];
}

function rest(obj: Json, ctx: Ctx, ordered: ReadonlySet<string>, special: Record<string, Spec> = {}): string[] {
  const parts: string[] = [];
  for (const k of Object.keys(obj)) {
    if (ordered.has(k) || isSkipped(k, ctx)) continue;
    if (k in special) parts.push(renderField(k, special[k], obj[k], ctx));
    else for (const part of generic(k, obj[k], ctx)) parts.push(part);
  }
  return sortLexically(parts.filter((p) => p !== ''));
}

/** The names of each list of fields in the fixed order, made once (an event renders several such lists). */
const fieldNames = new WeakMap<Fields, ReadonlySet<string>>();

function namesOf(fields: Fields): ReadonlySet<string> {
  let names = fieldNames.get(fields);
  if (!names) {
    names = new Set(fields.map(([name]) => name));
    fieldNames.set(fields, names);
  }
  return names;
}

function renderObject(obj: Json, fields: Fields, ctx: Ctx, special?: Record<string, Spec>, ordered = namesOf(fields)): string {
  let text = '';
  for (const [name, spec] of fields) if (name in obj) text += renderField(name, spec, obj[name], ctx);
  return text + rest(obj, ctx, ordered, special).join('');
}

function renderOne(name: string, spec: Spec, v: unknown, ctx: Ctx): string {
  let content: string;
  switch (spec.kind) {
    case 'value': {
      const s = scalar(v, ctx, spec);
      return s && `${name}=${s}`;
    }
    case 'list':
      content = renderField(spec.item, spec.spec, v, ctx);
      break;
    case 'object':
      content = isObject(v) ? renderObject(v, spec.fields, ctx) : '';
      break;
    case 'typed':
      content = sortLexically(
        asArray(v)
          .filter(isObject)
          .map((entry) =>
            renderObject(
              entry,
              [
                ['type', vocab(spec.vocab)],
                [spec.id, value],
              ],
              ctx,
            ),
          )
          .filter((s) => s !== ''),
      ).join('');
      break;
  }
  return content && name + content;
}

// Repeated values (JSON arrays outside a wrapped list) each render under the field's name, sorted.
function renderField(name: string, spec: Spec, v: unknown, ctx: Ctx): string {
  if (spec.kind === 'list' || spec.kind === 'typed' || !Array.isArray(v)) return renderOne(name, spec, v, ctx);
  return sortLexically(v.map((item) => renderOne(name, spec, item, ctx)).filter((s) => s !== '')).join('');
}

export type EventHashOptions = {
  /** Top-level event fields to leave out (e.g. from a document's ignoreFields declaration). */
  ignoreFields?: readonly string[];
};

/**
 * Canonical pre-hash string of one EPCIS 2.0 JSON-LD event. `context` is the document's
 * `@context`, which names the namespaces of user extensions; the event's own `@context` adds to it.
 */
export function eventPreHash(event: Record<string, unknown>, context?: unknown, options: EventHashOptions = {}): string {
  return preHasher(context, options)(event);
}

/** The standard fields in their order and the fields left out: what an event's extensions are not. */
const NOT_EXTENSIONS: ReadonlySet<string> = new Set([...namesOf(EVENT_FIELDS), ...EXCLUDED]);

/**
 * eventPreHash for the events of one document: the prefixes its context declares are read once,
 * not once per event (an event's own `@context` adds to them for that event).
 */
function preHasher(context: unknown, options: EventHashOptions): (event: Record<string, unknown>) => string {
  const declared = contextPrefixes(context);
  const ctxOf = (prefixes: Map<string, string>): Ctx => ({
    prefixes,
    ignored: new Set((options.ignoreFields ?? []).map((f) => expandKey(f, prefixes))),
  });
  const shared = ctxOf(declared);
  return (event) => {
    let ctx = shared;
    if (event['@context'] !== undefined) ctx = ctxOf(contextPrefixes(event['@context'], declared));
    const type = typeof event.type === 'string' ? event.type : '';
    return `eventType=${type}${renderObject(event, EVENT_FIELDS, ctx, SORTED_WITH_EXTENSIONS, NOT_EXTENSIONS)}`;
  };
}

/** CBV 2.0 event hash ID: sha-256 of the pre-hash string, as a named-information URI. */
export function eventHashId(event: Record<string, unknown>, context?: unknown, options?: EventHashOptions): string {
  return eventHasher(context, options)(event);
}

/** eventHashId for the events of one document, which share its context and options. */
export function eventHasher(context?: unknown, options: EventHashOptions = {}): (event: Record<string, unknown>) => string {
  const preHash = preHasher(context, options);
  return (event) => `ni:///sha-256;${createHash('sha256').update(preHash(event), 'utf8').digest('hex')}?ver=CBV2.0`;
}

/**
 * Events of an EPCISDocument (epcisBody.eventList or epcisBody.event), an EPCISQueryDocument
 * (epcisBody.queryResults.resultsBody.eventList), or a bare event; [] for anything else.
 */
export function documentEvents(doc: unknown): Record<string, unknown>[] {
  if (!isObject(doc)) return [];
  const body = doc.epcisBody;
  if (!isObject(body)) return typeof doc.type === 'string' && doc.type.endsWith('Event') ? [doc] : [];
  const results = isObject(body.queryResults) ? body.queryResults.resultsBody : undefined;
  const list = isObject(results) ? results.eventList : (body.eventList ?? (body.event && [body.event]));
  return Array.isArray(list) ? list.filter(isObject) : [];
}

/**
 * Fields a document asks hashers to leave out: a `<prefix>:ignoreFields` array (as the reference
 * implementation's vectors use) on the document or on its query results.
 */
export function documentIgnoreFields(doc: unknown): string[] {
  if (!isObject(doc)) return [];
  const body = doc.epcisBody;
  const holders = [doc, isObject(body) && isObject(body.queryResults) ? body.queryResults : {}];
  return holders.flatMap((h) =>
    Object.entries(h)
      .filter(([k]) => k === 'ignoreFields' || k.endsWith(':ignoreFields'))
      .flatMap(([, v]) => (Array.isArray(v) ? v.filter((f): f is string => typeof f === 'string') : [])),
  );
}
