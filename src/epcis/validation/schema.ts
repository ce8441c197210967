// Compiles the GS1 EPCIS 2.0 JSON Schemas (draft-07) once, on first use (compiling costs about half
// a second, which every process that never validates EPCIS would otherwise pay). The files under
// ./schema/ are copied unmodified from gs1/EPCIS JSON-Schema/ (commit 2b888be); the few
// deviations we need are applied here, in memory, so they stay visible and reviewable.

import { readFileSync } from 'node:fs';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { MAX_URI_LENGTH } from '../../events/schemas.js';

const BASE = 'https://gs1.github.io/EPCIS/JSON-Schema/';
const FILES = [
  'EPCIS-Document-JSON-Schema.json',
  'EPCIS-Event-JSON-Schema.json',
  'schemas/AggregationEvent-JSON-Schema.json',
  'schemas/AssociationEvent-JSON-Schema.json',
  'schemas/ObjectEvent-JSON-Schema.json',
  'schemas/TransactionEvent-JSON-Schema.json',
  'schemas/TransformationEvent-JSON-Schema.json',
  'schemas/bizStep-JSON-Schema.json',
  'schemas/bizTransaction-type-JSON-Schema.json',
  'schemas/component-JSON-Schema.json',
  'schemas/definitions-JSON-Schema.json',
  'schemas/disposition-JSON-Schema.json',
  'schemas/error-reason-JSON-Schema.json',
  'schemas/event-definitions-JSON-Schema.json',
  'schemas/measurement-type-JSON-Schema.json',
  'schemas/sensor-alert-type-JSON-Schema.json',
  'schemas/source-dest-type-JSON-Schema.json',
];

const schemas = new Map<string, AnySchemaObject>(
  FILES.map((file) => [file, JSON.parse(readFileSync(new URL(`./schema/${file}`, import.meta.url), 'utf8'))]),
);

// Throws rather than skipping, so a schema update that moves a patched node fails at start-up.
function node(file: string, pointer: string): AnySchemaObject {
  let at: unknown = schemas.get(file);
  for (const key of pointer.split('/').slice(1)) at = (at as Record<string, unknown> | undefined)?.[key];
  if (typeof at !== 'object' || at === null) throw new Error(`EPCIS schema patch target missing: ${file}#${pointer}`);
  return at as AnySchemaObject;
}

// The CBV short names come from GS1's own enums. The value check itself moves to code
// (vocabulary.ts): the schema rejects the CBV URN forms and cannot name the offending value.
function takeVocabulary(file: string, definition: string): ReadonlySet<string> {
  const schema = node(file, `/definitions/${definition}`);
  const names = node(file, `/definitions/${definition}/anyOf/1/enum`) as unknown as string[];
  if (names.length === 0) throw new Error(`EPCIS schema ${file} lists no ${definition} values`);
  for (const key of Object.keys(schema)) delete schema[key];
  schema.type = 'string';
  return new Set(names);
}

export const BIZ_STEPS = takeVocabulary('schemas/bizStep-JSON-Schema.json', 'bizStep');
export const DISPOSITIONS = takeVocabulary('schemas/disposition-JSON-Schema.json', 'disposition');

// A custom vocabulary URI is as long as the native API takes a bizStep or disposition, wherever an
// event names a term. Beside each definition's anyOf, so a long URI is told its length, not that it
// is no CBV name.
for (const [file, definition] of [
  ['bizStep', 'bizStep'],
  ['disposition', 'disposition'],
  ['bizTransaction-type', 'bizTransaction-type'],
  ['source-dest-type', 'source-dest-type'],
  ['error-reason', 'error-reason'],
  ['measurement-type', 'measurementType'],
  ['sensor-alert-type', 'sensorAlertType'],
  ['component', 'component'],
]) {
  node(`schemas/${file}-JSON-Schema.json`, `/definitions/${definition}`).maxLength = MAX_URI_LENGTH;
}

