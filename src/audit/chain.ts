// The audit log's pure part: the canonical form of what an entry records (RFC 8785 JSON
// canonicalisation), its SHA-256 hashes, and how entries link into a chain. No I/O: the writer
// hashes events from memory with it, and verification hashes the same facts read back from the
// stored rows, so both sides must build the very same facts.
import { hash } from 'node:crypto';

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
  'product.create',
  'location.create',
  'rfid.reader',
  'rfid.read-point',
  'brand.create',
  'brand.product',
  'brand.authorization',
  'complaint.file',
  'complaint.transition',
  'complaint.baseline',
  'credit.recompute',
  'events.restate',
  'flag.dismiss',
  'flag.reopen',
  'flag.brand-note',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** SHA-256 of the text's UTF-8 bytes, in hex: one call, without a Hash object (a third of the CPU for an audit entry's few hundred bytes). */
export const sha256 = (text: string) => hash('sha256', text, 'hex');

/**
 * RFC 8785 canonical JSON: sorted keys, shortest number forms, no insignificant white space. The
 * same text as the `canonicalize` package gives (a test compares them), built in one pass: the
 * writer hashes every event it stores this way, and the package's per-string checks and
 * intermediate arrays took nearly a tenth of a large capture's CPU time.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(sortedCopy(value, []));
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
function sortedCopy(value: unknown, path: object[]): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new Error('NaN is not allowed');
    if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
    return value;
  }
  if (typeof value === 'function' || typeof value === 'bigint') throw UNUSUAL;
  if (value === null || typeof value !== 'object') return value;
  // the objects above this one: a few levels in an event's payload, where a Set per call grew its
  // table for each of them (past a few hundred levels, canonical() takes over: see UNUSUAL)
  if (path.length >= PATH_SCANNED) throw UNUSUAL;
  if (path.includes(value)) throw new Error('Circular reference detected');
  path.push(value);
  let copy: unknown;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const json = toJSON.call(value);
    // canonical() writes a member that turns into nothing as `undefined`, an element as nothing
    if (json === undefined || typeof json === 'symbol') throw UNUSUAL;
    copy = sortedCopy(json, path);
  } else if (Array.isArray(value)) {
    const items: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) items[i] = sortedCopy(value[i], path);
    copy = items;
  } else {
    const record = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of sortedKeys(record)) {
      const first = key.charCodeAt(0);
      if ((first >= 48 && first <= 57) || key === '__proto__') throw UNUSUAL;
      const member = record[key];
      if (member === undefined || typeof member === 'symbol') continue;
      sorted[key] = sortedCopy(member, path);
    }
    copy = sorted;
  }
  path.pop();
  return copy;
}

/** How deep sortedCopy follows a value before leaving it to canonical(), whose Set finds a cycle in one look-up per level. */
const PATH_SCANNED = 256;

/**
 * An object's own enumerable names in code-unit order, as Array#sort orders them: sorted in place
 * by insertion, which for the dozen or so members of an event's objects is as fast, where
 * Array#sort allocated a work array on every call (a tenth of all a large capture allocated).
 */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  if (keys.length > 32) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
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

/**
 * `,"name":value` in canonical form, or nothing for a member the canonical form leaves out: an
 * object's members written one at a time, in the order the caller gives (their names' order).
 */
function canonicalMember(name: string, value: unknown): string {
  if (value === undefined || typeof value === 'symbol') return '';
  // most members are text or null: written as canonicalJson writes them, without its copy
  const text = typeof value === 'string' ? canonicalString(value) : value === null ? 'null' : canonicalJson(value);
  return `,${canonicalKey(name)}:${text}`;
}

/** An object's canonical JSON from its members' texts (each `,"name":value`, see canonicalMember). */
const canonicalObject = (members: string) => `{${members.slice(1)}}`;

/** `[…]` of the texts in a fixed order (their own order): the order rows were inserted in is not kept by the database. */
function sortedList(texts: string[]): string {
  texts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `[${texts.join(',')}]`;
}

