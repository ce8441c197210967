// What the EPCIS query routes answer, in zod: the OpenAPI document's 2xx responses come from these.
import { z } from 'zod';
import { plainIdentifier } from '../codes/service-codes.js';
import { EPCIS_TYPES } from './mapping.js';
import { EPC_FORMATS } from './render.js';

const INSTANCE_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'];
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const plainIfString = (value: unknown) => (typeof value === 'string' ? plainIdentifier(value) : value);

/**
 * A captured event with its identifiers read with full-width characters as their ASCII forms, as
 * the native API reads lot numbers and the EPCIS queries read their parameters: what it names (its
 * EPCs, parentID and classes; a Digital Link typed `…/10/ＬＯＴ１` names lot LOT1), where (readPoint
 * and bizLocation ids), who from and to (sourceList and destinationList), its business transactions,
 * its eventID and an error declaration's correctiveEventIDs. They are stored so, and found by their
 * ASCII forms. Anything malformed is left as it is, for the validation to report.
 */
export function withPlainIdentifiers(event: unknown): unknown {
  if (!isRecord(event)) return event;
  const plain: Record<string, unknown> = { ...event };
  for (const member of INSTANCE_LISTS) {
    if (Array.isArray(event[member])) plain[member] = event[member].map(plainIfString);
  }
  if ('parentID' in event) plain.parentID = plainIfString(event.parentID);
  const identified: [string, string][] = [
    ...QUANTITY_LISTS.map((list): [string, string] => [list, 'epcClass']),
    ...LISTS_OF_IDENTIFIED,
    ['readPoint', 'id'],
    ['bizLocation', 'id'],
  ];
  for (const [field, member] of identified) if (field in event) plain[field] = withPlainMember(event[field], member);
  if ('eventID' in event) plain.eventID = plainIfString(event.eventID);
  const declaration = event.errorDeclaration;
  if (isRecord(declaration) && Array.isArray(declaration.correctiveEventIDs)) {
    plain.errorDeclaration = { ...declaration, correctiveEventIDs: declaration.correctiveEventIDs.map(plainIfString) };
  }
  return plain;
}

/** Lists whose entries name something by one member: a source, a destination, a business transaction. */
const LISTS_OF_IDENTIFIED: [string, string][] = [
  ['sourceList', 'source'],
  ['destinationList', 'destination'],
  ['bizTransactionList', 'bizTransaction'],
];

/** An object's (or each object of a list's) `member` read as withPlainIdentifiers reads it; anything else as it is. */
function withPlainMember(value: unknown, member: string): unknown {
  if (Array.isArray(value)) return value.map((element) => withPlainMember(element, member));
  return isRecord(value) && member in value ? { ...value, [member]: plainIfString(value[member]) } : value;
}

/** The body of POST /epcis/events: one event, its identifiers read as withPlainIdentifiers reads them. */
export const epcisEventBody = z
  .record(z.string(), z.unknown())
  .overwrite((event) => withPlainIdentifiers(event) as Record<string, unknown>);

/** The body of POST /epcis/capture: an EPCISDocument, each event's identifiers read as withPlainIdentifiers reads them. */
export const epcisDocumentBody = z.record(z.string(), z.unknown()).overwrite((document) => {
  const body = document.epcisBody;
  if (!isRecord(body) || !Array.isArray(body.eventList)) return document;
  return { ...document, epcisBody: { ...body, eventList: body.eventList.map(withPlainIdentifiers) } };
});

/** A JSON-LD @context as EPCIS 2.0 writes it: context IRIs and objects of namespace prefixes. */
const jsonLdContextSchema = z.array(z.union([z.string(), z.record(z.string(), z.unknown())]));