// So is every other URI an event names (EPCs and classes, parentID, eventID, read point and business
// location ids, sources, destinations, business transactions, sensor devices, microorganisms,
// chemical substances…) and an extension event type: all are stored and sent back with the event.
node('schemas/event-definitions-JSON-Schema.json', '/definitions/uri').maxLength = MAX_URI_LENGTH;
node('schemas/event-definitions-JSON-Schema.json', '/definitions/Extended-Event/allOf/1/properties/type').maxLength = MAX_URI_LENGTH;
// certificationInfo, a URI or an array of URIs, as one schema of both types instead of an anyOf: a
// URI too long failed both branches there, and read as a value of the wrong type
const certificationInfo = node('schemas/event-definitions-JSON-Schema.json', '/definitions/certificationInfo');
delete certificationInfo.anyOf;
Object.assign(certificationInfo, {
  type: ['string', 'array'],
  format: 'uri',
  maxLength: MAX_URI_LENGTH,
  items: { $ref: '#/definitions/uri' },
});

// Tolerances for what current producers (the OpenEPCIS capture corpus) send as valid:
// persistentDisposition was allowed on every event type by earlier EPCIS 2.0 artefacts; GS1
// later limited it to Object/TransformationEvent (gs1/EPCIS#440).
for (const type of ['AggregationEvent', 'AssociationEvent', 'TransactionEvent']) {
  const fields = node(`schemas/${type}-JSON-Schema.json`, `/definitions/${type}/allOf/1`);
  fields.properties.persistentDisposition = { $ref: 'event-definitions-JSON-Schema.json#/definitions/persistentDisposition' };
  node(`schemas/${type}-JSON-Schema.json`, `/definitions/${type}/allOf/1/propertyNames/anyOf/1/enum`).push('persistentDisposition');
}
// Alert-only sensor reports (an exception without a measurement type)…
const sensorReport = node('schemas/event-definitions-JSON-Schema.json', '/definitions/sensorReport');
delete sensorReport.required;
sensorReport.anyOf = [{ required: ['type'] }, { required: ['exception'] }];
// …and measurement type names from EPCIS 2.0 drafts (ratified as AmountOfSubstancePerUnitVolume
// and DoseEquivalentRate).
node('schemas/measurement-type-JSON-Schema.json', '/definitions/measurementType/anyOf/1/enum').push(
  'Molar_concentration',
  'EffectiveDoseRate',
);

// EPC lists are uniqueItems arrays of `#/definitions/uri`. Ajv checks uniqueness with a hash only
// when it sees the items' type in place; behind a $ref it compares every pair, and a 10,000-EPC
// list took seconds. The definition is inlined (the same string with format uri and its length).
const uri = node('schemas/event-definitions-JSON-Schema.json', '/definitions/uri');
node('schemas/event-definitions-JSON-Schema.json', '/definitions/epcList').items = {
  type: uri.type,
  format: uri.format,
  maxLength: uri.maxLength,
};

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** xsd:dateTime as EPCIS uses it: 'T' separator and a mandatory offset (Z or ±hh:mm). */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = m.slice(1).map((v) => Number(v ?? 0));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 14 &&
    offsetMinute <= 59
  );
}

/** An EPCISDocument (capture), one event (POST /epcis/events) and an EPCISQueryDocument (what queries and webhooks are sent). */
type Validators = { document: ValidateFunction; event: ValidateFunction; queryDocument: ValidateFunction };
let compiled: Validators | undefined;

/** The validators, compiled the first time they are asked for. */
export function epcisValidators(): Validators {
  if (compiled) return compiled;
  // GS1's schemas trip ajv's strict-mode lints (e.g. `required` without `properties`); they are
  // upstream artefacts, so the lints are off. verbose: messages quote the offending value.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
  // Lengths in UTF-16 units, as zod counts them for the native API. ajv still honours the option
  // (maxLength reads it when a schema compiles) but warns at construction that it is deprecated.
  ajv.opts.unicode = false;
  // ajv-formats is CommonJS; under NodeNext its default import is the module object.
  addFormats.default(ajv);
  // ajv-formats' date-time also accepts a space separator and lowercase t/z.
  ajv.addFormat('date-time', isDateTime);
  for (const schema of schemas.values()) ajv.addSchema(schema);
  compiled = {
    document: ajv.compile({ $ref: `${BASE}EPCIS-Document-JSON-Schema.json#/definitions/epcisDocument` }),
    event: ajv.compile({ $ref: `${BASE}EPCIS-Event-JSON-Schema.json#/definitions/EPCIS-Document-Event` }),
    queryDocument: ajv.compile({ $ref: `${BASE}EPCIS-Document-JSON-Schema.json#/definitions/epcisQueryDocument` }),
  };
  return compiled;
}
