// EPCIS REST query parameters → a query the service runs. Shared by GET /epcis/events, named
// queries and subscriptions. Pure.
import { hasServiceCodeShape, plainIdentifier } from '../codes/service-codes.js';
import { type MicroInstant, readCursorInstant, timestampSchema } from '../codes/timestamp.js';
import { badRequest, Problem } from '../errors/problem.js';
import { MAX_URI_LENGTH } from '../events/schemas.js';
import { EPC_PATTERN_SCHEMES, epcPatternRegExp, isEpcPattern } from '../gs1/canonical.js';
import { readPageToken, writePageToken } from '../http/page-token.js';
import { queryInteger } from '../http/query.js';
import { parseIdentifier } from '../identifiers/parse.js';
import { EPCIS_TYPES } from './mapping.js';
import type { EventFilter, EventMatch, EventOrder } from './repository.js';

/**
 * What each MATCH_ parameter looks at (EPCIS 2.0 §8.2.7.1): the roles, and whether the lot was
 * named as an instance (epcList, childEPCs, parentID, input/outputEPCList) or as a class (quantity lists).
 */
export const MATCHES: Record<string, EventMatch> = {
  MATCH_epc: { roles: ['subject', 'child'], instance: true },
  MATCH_parentID: { roles: ['parent'], instance: true },
  MATCH_inputEPC: { roles: ['input'], instance: true },
  MATCH_outputEPC: { roles: ['output'], instance: true },
  MATCH_anyEPC: { roles: ['subject', 'child', 'parent', 'input', 'output'], instance: true },
  MATCH_epcClass: { roles: ['subject', 'child'], instance: false },
  MATCH_inputEPCClass: { roles: ['input'], instance: false },
  MATCH_outputEPCClass: { roles: ['output'], instance: false },
  MATCH_anyEPCClass: { roles: ['subject', 'child', 'input', 'output'], instance: false },
};
const LIST_PARAMETERS = [
  'eventType',
  'EQ_bizStep',
  'EQ_disposition',
  'EQ_readPoint',
  'EQ_bizLocation',
  'EQ_eventID',
  'EQ_errorReason',
  'EQ_correctiveEventID',
  ...Object.keys(MATCHES),
];
/** Lists of the standard's further parameters: the action, transformation, locations with their descendants, persistent dispositions. */
const MORE_LIST_PARAMETERS = [
  'EQ_action',
  'EQ_transformationID',
  'WD_readPoint',
  'WD_bizLocation',
  'EQ_persistentDisposition_set',
  'EQ_persistentDisposition_unset',
];
/** EQ_quantity and its bounds (EPCIS 2.0 keeps them only for the retired QuantityEvent): an extension, over the quantities of the event's quantity lists. */
export const QUANTITY_PARAMETERS = ['EQ_quantity', 'GT_quantity', 'GE_quantity', 'LT_quantity', 'LE_quantity'] as const;
/**
 * Parameters named by a type (`EQ_bizTransaction_po`, `EQ_source_owning_party`): the event has an
 * entry of that type in the list whose value is one of the parameter's values.
 */