export const epcisEventSchema = z
  .looseObject({
    '@context': jsonLdContextSchema
      .optional()
      .describe('the namespace prefixes its captured document declared beyond the standard context, when there were any'),
    type: z.enum(EPCIS_TYPES),
    eventTime: z.string(),
    eventTimeZoneOffset: z.string(),
    recordTime: z.string(),
    eventID: z.string(),
  })
  .meta({
    id: 'EpcisEvent',
    description:
      'One event as EPCIS 2.0 JSON-LD: a captured event as it was captured, its extension fields included; an event recorded through POST /events rendered. The fields of each type are those of the GS1 EPCIS 2.0 JSON Schema.',
  });

export const epcisStandaloneEventSchema = epcisEventSchema
  .extend({ '@context': jsonLdContextSchema.describe('the standard EPCIS context, then the prefixes its captured document declared') })
  .meta({ id: 'EpcisStandaloneEvent', description: 'An EPCIS event on its own (GET /epcis/events/{eventID}), naming its @context' });

export const epcisQueryDocumentSchema = z
  .object({
    '@context': jsonLdContextSchema,
    type: z.literal('EPCISQueryDocument'),
    schemaVersion: z.literal('2.0'),
    creationDate: z.string(),
    epcisBody: z.object({
      queryResults: z.object({
        queryName: z.string().describe("SimpleEventQuery; a named query's name for GET /epcis/queries/{queryName}/events"),
        resultsBody: z.object({ eventList: z.array(epcisEventSchema) }),
      }),
    }),
  })
  .meta({
    id: 'EpcisQueryDocument',
    description: "A page of query results: GET /epcis/events, a named query's events, the events of one EPC, bizStep, …",
  });

/** The headers of the EPCIS 2.0 query interface on every answer of the EPCIS routes (JSON Schema, as OpenAPI declares headers). */
export const versionHeaders = {
  'GS1-EPCIS-Version': { type: 'string', const: '2.0.0', description: 'the EPCIS version the answer follows' },
  'GS1-CBV-Version': { type: 'string', const: '2.0.0', description: 'the CBV version of its vocabulary' },
  'GS1-EPC-Format': {
    type: 'string',
    enum: [...EPC_FORMATS],
    description: 'the GS1-EPC-Format identifiers are written in: the one asked for, No_Preference when none was',
  },
};
/** A paged answer's headers: the Link to its next page first. */
const pagedHeaders = {
  Link: { type: 'string', description: '<…&nextPageToken=…>; rel="next": the next page, only when there is one' },
  ...versionHeaders,
};

/** EPCIS answers are JSON-LD; the routes send them as they built them, past the response serializer. */
const jsonLd = <Schema extends z.ZodType>(schema: Schema, description: string, headers: Record<string, object>) => ({
  description,
  headers,
  content: { 'application/ld+json': { schema } },
});

export const queryDocumentResponse = jsonLd(
  epcisQueryDocumentSchema,
  'An EPCISQueryDocument; a Link header (rel="next") gives the next page when there is one',
  pagedHeaders,
);
export const eventResponse = jsonLd(epcisStandaloneEventSchema, 'The event', versionHeaders);

export const epcisValueSetSchema = z.object({ '@set': z.array(z.string()) }).meta({
  id: 'EpcisValueSet',
  description:
    'The values of one field (event types, EPCs, bizSteps, …) in the events you may read, each once; /epcis/epcs lists each object once, so two objects named alike give one value twice',
});

/** A paged JSON answer of the EPCIS routes: its headers, the Link to its next page first, declared with it. */
export const pagedJsonResponse = <Schema extends z.ZodType>(schema: Schema, description: string) => ({
  description: `${description}; a Link header (rel="next") gives the next page when there is one`,
  headers: pagedHeaders,
  content: { 'application/json': { schema } },
});

/** A page of a value list (GET /epcis/epcs, /epcis/eventTypes, /epcis/bizSteps, …). */
export const valueSetResponse = (epcs: boolean) =>
  pagedJsonResponse(epcisValueSetSchema, `A page of the ${epcs ? 'EPCs and classes' : 'values'}, identifiers written per GS1-EPC-Format`);
