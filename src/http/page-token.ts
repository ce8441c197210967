// Page tokens: where a listing ended, as opaque base64url JSON the client passes back unread.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { type MicroInstant, readCursorInstant } from '../codes/timestamp.js';

export const writePageToken = (fields: Record<string, string | Record<string, string>>): string =>
  Buffer.from(JSON.stringify(fields)).toString('base64url');

/** The fields a token carries; undefined for what is no token at all (the caller says so, at its parameter). */
export function readPageToken(token: string): Record<string, unknown> | undefined {
  try {
    const fields: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof fields === 'object' && fields !== null) return fields as Record<string, unknown>;
  } catch {
    // not JSON: no token either
  }
  return undefined;
}

/**
 * Where a page of a native list (GET /lots, /events, /shipments) ended: its last row's sort time, to the
 * microsecond as stored, and its unique key. Those lists run newest first by (time, key), both descending,
 * so the next page starts strictly below this pair: a row added meanwhile is listed once or, newer than
 * the walk, not at all, and none is skipped or listed twice.
 */
export type ListPosition = { time: MicroInstant; id: string };

/** A list's filters as validated: a value each, or undefined when not given. */
export type ListFilters = Record<string, string | undefined>;

const givenFilters = (filters: ListFilters): Record<string, string> =>
  Object.fromEntries(Object.entries(filters).filter((entry): entry is [string, string] => entry[1] !== undefined));

/** A native list's token carries its order and the filters it was asked with: it continues that listing only. */
export const encodeListPageToken = (by: string, filters: ListFilters, last: ListPosition): string =>
  writePageToken({ by, dir: 'DESC', t: last.time, id: last.id, filters: givenFilters(filters) });

export type ListPageToken = { after: ListPosition; filters: Record<string, string> };

/** A token longer than this is none this service issued (its filters are codes, enums and times). */
const MAX_LIST_TOKEN_LENGTH = 4096;

/**
 * The `pageToken` of a list ordered by `by`, of keys `isKey` takes: only the forms this service writes
 * reach the database (a storable time, a key as stored), and another listing's token is none of this one.
 */
export const listPageTokenSchema = (by: string, isKey: (id: string) => boolean) =>
  z
    .string()
    .max(MAX_LIST_TOKEN_LENGTH, { error: 'not a token this service issued (pass back a `next` as it came)' })
    .transform((token, context): ListPageToken => {
      const read = readListPageToken(token, by, isKey);
      if (read === undefined)
        context.addIssue({ code: 'custom', message: 'not a token this service issued (pass back a `next` as it came)' });
      return read ?? z.NEVER;
    });

function readListPageToken(token: string, by: string, isKey: (id: string) => boolean): ListPageToken | undefined {
  const fields = readPageToken(token);
  if (fields === undefined || fields.by !== by || fields.dir !== 'DESC') return undefined;
  const time = readCursorInstant(fields.t);
  const { id, filters } = fields;
  if (time === undefined || typeof id !== 'string' || !isKey(id)) return undefined;
  if (typeof filters !== 'object' || filters === null || Array.isArray(filters)) return undefined;
  if (!Object.values(filters).every((value) => typeof value === 'string')) return undefined;
  return { after: { time, id }, filters: filters as Record<string, string> };
}

/**
 * A list query's paging rules, for its schema's superRefine: a token continues only a listing of the same
 * filters (400 at `pageToken`), and it says where the page starts, so no offset but 0 goes with it (400 at `offset`).
 */
export function checkListPaging(
  query: { pageToken?: ListPageToken; offset: number },
  filters: ListFilters,
  context: z.RefinementCtx,
): void {
  if (query.pageToken === undefined) return;
  if (query.offset !== 0)
    context.addIssue({
      code: 'custom',
      path: ['offset'],
      message: 'a page token says where the page starts; an offset goes only without one',
    });
  // a token refused unread (too long) reaches the object's refinement as it came: nothing to compare
  if (typeof query.pageToken !== 'object') return;
  const given = givenFilters(filters);
  const carried = query.pageToken.filters;
  const names = new Set([...Object.keys(given), ...Object.keys(carried)]);
  const differing = [...names].filter((name) => given[name] !== carried[name]);
  if (differing.length > 0)
    context.addIssue({
      code: 'custom',
      path: ['pageToken'],
      message: `continues a listing of other filters (${differing.slice(0, 5).join(', ')}): follow the Link header, or start again without a token`,
    });
}

/**
 * An RFC 8288 link to the next page: the list's path with its validated filters, `limit` and the token,
 * every value encoded (nothing of the request is echoed as sent). No link on the last page.
 */
export function linkNextPage(
  reply: FastifyReply,
  path: string,
  query: Record<string, string | number | undefined>,
  next: string | undefined,
): void {
  if (next === undefined) return;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  params.set('pageToken', next);
  reply.header('link', `<${path}?${params}>; rel="next"`);
}

/** A page of a native list: `next` (the token of the page after) only when a further row exists. */
export function listPage<Row extends { sortInstant: MicroInstant }, Item>(
  rows: Row[],
  limit: number,
  key: (row: Row) => string,
  tokenFor: (last: ListPosition) => string,
  item: (row: Row) => Item,
): { items: Item[]; next?: string } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const items = page.map(item);
  // the repository reads one row past the page: a next page only when it found one
  if (rows.length <= limit || last === undefined) return { items };
  return { items, next: tokenFor({ time: last.sortInstant, id: key(last) }) };
}

/** The `next` of a native list's page, in its OpenAPI description. */
export const LIST_NEXT = z
  .string()
  .optional()
  .describe('the token of the next page, to pass back as `pageToken` (the Link header names the URL); absent on the last page');

/** How a native list pages, in its OpenAPI description. */
export const LIST_PAGING =
  'Newest first. A page ends with `next` and a `Link: <…>; rel="next"` header when a further item exists (neither on the last page): follow the link, or pass `next` back as `pageToken` with the same filters, and a walk lists every item once, whatever is added meanwhile. `limit` at `offset` still pages as before; `offset` goes only without `pageToken`.';