export const TYPED_LISTS = { EQ_bizTransaction_: 'bizTransactions', EQ_source_: 'sources', EQ_destination_: 'destinations' } as const;
const typedListOf = (name: string) => Object.keys(TYPED_LISTS).find((prefix) => name.startsWith(prefix) && name.length > prefix.length);
const EPCIS_ACTIONS = ['ADD', 'OBSERVE', 'DELETE'];
const TIME_PARAMETERS = [
  'GE_eventTime',
  'LT_eventTime',
  'GE_recordTime',
  'LT_recordTime',
  'GE_errorDeclarationTime',
  'LT_errorDeclarationTime',
];
/** Parameters of the standard's Void type: given (with no value, or `true`) or not. */
const EXISTS_PARAMETERS = ['EXISTS_errorDeclaration'];
const ORDER_PARAMETERS = ['orderBy', 'orderDirection'];
export const QUERY_PARAMETERS = [
  ...LIST_PARAMETERS,
  ...TIME_PARAMETERS,
  ...EXISTS_PARAMETERS,
  ...ORDER_PARAMETERS,
  ...MORE_LIST_PARAMETERS,
  ...QUANTITY_PARAMETERS,
];
/** Whether this service reads the parameter: one of QUERY_PARAMETERS, or a typed list's (EQ_bizTransaction_<type>, …). */
const isQueryParameter = (name: string) => QUERY_PARAMETERS.includes(name) || typedListOf(name) !== undefined;
/**
 * Parameters the standard defines that this service does not read: its query controls
 * (eventCountLimit, maxEventCount) and the forms it gives for fields (EQ_<field>, GE_<field>,
 * EXISTS_<field>, EQ_INNER_<field>, EQ_ILMD_<field>, the sensor filters, …), extension fields among them.
 */
const STANDARD_FORM = /^(?:(?:EQ|GT|GE|LT|LE|EXISTS|HASATTR|EQATTR|WD|MATCH)_.|eventCountLimit$|maxEventCount$)/;
/** Why a parameter this service does not read is refused: a standard one it does not support, or no EPCIS parameter. */
const unread = (name: string) =>
  STANDARD_FORM.test(name) ? 'a standard EPCIS query parameter this service does not support' : 'not an EPCIS query parameter';
const ORDER_FIELDS: EventOrder['by'][] = ['eventTime', 'recordTime'];
const ORDER_DIRECTIONS: EventOrder['direction'][] = ['ASC', 'DESC'];

/** A query before EPCs are resolved to lots and before access and paging are applied. */
export type EventQuery = Omit<
  EventFilter,
  | 'partyCode'
  | 'lotMatches'
  | 'after'
  | 'limit'
  | 'readPointsWithin'
  | 'bizLocationsWithin'
  | 'bizTransactions'
  | 'sources'
  | 'destinations'
  | 'persistentDispositionsSet'
  | 'persistentDispositionsUnset'
> & {
  /** Each MATCH_ parameter given: its name, values and what it looks at. */
  matches: EventQueryMatch[];
  /** WD_readPoint: the locations named, each with what lies under it (see resolveQuery). */
  readPointsWithin?: string[];
  bizLocationsWithin?: string[];
  /** EQ_persistentDisposition_set / _unset, as given. */
  persistentDispositionsSet?: string[];
  persistentDispositionsUnset?: string[];
  /** Each EQ_bizTransaction_<type> (EQ_source_<type>, EQ_destination_<type>): its type and values, as given. */
  bizTransactions?: TypedValues[];
  sources?: TypedValues[];
  destinations?: TypedValues[];
};
export type TypedValues = { type: string; values: string[] };
/** A MATCH_ parameter's values (or those a route adds, which name no parameter) and what they look at. */
export type EventQueryMatch = { parameter?: string; values: string[] } & EventMatch;

/** Lists: repeat the parameter, or separate values with '|' as the EPCIS REST binding allows. */
export const listOf = (value: unknown): string[] | undefined => {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split('|')).filter(Boolean);
};

/**
 * A list of identifiers (EPCs, classes, locations, eventIDs), read as capture reads an event's EPCs:
 * full-width characters as their ASCII forms, before the values are told apart (`｜` separates them as `|` does).
 */
const identifiersOf = (value: unknown): string[] | undefined =>
  listOf(value === undefined ? undefined : [value].flat().map((v) => plainIdentifier(String(v))));

/** Where the parameters are: the query string, or (for a named query) an object at `pointer` in the body. */
type ParametersAt = { in: string; pointer: string };
const IN_QUERYSTRING: ParametersAt = { in: 'querystring', pointer: '' };
/** A named query's parameters, the `query` of the body that creates it. */
const IN_NAMED_QUERY: ParametersAt = { in: 'body', pointer: '/query' };

