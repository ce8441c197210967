// EPCIS REST query parameters → a query the service runs. Shared by GET /epcis/events, named
// queries and subscriptions. Pure.
import { isStorableTime, timestampSchema } from '../codes/timestamp.js';
import { badRequest } from '../errors/problem.js';
import { EPCIS_TYPES } from './mapping.js';
import type { EventFilter } from './repository.js';

export const MATCH_ROLES: Record<string, string[]> = {
  MATCH_epc: ['subject', 'child', 'parent'],
  MATCH_anyEPC: ['subject', 'child', 'parent', 'input', 'output'],
  MATCH_epcClass: ['subject', 'child'],
  MATCH_anyEPCClass: ['subject', 'child', 'input', 'output'],
  MATCH_inputEPC: ['input'],
  MATCH_outputEPC: ['output'],
  MATCH_parentID: ['parent'],
};
const LIST_PARAMETERS = [
  'eventType',
  'EQ_bizStep',
  'EQ_disposition',
  'EQ_readPoint',
  'EQ_bizLocation',
  'EQ_eventID',
  ...Object.keys(MATCH_ROLES),
];
const TIME_PARAMETERS = ['GE_eventTime', 'LT_eventTime', 'GE_recordTime', 'LT_recordTime'];
export const QUERY_PARAMETERS = [...LIST_PARAMETERS, ...TIME_PARAMETERS];

/** A query before EPCs are resolved to lots and before access and paging are applied. */
export type EventQuery = Omit<EventFilter, 'partyCode' | 'lotMatches' | 'after' | 'limit'> & {
  matches: { values: string[]; roles: string[] }[];
};

/** Lists: repeat the parameter, or separate values with '|' as the EPCIS REST binding allows. */
export const listOf = (value: unknown): string[] | undefined => {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split('|')).filter(Boolean);
};

const problem = (name: string, detail: string) => badRequest(`${name}: ${detail}`, [{ in: 'querystring', pointer: `/${name}`, detail }]);

/** A bound on a time: one ISO 8601 date-time with its offset, as the native API takes (a time without one has no fixed instant). */
function timeOf(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.length !== 1) throw problem(name, 'must be given once');
  const parsed = timestampSchema.safeParse(values[0]);
  if (!parsed.success) throw problem(name, parsed.error.issues[0].message);
  return new Date(parsed.data);
}

export function parseEventQuery(params: Record<string, unknown>): EventQuery {
  const eventTypes = listOf(params.eventType);
  const unknownType = eventTypes?.find((type) => !(EPCIS_TYPES as string[]).includes(type));
  if (unknownType) throw problem('eventType', `unknown type ${unknownType}; one of ${EPCIS_TYPES.join(', ')}`);
  return {
    eventTypes,
    eventTimeFrom: timeOf(params.GE_eventTime, 'GE_eventTime'),
    eventTimeBefore: timeOf(params.LT_eventTime, 'LT_eventTime'),
    recordTimeFrom: timeOf(params.GE_recordTime, 'GE_recordTime'),
    recordTimeBefore: timeOf(params.LT_recordTime, 'LT_recordTime'),
    bizSteps: listOf(params.EQ_bizStep),
    dispositions: listOf(params.EQ_disposition),
    readPoints: listOf(params.EQ_readPoint),
    bizLocations: listOf(params.EQ_bizLocation),
    eventIds: listOf(params.EQ_eventID),
    matches: Object.entries(MATCH_ROLES).flatMap(([name, roles]) => {
      const values = listOf(params[name]);
      return values ? [{ values, roles }] : [];
    }),
  };
}

/** The query parameters of a named query, as lists, keeping only known ones (unknown ones are an error). */
export function storedQueryParams(params: Record<string, unknown>): Record<string, string[]> {
  const stored: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(params)) {
    if (!QUERY_PARAMETERS.includes(name))
      throw badRequest(`unknown query parameter ${name}`, [
        { in: 'body', pointer: `/query/${name}`, detail: 'not an EPCIS query parameter' },
      ]);
    stored[name] = listOf(value) ?? [];
  }
  parseEventQuery(stored);
  return stored;
}

export const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 1000;

const PAGING_PARAMETERS = ['perPage', 'nextPageToken'];

/**
 * A query and the page it asks for, from request parameters: a parameter this service does not
 * know is an error (never silently ignored, never echoed back).
 */
export function parseQueryRequest(params: Record<string, unknown>) {
  const unknown = Object.keys(params).find((name) => !QUERY_PARAMETERS.includes(name) && !PAGING_PARAMETERS.includes(name));
  if (unknown !== undefined) throw problem(unknown.slice(0, 100), 'not an EPCIS query parameter');
  return { ...parseEventQuery(params), ...parsePaging(params) };
}

/** A count written in decimal digits, once; NaN for anything else (Number() would also read 0x10, 1e1 and ' 5'). */
const decimalOf = (value: unknown) => (typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN);

/** The page a query asks for: `perPage` (1…1000, default 30) and the `nextPageToken` of the previous page, each given once. */
export function parsePaging(params: Record<string, unknown>): { limit: number; after?: { eventTime: Date; id: string } } {
  const perPage = params.perPage === undefined ? DEFAULT_PER_PAGE : decimalOf(params.perPage);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE)
    throw problem('perPage', `must be a decimal integer 1…${MAX_PER_PAGE}`);
  if (params.nextPageToken === undefined) return { limit: perPage };
  if (typeof params.nextPageToken !== 'string') throw problem('nextPageToken', 'must be given once');
  return { limit: perPage, after: decodePageToken(params.nextPageToken) };
}

export function encodePageToken(last: { eventTime: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ t: last.eventTime.toISOString(), id: last.id })).toString('base64url');
}

/** Event ids are UUIDs and URIs: printable ASCII. */
const EVENT_ID = /^[\x21-\x7e]{1,2000}$/;

export function decodePageToken(token: string): { eventTime: Date; id: string } {
  try {
    const { t, id } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { t: string; id: string };
    const eventTime = new Date(t);
    // a forged token must not carry what the database refuses: a year out of range, a NUL in the id
    if (!isStorableTime(eventTime) || typeof id !== 'string' || !EVENT_ID.test(id)) throw new Error('bad token');
    return { eventTime, id };
  } catch {
    throw problem('nextPageToken', 'not a token this service issued');
  }
}
