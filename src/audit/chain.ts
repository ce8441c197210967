// The audit log's pure part: the canonical form of what an entry records (RFC 8785 JSON
// canonicalisation), its SHA-256 hashes, and how entries link into a chain. No I/O: the writer
// hashes events from memory with it, and verification hashes the same facts read back from the
// stored rows, so both sides must build the very same facts.
import { createHash } from 'node:crypto';

/** The chain of admin acts made without a party (admin keys). */
export const SYSTEM_CHAIN = 'system';
/** The `previous hash` of a chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export const AUDIT_KINDS = [
  'event',
  'party.create',
  'api-key.issue',
  'api-key.revoke',
  'registration.approve',
  'registration.reject',
  'brand.create',
  'brand.product',
  'brand.authorization',
  'complaint.transition',
  'credit.recompute',
  'events.restate',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * RFC 8785 canonical JSON: sorted keys, shortest number forms, no insignificant white space. The
 * same text as the `canonicalize` package gives (a test compares them), built in one pass: the
 * writer hashes every event it stores this way, and the package's per-string checks and
 * intermediate arrays took nearly a tenth of a large capture's CPU time.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(sortedCopy(value, new Set()));
  } catch (error) {
    // nested deeper than the copy's recursion and JSON.stringify's together reach: canonical() goes deeper
    if (error !== UNUSUAL && !(error instanceof RangeError)) throw error;
  }
  // a lone surrogate is refused, and JSON.stringify writes one as \udxxx: text that has "\ud"
  // anywhere, and anything JSON.stringify would write otherwise, takes the member-by-member way
  return text !== undefined && !text.includes('\\ud') ? text : (canonical(value, new Set()) as string);
}

/** Thrown out of sortedCopy at a value JSON.stringify would not write as canonical() does. */
const UNUSUAL = Symbol('unusual');

/**
 * The value with every object's members in canonical order, for JSON.stringify to write in one
 * native pass (three times faster than canonical() on an event's payload, which most of a large
 * capture's audit hashing is). An object's own property order is its members' insertion order,
 * except that array-index names come first: a name beginning with a digit, and one that would set
 * the copy's prototype, are left to canonical(), as are functions, bigints and a `toJSON` giving nothing.
 */
function sortedCopy(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new Error('NaN is not allowed');
    if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
    return value;
  }
  if (typeof value === 'function' || typeof value === 'bigint') throw UNUSUAL;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) throw new Error('Circular reference detected');
  seen.add(value);
  let copy: unknown;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const json = toJSON.call(value);
    // canonical() writes a member that turns into nothing as `undefined`, an element as nothing
    if (json === undefined || typeof json === 'symbol') throw UNUSUAL;
    copy = sortedCopy(json, seen);
  } else if (Array.isArray(value)) {
    const items: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) items[i] = sortedCopy(value[i], seen);
    copy = items;
  } else {
    const record = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      const first = key.charCodeAt(0);
      if ((first >= 48 && first <= 57) || key === '__proto__') throw UNUSUAL;
      const member = record[key];
      if (member === undefined || typeof member === 'symbol') continue;
      sorted[key] = sortedCopy(member, seen);
    }
    copy = sorted;
  }
  seen.delete(value);
  return copy;
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) return true;
  }
  return false;
}

function canonicalString(text: string): string {
  const json = JSON.stringify(text);
  // JSON.stringify writes a lone surrogate as \udxxx, so text whose JSON has no "\ud" has none;
  // looking there spares a second pass over every string the chain hashes
  if (json.includes('\\ud') && hasLoneSurrogate(text)) throw new Error('Lone surrogate is not allowed');
  return json;
}

/** Member names' canonical texts: every event repeats the same few dozen, so each is escaped once. */
const canonicalKeys = new Map<string, string>();
/** Bounds the cache: names are the caller's too (extension members), and past this many are not kept. */
const CANONICAL_KEYS_KEPT = 4096;

function canonicalKey(key: string): string {
  let text = canonicalKeys.get(key);
  if (text === undefined) {
    text = canonicalString(key);
    if (canonicalKeys.size < CANONICAL_KEYS_KEPT) canonicalKeys.set(key, text);
  }
  return text;
}