const problem = (name: string, detail: string, at = IN_QUERYSTRING) =>
  badRequest(`${name}: ${detail}`, [{ in: at.in, pointer: `${at.pointer}/${name}`, detail }]);

/** A parameter that takes one value (a named query stores it as a list of one). */
function onceOf(value: unknown, name: string, at: ParametersAt): unknown {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.length !== 1) throw problem(name, 'must be given once', at);
  return values[0];
}

/** A bound on a time: one ISO 8601 date-time with its offset, as the native API takes (a time without one has no fixed instant). */
function timeOf(value: unknown, name: string, at: ParametersAt): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = timestampSchema.safeParse(onceOf(value, name, at));
  if (!parsed.success) throw problem(name, parsed.error.issues[0].message, at);
  return new Date(parsed.data);
}

/**
 * A parameter of the standard's Void type: present or not. The query string gives it with no value
 * (`EXISTS_errorDeclaration` or `EXISTS_errorDeclaration=`) or as `true`; anything else (`false`
 * among them, which would read as its opposite) is an error rather than ignored.
 */
function existsOf(value: unknown, name: string, at: ParametersAt): true | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  // a named query stores a parameter given with no value as an empty list
  if (values.length > 1) throw problem(name, 'must be given once', at);
  if (values.length === 1 && values[0] !== '' && values[0] !== 'true') throw problem(name, 'takes no value (or true)', at);
  return true;
}

/**
 * orderBy eventTime or recordTime; orderDirection ASC or DESC, DESC when omitted as the standard
 * says. Without orderBy the standard leaves the order to the service: eventTime, ascending unless
 * orderDirection says otherwise.
 */
function orderOf(params: Record<string, unknown>, at: ParametersAt): EventOrder {
  const by = onceOf(params.orderBy, 'orderBy', at);
  const direction = onceOf(params.orderDirection, 'orderDirection', at);
  if (by !== undefined && !(ORDER_FIELDS as unknown[]).includes(by)) throw problem('orderBy', `one of ${ORDER_FIELDS.join(', ')}`, at);
  if (direction !== undefined && !(ORDER_DIRECTIONS as unknown[]).includes(direction))
    throw problem('orderDirection', `one of ${ORDER_DIRECTIONS.join(', ')}`, at);
  return {
    by: (by as EventOrder['by'] | undefined) ?? 'eventTime',
    direction: (direction as EventOrder['direction'] | undefined) ?? (by === undefined ? 'ASC' : 'DESC'),
  };
}

/** A quantity bound: one number, as EPCIS writes a quantity (a decimal, with an exponent or not). */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** The longest quantity bound read: a quantity's digits and more, never a page of them. */
const NUMBER_MAX_LENGTH = 64;
/** What PostgreSQL numeric holds: at most 131072 digits before the decimal point and 16383 after. */
const NUMERIC_MAX_WHOLE_DIGITS = 131072;
const NUMERIC_MAX_SCALE = 16383;
/** The largest exponent PostgreSQL reads in a numeric, a zero's included (it refuses a larger one before the digits). */
const NUMERIC_MAX_EXPONENT = 1073741822;

