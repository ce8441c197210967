/**
 * Codes this service issues. All end with a GB 32100-style mod-31 check
 * character so a mistyped code is rejected before it reaches the database.
 * Bodies are random, not sequential, so codes do not leak volumes or let
 * anyone enumerate neighbours' records.
 */
import { customAlphabet } from 'nanoid';
import { z } from 'zod';
import { hasRegionCodeShape } from './china.js';
import { hasValidMod31Check, MOD31_CHARSET, mod31CheckChar } from './mod31.js';
import { isKnownRegionCode } from './regions.js';

export const PARTY_KINDS = [
  'farm',
  'slaughterhouse',
  'cutting_plant',
  'processor',
  'cold_storage',
  'distributor',
  'retailer',
  'logistics',
  'lab',
  'regulator',
] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

/**
 * Each kind's Chinese name, as the regulator's figures name a group of parties of that kind. A farm grows
 * fruit as well as it raises pigs: 种养殖 (planting and raising), not 养殖 alone.
 */
export const PARTY_KIND_NAMES: Readonly<Record<PartyKind, string>> = Object.freeze({
  farm: '种养殖',
  slaughterhouse: '屠宰',
  cutting_plant: '分割',
  processor: '加工',
  cold_storage: '冷库',
  distributor: '批发',
  retailer: '零售',
  logistics: '物流',
  lab: '检测',
  regulator: '监管',
});

// Letters from the names above (mostly pinyin initials; farm's Y from 养殖), all inside the charset.
export const PARTY_KIND_LETTER: Readonly<Record<PartyKind, string>> = Object.freeze({
  farm: 'Y',
  slaughterhouse: 'T',
  cutting_plant: 'F',
  processor: 'J',
  cold_storage: 'L',
  distributor: 'P',
  retailer: 'R',
  logistics: 'W',
  lab: 'C',
  regulator: 'G',
});

const LETTER_TO_KIND: ReadonlyMap<string, PartyKind> = new Map(PARTY_KINDS.map((k) => [PARTY_KIND_LETTER[k], k]));

type ServiceCodeKind = 'party' | 'location' | 'product' | 'lot' | 'container' | 'item';
type ObjectCodeKind = Exclude<ServiceCodeKind, 'party' | 'item'>;

// Prefixes deliberately disjoint from the party letters, so the first character
// alone never misclassifies (lengths differ too: 15 vs 12).
const OBJECT_CODE_PREFIX: Readonly<Record<ObjectCodeKind, string>> = Object.freeze({
  location: 'A',
  product: 'M',
  lot: 'B', // 批次
  container: 'H',
});
const PREFIX_TO_KIND: ReadonlyMap<string, ObjectCodeKind> = new Map(
  (Object.entries(OBJECT_CODE_PREFIX) as Array<[ObjectCodeKind, string]>).map(([k, p]) => [p, k]),
);

const PARTY_CODE_LENGTH = 15;
const OBJECT_CODE_LENGTH = 12;
/** Item (一物一码) codes: no prefix, 10 random + check, so a label URL stays short. */
const ITEM_CODE_LENGTH = 11;

// 31^7 ≈ 2.8e10 per kind+region and 31^10 ≈ 8.2e14 per prefix: collisions are
// rare enough that the unique index in the database is the only guard needed.
const partyRandom = customAlphabet(MOD31_CHARSET, 7);
const objectRandom = customAlphabet(MOD31_CHARSET, 10);

function withCheck(body: string): string {
  return body + mod31CheckChar(body);
}

/** Party (主体) code: kind letter + 6-digit region code + 7 random + check (15 chars). */
export function newPartyCode(kind: PartyKind, regionCode: string): string {
  // hasOwn, not a plain lookup, so 'toString' and friends are rejected for untyped callers.
  if (!Object.hasOwn(PARTY_KIND_LETTER, kind)) throw new RangeError(`unknown party kind: ${String(kind)}`);
  const letter = PARTY_KIND_LETTER[kind];
  if (!isKnownRegionCode(regionCode)) throw new RangeError(`unknown region code: ${JSON.stringify(regionCode)}`);
  return withCheck(letter + regionCode + partyRandom());
}