function canonical(value: unknown, seen: Set<object>): string | undefined {
  if (typeof value === 'string') return canonicalString(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new Error('NaN is not allowed');
    if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
    return JSON.stringify(value);
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (seen.has(value)) throw new Error('Circular reference detected');
  seen.add(value);
  let result: string | undefined;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    result = canonical(toJSON.call(value), seen);
  } else if (Array.isArray(value)) {
    result = '[';
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      // as Array#join writes it: an element that has no JSON form is left empty
      const text = canonical(item === undefined || typeof item === 'symbol' ? null : item, seen);
      result += i === 0 ? (text ?? '') : `,${text ?? ''}`;
    }
    result += ']';
  } else {
    const record = value as Record<string, unknown>;
    result = '{';
    let first = true;
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member === undefined || typeof member === 'symbol') continue;
      result += `${first ? '' : ','}${canonicalKey(key)}:${canonical(member, seen)}`;
      first = false;
    }
    result += '}';
  }
  seen.delete(value);
  return result;
}

export const hashOf = (value: unknown) => sha256(canonicalJson(value));

/**
 * A quantity as a numeric(18, 3) column stores it: the decimal JavaScript prints for the number
 * (what the writer sends), rounded half away from zero to three places, always with three.
 * "12.500" read back and 12.5 in memory both give "12.500".
 */
export function decimal3(value: number | string): string {
  // a whole number (most quantities) needs no rounding: its digits, then three zeros
  if (Number.isSafeInteger(value)) return (value as number).toFixed(3);
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (/e/i.test(text)) {
    // printed with an exponent: far below a thousandth (or far beyond any quantity)
    const number = Number(text);
    return Math.abs(number) < 0.0005 ? '0.000' : number.toFixed(3);
  }
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace(/^[-+]/, '').split('.');
  const scaled = BigInt(`${whole || '0'}${fraction.padEnd(3, '0').slice(0, 3)}`) + (Number(fraction[3] ?? '0') >= 5 ? 1n : 0n);
  const digits = scaled.toString().padStart(4, '0');
  const sign = negative && scaled !== 0n ? '-' : '';
  return `${sign}${digits.slice(0, -3)}.${digits.slice(-3)}`;
}

/** An event as stored: its row, its lines in the quantity ledger and the lots it names in their roles. */
export type EventFacts = {
  id: string;
  type: string;
  /** ISO 8601 in UTC with milliseconds, as Date#toISOString writes it. */
  eventTime: string;
  eventTimeZoneOffset: string;
  recordTime: string;
  partyCode: string;
  bizStep: string;
  disposition: string | null;
  readPoint: string | null;
  bizLocation: string | null;
  referenceDocuments: unknown;
  payload: unknown;
  correctsEventId: string | null;
  epcisType: string | null;
  transformationId: string | null;
  movements: { lotCode: string; partyCode: string; kind: string; quantity: number | string; containerCode: string | null }[];
  lots: { lotCode: string; role: string; quantity: number | string | null }[];
};