/** Whether a number (NUMBER) is one PostgreSQL numeric reads: its digits, as written, within numeric's range. */
function fitsNumeric(value: string): boolean {
  const [, whole = '', fraction = '', exponent = '0'] = /^[+-]?(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(value) ?? [];
  const shift = Number(exponent);
  if (Math.abs(shift) > NUMERIC_MAX_EXPONENT) return false;
  // the digits after the point, as numeric keeps them (a zero's too)
  if (fraction.length - shift > NUMERIC_MAX_SCALE) return false;
  const digits = whole + fraction;
  const first = digits.search(/[1-9]/);
  return first === -1 || whole.length + shift - first <= NUMERIC_MAX_WHOLE_DIGITS;
}

function quantitiesOf(params: Record<string, unknown>, at: ParametersAt): EventFilter['quantities'] {
  const bounds = QUANTITY_PARAMETERS.flatMap((name) => {
    const value = onceOf(params[name], name, at);
    if (value === undefined) return [];
    if (typeof value !== 'string' || !NUMBER.test(value)) throw problem(name, 'must be a number', at);
    if (value.length > NUMBER_MAX_LENGTH) throw problem(name, `must be a number of at most ${NUMBER_MAX_LENGTH} characters`, at);
    if (!fitsNumeric(value)) throw problem(name, 'must be a number within 131072 digits before the decimal point and 16383 after', at);
    // as written: the database compares it as a decimal, every digit kept
    return [{ op: name.slice(0, 2) as 'EQ' | 'GT' | 'GE' | 'LT' | 'LE', value }];
  });
  return bounds.length > 0 ? bounds : undefined;
}

/** Any service base: a MATCH_ value is read here for its form only, its service's own URIs as any other URI. */
const ANY_SERVICE_BASE = '';

/**
 * Why a MATCH_ value names nothing an event can name (EPCIS 2.0 answers an invalid parameter value
 * with a QueryParameterException), or null: an EPC pattern must be one this service reads, and any
 * other value an identifier as capture reads an event's EPCs (an EPC URN, a GS1 Digital Link on any
 * host, any other URI, a code of this service), well-formed.
 */
function matchValueProblem(value: string): string | null {
  if (value.length > MAX_URI_LENGTH) return `a value of at most ${MAX_URI_LENGTH} characters, as capture takes EPCs`;
  if (isEpcPattern(value)) {
    if (epcPatternRegExp(value)) return null;
    return `${value} is no EPC pattern this service reads: one of ${EPC_PATTERN_SCHEMES.join(', ')} (urn:epc:idpat:<scheme>:…), its fields as the scheme's EPC URN writes them up to a point and * in every field from the first on (urn:epc:idpat:sgtin:0614141.812345.*)`;
  }
  try {
    parseIdentifier(value, ANY_SERVICE_BASE);
    return null;
  } catch (error) {
    if (error instanceof Problem) return error.message;
    throw error;
  }
}

/**
 * The most values one MATCH_ parameter may hold, each once: an EPC, a class or a pattern each becomes a
 * range of an index to read (see lotsMatching); a query naming more objects names a pattern of them.
 */
export const MAX_MATCH_VALUES = 100;

/**
 * The MATCH_ parameters given, each value an EPC, a class or an EPC pattern (see matchValueProblem),
 * each once (as first given), at most MAX_MATCH_VALUES of them.
 */
function matchesOf(params: Record<string, unknown>, at: ParametersAt): EventQueryMatch[] {
  return Object.entries(MATCHES).flatMap(([name, match]) => {
    const given = identifiersOf(params[name]);
    if (!given) return [];
    const values = [...new Set(given)];
    if (values.length > MAX_MATCH_VALUES)
      throw problem(name, `at most ${MAX_MATCH_VALUES} different values (${values.length} given); a pattern names many EPCs in one`, at);
    for (const value of values) {
      const why = matchValueProblem(value);
      if (why !== null) throw problem(name, why, at);
    }
    return [{ parameter: name, values, ...match }];
  });
}

/** Each parameter of a typed list (EQ_bizTransaction_<type>, …) given, by its type. */
function typedOf(params: Record<string, unknown>, prefix: keyof typeof TYPED_LISTS): TypedValues[] | undefined {
  const typed = Object.keys(params)
    .filter((name) => name.startsWith(prefix) && name.length > prefix.length && params[name] !== undefined)
    .sort()
    .map((name) => ({ type: name.slice(prefix.length), values: identifiersOf(params[name]) ?? [] }));
  return typed.length > 0 ? typed : undefined;
}

/** The query the parameters ask for; a problem names the parameter where they are (`at`). */
export function parseEventQuery(params: Record<string, unknown>, at = IN_QUERYSTRING): EventQuery {
  const eventTypes = listOf(params.eventType);
  const unknownType = eventTypes?.find((type) => !(EPCIS_TYPES as string[]).includes(type));
  if (unknownType) throw problem('eventType', `unknown type ${unknownType}; one of ${EPCIS_TYPES.join(', ')}`, at);
  const actions = listOf(params.EQ_action);
  const unknownAction = actions?.find((action) => !EPCIS_ACTIONS.includes(action));
  if (unknownAction !== undefined)
    throw problem('EQ_action', `unknown action ${unknownAction.slice(0, 100)}; one of ${EPCIS_ACTIONS.join(', ')}`, at);
  return {
    actions,
    transformationIds: identifiersOf(params.EQ_transformationID),
    readPointsWithin: identifiersOf(params.WD_readPoint),
    bizLocationsWithin: identifiersOf(params.WD_bizLocation),
    bizTransactions: typedOf(params, 'EQ_bizTransaction_'),
    sources: typedOf(params, 'EQ_source_'),
    destinations: typedOf(params, 'EQ_destination_'),
    quantities: quantitiesOf(params, at),
    persistentDispositionsSet: listOf(params.EQ_persistentDisposition_set),
    persistentDispositionsUnset: listOf(params.EQ_persistentDisposition_unset),
    eventTypes,
    eventTimeFrom: timeOf(params.GE_eventTime, 'GE_eventTime', at),
    eventTimeBefore: timeOf(params.LT_eventTime, 'LT_eventTime', at),
    recordTimeFrom: timeOf(params.GE_recordTime, 'GE_recordTime', at),
    recordTimeBefore: timeOf(params.LT_recordTime, 'LT_recordTime', at),
    bizSteps: listOf(params.EQ_bizStep),
    dispositions: listOf(params.EQ_disposition),
    readPoints: identifiersOf(params.EQ_readPoint),
    bizLocations: identifiersOf(params.EQ_bizLocation),
    eventIds: identifiersOf(params.EQ_eventID),
    errorDeclarationTimeFrom: timeOf(params.GE_errorDeclarationTime, 'GE_errorDeclarationTime', at),
    errorDeclarationTimeBefore: timeOf(params.LT_errorDeclarationTime, 'LT_errorDeclarationTime', at),
    errorReasons: listOf(params.EQ_errorReason),
    correctiveEventIds: identifiersOf(params.EQ_correctiveEventID),
    errorDeclared: existsOf(params.EXISTS_errorDeclaration, 'EXISTS_errorDeclaration', at),
    order: orderOf(params, at),
    matches: matchesOf(params, at),
  };
}

/**
 * The most a named query's parameters may take, as stored (JSON characters): eight times the longest
 * URL a query string comes in (MAX_URL_LENGTH, 8,192 characters), and no list of them answers with
 * megabytes.
 */
export const MAX_STORED_QUERY_LENGTH = 64 * 1024;

/**
 * The query parameters of a named query, as lists, keeping only known ones (unknown ones are an
 * error); a MATCH_ parameter's values each once, as the query reads them.
 */
export function storedQueryParams(params: Record<string, unknown>): Record<string, string[]> {
  const stored: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(params)) {
    if (!isQueryParameter(name))
      throw badRequest(`${STANDARD_FORM.test(name) ? 'unsupported' : 'unknown'} query parameter ${name.slice(0, 100)}`, [
        { in: 'body', pointer: `/query/${name.slice(0, 100)}`, detail: unread(name) },
      ]);
    const values = listOf(value) ?? [];
    stored[name] = Object.hasOwn(MATCHES, name) ? [...new Set(values)] : values;
  }
  parseEventQuery(stored, IN_NAMED_QUERY);
  const length = JSON.stringify(stored).length;
  if (length > MAX_STORED_QUERY_LENGTH) {
    const detail = `at most ${MAX_STORED_QUERY_LENGTH} characters of parameters as stored (JSON), not ${length}`;
    throw badRequest(`query: ${detail}`, [{ in: 'body', pointer: '/query', detail }]);
  }
  return stored;
}