/** Kind and region of a party code, or null on bad shape or check character (the region is read by shape). */
export function parsePartyCode(code: string): { kind: PartyKind; regionCode: string } | null {
  if (typeof code !== 'string' || code.length !== PARTY_CODE_LENGTH || !hasValidMod31Check(code)) return null;
  const kind = LETTER_TO_KIND.get(code[0]);
  const regionCode = code.slice(1, 7);
  if (kind === undefined || !hasRegionCodeShape(regionCode)) return null;
  return { kind, regionCode };
}

function newObjectCode(kind: ObjectCodeKind): string {
  return withCheck(OBJECT_CODE_PREFIX[kind] + objectRandom());
}

export function newLocationCode(): string {
  return newObjectCode('location');
}
export function newProductCode(): string {
  return newObjectCode('product');
}
export function newLotCode(): string {
  return newObjectCode('lot');
}
export function newContainerCode(): string {
  return newObjectCode('container');
}
export function newItemCode(): string {
  return withCheck(objectRandom());
}

/**
 * Which kind of service code this is, or null if it is not one (bad shape,
 * bad check, unknown prefix). Uppercase only: lowercase input returns null;
 * run user input through normalizeCode (in a request, serviceCodeSchema) first.
 */
export function serviceCodeKind(code: string): ServiceCodeKind | null {
  if (typeof code !== 'string') return null;
  if (code.length === PARTY_CODE_LENGTH) return parsePartyCode(code) === null ? null : 'party';
  if (code.length === ITEM_CODE_LENGTH) return hasValidMod31Check(code) ? 'item' : null;
  if (code.length !== OBJECT_CODE_LENGTH || !hasValidMod31Check(code)) return null;
  return PREFIX_TO_KIND.get(code[0]) ?? null;
}

/**
 * Compatibility characters (NFKC) as their plain forms, so a code typed full-width, as a Chinese
 * input method writes it (`Ｊ５００２３６…`), is read as the code it spells.
 */
const plainForms = (input: string) => input.normalize('NFKC');

/** Reads full-width characters as their ASCII forms (NFKC), trims and uppercases, so a user-typed code can be looked up. */
export function normalizeCode(input: string): string {
  return plainForms(input).trim().toUpperCase();
}

/** A service code in a request's path, query or body, read as normalizeCode reads it: NFKC, trimmed and upper-cased. */
export const serviceCodeSchema = z.string().overwrite(plainForms).trim().toUpperCase();

/**
 * Full-width ASCII (U+FF01–FF5E, as a Chinese input method types letters, digits and signs) and the
 * ideographic space as their ASCII forms, and nothing else: NFKC would also merge `LOT²` with `LOT2`
 * and `LOT①` with `LOT1`, which a party may use as two lots.
 */
const fullWidthAsAscii = (input: string) =>
  input.replace(/[\uFF01-\uFF5E\u3000]/g, (char) => (char === '\u3000' ? ' ' : String.fromCharCode(char.charCodeAt(0) - 0xfee0)));

/**
 * An identifier a user writes whose case matters (a party's own lot number, a GS1 Digital Link with its
 * lot and serial, an EPC URI, PARTYCODE:LOTNUMBER), read with full-width characters as their ASCII
 * forms, so that `ＬＯＴ１` and `LOT1` name one lot. Not for names and other free text, kept as written.
 */
export const plainIdentifierSchema = z.string().overwrite(fullWidthAsAscii);

/** `plainIdentifierSchema`'s reading of a string outside a schema (a member of a document read as a whole). */
export const plainIdentifier = fullWidthAsAscii;

/** U+FF01–FF5E and U+3000 as a URL carries them: UTF-8, percent-encoded. */
const ESCAPED_FULL_WIDTH = /%EF%BC%(?:8[1-9A-F]|[9AB][0-9A-F])|%EF%BD%(?:8[0-9A-F]|9[0-9A-E])|%E3%80%80/gi;

/**
 * A URL as scanned or typed, read as plainIdentifier reads a Digital Link in an EPCIS document: its
 * full-width characters, raw or percent-encoded, as their ASCII forms (`/01/…/10/%EF%BC%AC…` is
 * `/01/…/10/L…`). What they become is read as if typed so (a full-width solidus separates segments).
 */