/** Lines in a fixed order (their canonical texts' order): the order rows were inserted in is not kept by the database. */
const sorted = <T>(rows: T[]) =>
  rows
    .map((row) => ({ row, text: canonicalJson(row) }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .map(({ row }) => row);

/** The hash of what an `event` entry records: exactly these members, whatever else the caller's object carries. */
export function eventPayloadHash(facts: EventFacts): string {
  return hashOf({
    id: facts.id,
    type: facts.type,
    eventTime: facts.eventTime,
    eventTimeZoneOffset: facts.eventTimeZoneOffset,
    recordTime: facts.recordTime,
    partyCode: facts.partyCode,
    bizStep: facts.bizStep,
    disposition: facts.disposition,
    readPoint: facts.readPoint,
    bizLocation: facts.bizLocation,
    // jsonb keeps what JSON keeps, and so does the canonical form: undefined members are left out
    referenceDocuments: facts.referenceDocuments,
    payload: facts.payload,
    correctsEventId: facts.correctsEventId,
    epcisType: facts.epcisType,
    transformationId: facts.transformationId,
    movements: sorted(
      facts.movements.map((line) => ({
        lotCode: line.lotCode,
        partyCode: line.partyCode,
        kind: line.kind,
        quantity: decimal3(line.quantity),
        containerCode: line.containerCode,
      })),
    ),
    lots: sorted(
      facts.lots.map((link) => ({
        lotCode: link.lotCode,
        role: link.role,
        quantity: link.quantity === null ? null : decimal3(link.quantity),
      })),
    ),
  });
}

/** What an entry says, before it is linked into its chain. */
export type AuditFact = {
  chain: string;
  kind: AuditKind;
  subjectId: string;
  keyId: string | null;
  payloadHash: string;
  recordedAt: Date;
};

export type AuditEntry = AuditFact & { sequence: number; previousHash: string; entryHash: string };

export type ChainHead = { chain: string; sequence: number; entryHash: string };

/** An entry's own hash: over everything it stores but that hash, so any altered column shows. */
export function entryHashOf(entry: Omit<AuditEntry, 'entryHash'>): string {
  return hashOf({
    chain: entry.chain,
    sequence: entry.sequence,
    kind: entry.kind,
    subjectId: entry.subjectId,
    keyId: entry.keyId,
    payloadHash: entry.payloadHash,
    previousHash: entry.previousHash,
    recordedAt: entry.recordedAt.toISOString(),
  });
}

/**
 * Links facts, in order, onto the heads of their chains; returns the entries and the new heads.
 * A chain without a head starts at sequence 1 after the genesis hash.
 */
export function appendToChains(heads: ChainHead[], facts: AuditFact[]): { entries: AuditEntry[]; heads: ChainHead[] } {
  const current = new Map(heads.map((head) => [head.chain, head]));
  const entries = facts.map((fact) => {
    const head = current.get(fact.chain) ?? { chain: fact.chain, sequence: 0, entryHash: GENESIS_HASH };
    const linked = { ...fact, sequence: head.sequence + 1, previousHash: head.entryHash };
    const entry = { ...linked, entryHash: entryHashOf(linked) };
    current.set(fact.chain, { chain: fact.chain, sequence: entry.sequence, entryHash: entry.entryHash });
    return entry;
  });
  const moved = new Set(facts.map((fact) => fact.chain));
  return { entries, heads: [...current.values()].filter((head) => moved.has(head.chain)) };
}

export type BrokenLink = {
  sequence: number;
  kind: string;
  subjectId: string;
  /**
   * payload-mismatch: the stored rows no longer hash to what was recorded (or are gone);
   * entry-mismatch: the audit row itself was altered; link-mismatch: it does not follow the entry
   * before it; missing-entry: a sequence number is skipped (an entry was deleted);
   * head-mismatch: the chain ends before its recorded head (its last entries were deleted), or has no head.
   */
  problem: 'payload-mismatch' | 'entry-mismatch' | 'link-mismatch' | 'missing-entry' | 'head-mismatch';
  detail: string;
};

/** An entry as read back, with the payload hash re-derived from the current rows (null: its subject is gone). */
export type StoredEntry = AuditEntry & { derivedPayloadHash: string | null };

/**
 * Checks one stored entry against the entry before it (null for the first of its chain); the
 * first problem found, or null. Pure, so verification can stream a chain page by page.
 */
export function checkEntry(previous: { sequence: number; entryHash: string } | null, entry: StoredEntry): BrokenLink | null {
  const at = { sequence: entry.sequence, kind: entry.kind, subjectId: entry.subjectId };
  const expectedSequence = (previous?.sequence ?? 0) + 1;
  if (entry.sequence !== expectedSequence) {
    return { ...at, problem: 'missing-entry', detail: `expected sequence ${expectedSequence}, found ${entry.sequence}` };
  }
  if (entry.derivedPayloadHash === null) {
    return { ...at, problem: 'payload-mismatch', detail: `${entry.kind} ${entry.subjectId} is no longer stored` };
  }
  if (entry.derivedPayloadHash !== entry.payloadHash) {
    return {
      ...at,
      problem: 'payload-mismatch',
      detail: `the stored ${entry.kind} hashes to ${entry.derivedPayloadHash}, the entry recorded ${entry.payloadHash}`,
    };
  }
  const { entryHash, derivedPayloadHash: _, ...stored } = entry;
  const recomputed = entryHashOf(stored);
  if (recomputed !== entryHash) {
    return { ...at, problem: 'entry-mismatch', detail: `the entry's columns hash to ${recomputed}, its stored hash is ${entryHash}` };
  }
  const expectedPrevious = previous?.entryHash ?? GENESIS_HASH;
  if (entry.previousHash !== expectedPrevious) {
    return {
      ...at,
      problem: 'link-mismatch',
      detail: `previous hash ${entry.previousHash} is not the hash ${expectedPrevious} of entry ${expectedSequence - 1}`,
    };
  }
  return null;
}

/** The digest over every chain's head as of a day: canonical JSON of the sorted heads, hashed. */
export function headsDigest(date: string, heads: ChainHead[]): string {
  const ordered = [...heads].sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
  return hashOf({ date, heads: ordered.map(({ chain, sequence, entryHash }) => ({ chain, sequence, entryHash })) });
}