export const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 1000;
/** `perPage`, as every route reads a paging number: the routes declare it, and a query read from elsewhere is held to it here. */
export const perPageQuery = queryInteger(1, MAX_PER_PAGE).prefault(DEFAULT_PER_PAGE);

const PAGING_PARAMETERS = ['perPage', 'nextPageToken'];

/**
 * A query and the page it asks for, from request parameters: a parameter this service does not
 * know is an error (never silently ignored, never echoed back).
 */
export function parseQueryRequest(params: Record<string, unknown>) {
  const unknown = Object.keys(params).find((name) => !isQueryParameter(name) && !PAGING_PARAMETERS.includes(name));
  if (unknown !== undefined) throw problem(unknown.slice(0, 100), unread(unknown));
  const query = parseEventQuery(params);
  return { ...query, ...parsePaging(params, query.order) };
}

/**
 * The page a query asks for: `perPage` (1…1000, default 30) and the `nextPageToken` of the previous
 * page of the same order, each given once.
 */
export function parsePaging(params: Record<string, unknown>, order: EventOrder): { limit: number; after?: PageCursor } {
  const limit = perPageOf(params);
  const token = pageTokenOf(params);
  return token === undefined ? { limit } : { limit, after: decodePageToken(token, order) };
}

/** The page GET /epcis/epcs asks for: `perPage` (EPCs listed) and `nextPageToken` as events take them. */
export function parseLotPaging(params: Record<string, unknown>): { limit: number; after?: LotCursor } {
  const limit = perPageOf(params);
  const token = pageTokenOf(params);
  return token === undefined ? { limit } : { limit, after: decodeLotPageToken(token) };
}