export const plainUrl = (url: string) =>
  fullWidthAsAscii(url.replace(ESCAPED_FULL_WIDTH, (escaped) => fullWidthAsAscii(decodeURIComponent(escaped))));

const FULL_WIDTH_RAW_OR_ESCAPED = new RegExp(`${ESCAPED_FULL_WIDTH.source}|[\\uFF01-\\uFF5E\\u3000]`, 'gi');

/**
 * One pair of a query string (a GS1 AI and its value) read as plainUrl reads a path, but each full-width character
 * becomes a character of the key or value: escaped where its ASCII form would be a delimiter (`＆`, `＃`), a sign the
 * form encoding reads otherwise (`＋`, `％`) or what a URI may not carry raw (the ideographic space, `＜`). A `＝` parts
 * the key from the value as `=` does, as typed.
 */
export const plainQueryPair = (pair: string) =>
  pair.replace(FULL_WIDTH_RAW_OR_ESCAPED, (match) => {
    const char = fullWidthAsAscii(match.length > 1 ? decodeURIComponent(match) : match);
    return /^[\w\-.~!$'()*,;:@/?=]$/.test(char) ? char : encodeURIComponent(char);
  });

// Each kind's shape whatever its check character, so a mistyped code can be told from an unknown one. Its random part
// and check character may hold any letter: I, O, S, V and Z, which the alphabet leaves out, are what people type for
// 1, 0, 5, U and 2. A party code's region is digits, as issued.
const TYPED = '0-9A-Z';
const objectCodeShape = (kind: ObjectCodeKind) => new RegExp(`^${OBJECT_CODE_PREFIX[kind]}[${TYPED}]{${OBJECT_CODE_LENGTH - 1}}$`);
const CODE_SHAPE: Readonly<Record<ServiceCodeKind, RegExp>> = Object.freeze({
  party: new RegExp(`^[${[...LETTER_TO_KIND.keys()].join('')}]\\d{6}[${TYPED}]{8}$`),
  location: objectCodeShape('location'),
  product: objectCodeShape('product'),
  lot: objectCodeShape('lot'),
  container: objectCodeShape('container'),
  item: new RegExp(`^[${TYPED}]{${ITEM_CODE_LENGTH}}$`),
});

/** Is `code` (upper case) shaped as a code of one of these kinds, whatever its check character? */
export function hasServiceCodeShape(code: string, kinds: readonly ServiceCodeKind[]): boolean {
  return kinds.some((kind) => CODE_SHAPE[kind].test(code));
}

/**
 * Is `code` (upper case) shaped as a code of one of these kinds but for a check character that fails? Then it was
 * mistyped: a 400 saying so, not the 404 or 422 of a code that names nothing.
 */
export function isMistypedCode(code: string, kinds: readonly ServiceCodeKind[]): boolean {
  return hasServiceCodeShape(code, kinds) && !hasValidMod31Check(code);
}

/**
 * Refuses a value that, read as normalizeCode reads it, is a mistyped code of one of these kinds, at its field.
 * Anything else passes, to be looked up: an unknown code, another kind's code, a name, a GTIN, an SSCC, a URI.
 */
export function mistypedCodeCheck(...kinds: ServiceCodeKind[]) {
  return z.refine<string>((value) => !isMistypedCode(normalizeCode(value), kinds), 'check character wrong — probably a typo');
}

/**
 * A code of one of these kinds in a path, a query or a body, read as serviceCodeSchema reads it; one mistyped is
 * refused (see mistypedCodeCheck). A field that also takes identifiers whose case matters (a GS1 Digital Link, a
 * party's own lot number) checks its value with mistypedCodeCheck and leaves it as typed.
 */
export function serviceCodeField(...kinds: ServiceCodeKind[]) {
  return serviceCodeSchema.check(mistypedCodeCheck(...kinds));
}

/** A code of one of these kinds a listing is filtered by: left out, empty or blank, it filters nothing; mistyped, a 400. */
export function serviceCodeFilter(...kinds: ServiceCodeKind[]) {
  return serviceCodeField(...kinds)
    .optional()
    .transform((code) => code || undefined);
}