/**
 * The hash of what an `event` entry records: exactly these members, whatever else the caller's
 * object carries. Its canonical JSON is written member by member, names in code-unit order
 * (`test/audit/chain.test.ts` compares it with the canonicalize package's text): each line's text
 * is written once, both to sort the lines and as part of the whole, where the whole was a copy of
 * the facts written again.
 */
export function eventPayloadHash(facts: EventFacts): string {
  const movements = facts.movements.map((line) =>
    canonicalObject(
      canonicalMember('containerCode', line.containerCode) +
        canonicalMember('kind', line.kind) +
        canonicalMember('lotCode', line.lotCode) +
        canonicalMember('partyCode', line.partyCode) +
        canonicalMember('quantity', decimal3(line.quantity)),
    ),
  );
  const lots = facts.lots.map((link) =>
    canonicalObject(
      canonicalMember('lotCode', link.lotCode) +
        canonicalMember('quantity', link.quantity === null ? null : decimal3(link.quantity)) +
        canonicalMember('role', link.role),
    ),
  );
  const members =
    canonicalMember('bizLocation', facts.bizLocation) +
    canonicalMember('bizStep', facts.bizStep) +
    canonicalMember('correctsEventId', facts.correctsEventId) +
    canonicalMember('disposition', facts.disposition) +
    canonicalMember('epcisType', facts.epcisType) +
    canonicalMember('eventTime', facts.eventTime) +
    canonicalMember('eventTimeZoneOffset', facts.eventTimeZoneOffset) +
    canonicalMember('id', facts.id) +
    `,"lots":${sortedList(lots)},"movements":${sortedList(movements)}` +
    canonicalMember('partyCode', facts.partyCode) +
    // jsonb keeps what JSON keeps, and so does the canonical form: undefined members are left out
    canonicalMember('payload', facts.payload) +
    canonicalMember('readPoint', facts.readPoint) +
    canonicalMember('recordTime', facts.recordTime) +
    canonicalMember('referenceDocuments', facts.referenceDocuments) +
    canonicalMember('transformationId', facts.transformationId) +
    canonicalMember('type', facts.type);
  return sha256(canonicalObject(members));
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
  // canonical JSON of these members, written in their names' order (as eventPayloadHash writes its own)
  const members =
    canonicalMember('chain', entry.chain) +
    canonicalMember('keyId', entry.keyId) +
    canonicalMember('kind', entry.kind) +
    canonicalMember('payloadHash', entry.payloadHash) +
    canonicalMember('previousHash', entry.previousHash) +
    canonicalMember('recordedAt', entry.recordedAt.toISOString()) +
    canonicalMember('sequence', entry.sequence) +
    canonicalMember('subjectId', entry.subjectId);
  return sha256(canonicalObject(members));
}

/**
 * Links facts, in order, onto the heads of their chains; returns the entries and the new heads.
 * A chain without a head starts at sequence 1 after the genesis hash.
 */
export function appendToChains(heads: ChainHead[], facts: AuditFact[]): { entries: AuditEntry[]; heads: ChainHead[] } {
  const current = new Map(heads.map((head) => [head.chain, head]));
  const entries = facts.map((fact): AuditEntry => {
    const head = current.get(fact.chain) ?? { chain: fact.chain, sequence: 0, entryHash: GENESIS_HASH };
    // an entry's members named one by one: a large capture links 10,000 of them, and two spreads each were a fifth of it
    const entry: AuditEntry = {
      chain: fact.chain,
      kind: fact.kind,
      subjectId: fact.subjectId,
      keyId: fact.keyId,
      payloadHash: fact.payloadHash,
      recordedAt: fact.recordedAt,
      sequence: head.sequence + 1,
      previousHash: head.entryHash,
      entryHash: '',
    };
    entry.entryHash = entryHashOf(entry);
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
   * before it; missing-entry: a sequence number is skipped (an entry was deleted), or an entry that
   * should be there is not (a complaint filed or moved behind the log's back, the complaint baseline);
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