function perPageOf(params: Record<string, unknown>): number {
  const perPage = perPageQuery.safeParse(params.perPage);
  if (!perPage.success) throw problem('perPage', perPage.error.issues[0].message);
  return perPage.data;
}

function pageTokenOf(params: Record<string, unknown>): string | undefined {
  if (params.nextPageToken === undefined) return undefined;
  if (typeof params.nextPageToken !== 'string') throw problem('nextPageToken', 'must be given once');
  return params.nextPageToken;
}

/**
 * Where a page ended: the ordering time of its last event, to the microsecond as stored (events
 * written by SQL or imported carry sub-millisecond times: a millisecond would page them again), and its id.
 */
export type PageCursor = { time: MicroInstant; id: string };

/** The token carries its order: a page of one order does not continue a listing in another. */
export function encodePageToken(order: EventOrder, last: PageCursor): string {
  return writePageToken({ by: order.by, dir: order.direction, t: last.time, id: last.id });
}

/** Event ids and EPCs are URIs as capture takes them (and UUIDs): printable ASCII, at most MAX_URI_LENGTH characters. */
const URI = new RegExp(`^[\\x21-\\x7e]{1,${MAX_URI_LENGTH}}$`);

export function decodePageToken(token: string, order: EventOrder): PageCursor {
  const { by, dir, t, id } = tokenFields(token);
  // a forged token must not carry what the database refuses (a year out of range, a NUL in the id):
  // only the forms encodePageToken writes and wrote (tokens issued before it wrote microseconds)
  const time = readCursorInstant(t);
  if (time === undefined || typeof id !== 'string' || !URI.test(id)) throw notIssued();
  // tokens issued before listings had an order continue the one listing there was: eventTime ascending
  checkOrder({ by: by ?? 'eventTime', dir: dir ?? 'ASC' }, order.by, order.direction);
  return { time, id };
}

/**
 * GET /epcis/epcs lists lots and containers in the order of their codes, each lot's EPCs in order,
 * and a page ends at an EPC of its last lot: the lot and, when more EPCs of it come next, that EPC
 * (as stored, whatever GS1-EPC-Format wrote it as).
 */
export type LotCursor = { lotCode: string; epc?: string };

const LOT_ORDER = { by: 'lotCode', direction: 'ASC' } as const;

export const encodeLotPageToken = (last: LotCursor): string =>
  writePageToken({ by: LOT_ORDER.by, dir: LOT_ORDER.direction, id: last.lotCode, ...(last.epc === undefined ? {} : { epc: last.epc }) });

export function decodeLotPageToken(token: string): LotCursor {
  const { by, dir, id, epc } = tokenFields(token);
  // only a code as this service issues them reaches the database's comparison, and an EPC only in
  // the form capture stores EPCs in
  if (typeof id !== 'string' || !hasServiceCodeShape(id, ['lot', 'container'])) throw notIssued();
  if (epc !== undefined && (typeof epc !== 'string' || !URI.test(epc))) throw notIssued();
  checkOrder({ by, dir }, LOT_ORDER.by, LOT_ORDER.direction);
  return epc === undefined ? { lotCode: id } : { lotCode: id, epc };
}

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The page GET /epcis/capture asks for: `perPage` and the `nextPageToken` naming the last job of the previous page. */
export function parseJobPaging(params: Record<string, unknown>): { limit: number; after?: string } {
  const limit = perPageOf(params);
  const token = pageTokenOf(params);
  if (token === undefined) return { limit };
  const { by, dir, id } = tokenFields(token);
  if (typeof id !== 'string' || !JOB_ID.test(id)) throw notIssued();
  checkOrder({ by, dir }, 'createdAt', 'DESC');
  return { limit, after: id };
}

export const encodeJobPageToken = (lastJobId: string): string => writePageToken({ by: 'createdAt', dir: 'DESC', id: lastJobId });

/** A named query's name, as POST /epcis/queries takes it. */
export const QUERY_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** The page GET /epcis/queries asks for: `perPage` and the `nextPageToken` naming the last query of the previous page. */
export function parseQueryPaging(params: Record<string, unknown>): { limit: number; after?: string } {
  const limit = perPageOf(params);
  const token = pageTokenOf(params);
  if (token === undefined) return { limit };
  const { by, dir, id } = tokenFields(token);
  if (typeof id !== 'string' || !QUERY_NAME.test(id)) throw notIssued();
  checkOrder({ by, dir }, 'name', 'ASC');
  return { limit, after: id };
}

export const encodeQueryPageToken = (lastName: string): string => writePageToken({ by: 'name', dir: 'ASC', id: lastName });

/** The value lists (GET /epcis/bizSteps, /epcis/readPoints, …): a page ends at the last value it read, as stored. */
export type ValueList = 'eventType' | 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation';

/** The page a value list asks for: `perPage` (1…1000, default 30) and the `nextPageToken` of its previous page. */
export function parseValuePaging(params: Record<string, unknown>, list: ValueList): { limit: number; after?: string } {
  const limit = perPageOf(params);
  const token = pageTokenOf(params);
  return token === undefined ? { limit } : { limit, after: decodeValuePageToken(token, list) };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what it looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const encodeValuePageToken = (list: ValueList, last: string): string => writePageToken({ by: list, dir: 'ASC', id: last });

function decodeValuePageToken(token: string, list: ValueList): string {
  const { by, dir, id } = tokenFields(token);
  // only text the database holds reaches its comparison: no NUL, no lone surrogate, no longer than a stored value
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_URI_LENGTH || UNSTORABLE.test(id)) throw notIssued();
  checkOrder({ by, dir }, list, 'ASC');
  return id;
}

const notIssued = () => problem('nextPageToken', 'not a token this service issued');

function tokenFields(token: string): Record<string, unknown> {
  const fields = readPageToken(token);
  if (fields === undefined) throw notIssued();
  return fields;
}

function checkOrder(token: { by: unknown; dir: unknown }, by: string, direction: string) {
  if (token.by !== by || token.dir !== direction)
    throw problem('nextPageToken', `continues a listing ordered by ${token.by} ${token.dir}, not ${by} ${direction}`);
}
