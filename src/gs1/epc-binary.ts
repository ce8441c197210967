// EPC Tag Data Standard binary encodings: SGTIN-96, SGTIN-198, SSCC-96, SGLN-96, SGLN-195,
// GRAI-96, GRAI-170, GIAI-96, GIAI-202, GDTI-96, GDTI-174, GSRN-96, GSRNP-96, SGCN-96, CPI-96,
// ITIP-110 and ITIP-212, between the hex a reader reports, the tag URI, the raw URI, the
// pure-identity URN and the GS1 Digital Link; and GID-96, an EPC of no GS1 key (no Digital Link: its
// pure-identity URN is its one spelling). Anything else a tag may carry (factory EPCs such as E280…,
// other headers, GDTI-113, CPI-var) is a raw tag id, never an error. Pure: no I/O.

import { completeGs1, gs1CheckDigit } from '../codes/gs1.js';
import { canonicalGs1Uri, epcUrnProblem } from './canonical.js';
import { isGs1Charset82 } from './digital-link.js';
import { digitalLinkToEpcUrn, epcUriSpelling, urnDecode, urnEncode } from './epc-uri.js';

export type EpcScheme =
  | 'sgtin-96'
  | 'sgtin-198'
  | 'sscc-96'
  | 'sgln-96'
  | 'sgln-195'
  | 'grai-96'
  | 'grai-170'
  | 'giai-96'
  | 'giai-202'
  | 'gdti-96'
  | 'gdti-174'
  | 'gsrn-96'
  | 'gsrnp-96'
  | 'sgcn-96'
  | 'cpi-96'
  | 'itip-110'
  | 'itip-212'
  | 'gid-96';

export type DecodedTag =
  | {
      kind: 'gs1';
      scheme: EpcScheme;
      /** Upper case; 24 digits for the 96-bit schemes, else the bit length rounded up to whole hex digits (SGTIN-198: 50). */
      hex: string;
      filter: number;
      tagUri: string;
      rawUri: string;
      pureIdentity: string;
      digitalLink: string;
      gtin?: string;
      sscc?: string;
      gln?: string;
      /** SGLN extension; absent when the tag encodes 0 ("no extension"). */
      glnExtension?: string;
      /** The AI (8003) value: 0, the 13-digit asset type with check digit, then the serial. */
      grai?: string;
      giai?: string;
      /** AI (253): the 13-digit document type with check digit, then the serial. */
      gdti?: string;
      /** AI (8018), 18 digits. */
      gsrn?: string;
      /** AI (8017), 18 digits. */
      gsrnp?: string;
      /** AI (255): the 13-digit coupon number with check digit, then the serial (digits). */
      sgcn?: string;
      /** AI (8010): company prefix and part reference; the serial is AI (8011). */
      cpi?: string;
      /** AI (8006), 18 digits: the GTIN of the whole trade item, then piece and total (2 digits each); the serial is AI (21). */
      itip?: string;
      serial?: string;
    }
  | {
      /** A General Identifier (GID-96): no GS1 key, so no filter and no Digital Link. */
      kind: 'gid';
      scheme: 'gid-96';
      hex: string;
      tagUri: string;
      rawUri: string;
      /** urn:epc:id:gid:<manager>.<class>.<serial>, decimal without leading zeros: the tag's one spelling as a URI. */
      pureIdentity: string;
      managerNumber: string;
      objectClass: string;
      serial: string;
    }
  | { kind: 'raw'; hex: string | null; rawUri: string };

/** Malformed hex, a malformed or unsupported EPC URI, or an identity that no supported scheme can encode. */
export class EpcSyntaxError extends Error {
  override name = 'EpcSyntaxError';
}

type DecodeOptions = {
  /** Filter value for identities that do not carry one (pure-identity URNs, Digital Links); 0 ("all others") by default. */
  filter?: number;
  /**
   * Company prefix length for a Digital Link, which does not carry it: a number, or a lookup given
   * the key's digits from where the company prefix starts (GTIN and SSCC without their leading digit).
   */
  companyPrefixLength?: number | ((digits: string) => number | null);
};

type IdentityType = 'sgtin' | 'sscc' | 'sgln' | 'grai' | 'giai' | 'gdti' | 'gsrn' | 'gsrnp' | 'sgcn' | 'cpi' | 'itip';
// What follows company prefix and reference: a numeric serial or extension of so many bits, an
// alphanumeric serial of so many characters (7 bits each), a serial of up to so many digits whose
// leading zeros count (TDS "numeric string": a 1, then the digits, as one number), reserved zero
// bits, or nothing.
type Tail =
  | { kind: 'integer'; bits: number }
  | { kind: 'string'; chars: number }
  | { kind: 'numeric-string'; bits: number; digits: number }
  | { kind: 'reserved'; bits: number }
  | { kind: 'none' };

type SchemeSpec = {
  name: EpcScheme;
  header: number;
  type: IdentityType;
  /** Hex digits the encoding takes (its bit length rounded up to whole hex digits). */
  hexDigits: number;
  /** Bits of the reference field per partition 0–6; the company prefix takes the rest of the shared field. */
  referenceBits: readonly number[];
  /** GIAI-202: the reference is text of at most so many characters per partition (7 bits each, zero-padded). */
  referenceChars?: readonly number[];
  /** Digits of company prefix + reference together (for GIAI, at most). */
  keyDigits: number;
  /** CPI-96: the reference is a number without leading zeros of at most so many digits per partition. */
  referenceDigits?: readonly number[];
  /** ITIP: the reference is followed by the piece number and the total count, 0–99 in 7 bits each (written with 2 digits). */
  pieces?: true;
  tail: Tail;
};

const PIECE_BITS = 7;

const COMPANY_PREFIX_BITS = [40, 37, 34, 30, 27, 24, 20] as const;

const SCHEMES: readonly SchemeSpec[] = [
  {
    name: 'sgtin-96',
    header: 0x30,
    type: 'sgtin',
    hexDigits: 24,
    referenceBits: [4, 7, 10, 14, 17, 20, 24],
    keyDigits: 13,
    tail: { kind: 'integer', bits: 38 },
  },
  {
    name: 'sgtin-198',
    header: 0x36,
    type: 'sgtin',
    hexDigits: 50,
    referenceBits: [4, 7, 10, 14, 17, 20, 24],
    keyDigits: 13,
    tail: { kind: 'string', chars: 20 },
  },
  {
    name: 'sscc-96',
    header: 0x31,
    type: 'sscc',
    hexDigits: 24,
    referenceBits: [18, 21, 24, 28, 31, 34, 38],
    keyDigits: 17,
    tail: { kind: 'reserved', bits: 24 },
  },
  {
    name: 'sgln-96',
    header: 0x32,
    type: 'sgln',
    hexDigits: 24,
    referenceBits: [1, 4, 7, 11, 14, 17, 21],
    keyDigits: 12,
    tail: { kind: 'integer', bits: 41 },
  },
  {
    name: 'sgln-195',
    header: 0x39,
    type: 'sgln',
    hexDigits: 49,
    referenceBits: [1, 4, 7, 11, 14, 17, 21],
    keyDigits: 12,
    tail: { kind: 'string', chars: 20 },
  },
  {
    name: 'grai-96',
    header: 0x33,
    type: 'grai',
    hexDigits: 24,
    referenceBits: [4, 7, 10, 14, 17, 20, 24],
    keyDigits: 12,
    tail: { kind: 'integer', bits: 38 },
  },
  {
    name: 'giai-96',
    header: 0x34,
    type: 'giai',
    hexDigits: 24,
    referenceBits: [42, 45, 48, 52, 55, 58, 62],
    keyDigits: 25,
    tail: { kind: 'none' },
  },
  {
    name: 'grai-170',
    header: 0x37,
    type: 'grai',
    hexDigits: 43,
    referenceBits: [4, 7, 10, 14, 17, 20, 24],
    keyDigits: 12,
    tail: { kind: 'string', chars: 16 },
  },
  {
    name: 'giai-202',
    header: 0x38,
    type: 'giai',
    hexDigits: 51,
    referenceBits: [148, 151, 154, 158, 161, 164, 168],
    referenceChars: [18, 19, 20, 21, 22, 23, 24],
    keyDigits: 30,
    tail: { kind: 'none' },
  },
  {
    name: 'gdti-96',
    header: 0x2c,
    type: 'gdti',
    hexDigits: 24,
    referenceBits: [1, 4, 7, 11, 14, 17, 21],
    keyDigits: 12,
    tail: { kind: 'integer', bits: 41 },
  },
  {
    name: 'gdti-174',
    header: 0x3e,
    type: 'gdti',
    hexDigits: 44,
    referenceBits: [1, 4, 7, 11, 14, 17, 21],
    keyDigits: 12,
    tail: { kind: 'string', chars: 17 },
  },
  {
    name: 'gsrn-96',
    header: 0x2d,
    type: 'gsrn',
    hexDigits: 24,
    referenceBits: [18, 21, 24, 28, 31, 34, 38],
    keyDigits: 17,
    tail: { kind: 'reserved', bits: 24 },
  },
  {
    name: 'gsrnp-96',
    header: 0x2e,
    type: 'gsrnp',
    hexDigits: 24,
    referenceBits: [18, 21, 24, 28, 31, 34, 38],
    keyDigits: 17,
    tail: { kind: 'reserved', bits: 24 },
  },
  {
    name: 'sgcn-96',
    header: 0x3f,
    type: 'sgcn',
    hexDigits: 24,
    referenceBits: [1, 4, 7, 11, 14, 17, 21],
    keyDigits: 12,
    tail: { kind: 'numeric-string', bits: 41, digits: 12 },
  },
  {
    name: 'cpi-96',
    header: 0x3c,
    type: 'cpi',
    hexDigits: 24,
    referenceBits: [11, 14, 17, 21, 24, 27, 31],
    referenceDigits: [3, 4, 5, 6, 7, 8, 9],
    keyDigits: 15,
    tail: { kind: 'integer', bits: 31 },
  },
  {
    name: 'itip-110',
    header: 0x40,
    type: 'itip',
    hexDigits: 28,
    referenceBits: [4, 7, 10, 14, 17, 20, 24],
    keyDigits: 13,
    pieces: true,
    tail: { kind: 'integer', bits: 38 },
  },
  {
    name: 'itip-212',
    header: 0x41,
    type: 'itip',
    hexDigits: 53,
    referenceBits: [4, 7, 10, 14, 17, 20, 24],
    keyDigits: 13,
    pieces: true,
    tail: { kind: 'string', chars: 20 },
  },
];

// GID-96: header, then manager number (28 bits), object class (24) and serial (36), no filter.
const GID_HEADER = 0x35;
const GID_FIELD_BITS = [28, 24, 36] as const;

/** The schemes this codec encodes and decodes. */
export const EPC_SCHEMES: readonly EpcScheme[] = [...SCHEMES.map((s) => s.name), 'gid-96'];

const BY_NAME = new Map(SCHEMES.map((s) => [s.name, s]));
/** Hex lengths of the encodings that are not whole 16-bit words: their own, and in whole bytes. */
const SCHEME_HEX_DIGITS = new Set(SCHEMES.flatMap((s) => [s.hexDigits, Math.ceil(s.hexDigits / 2) * 2]));
const BY_HEADER = new Map(SCHEMES.map((s) => [s.header, s]));

const HEX = /^(?:0[xX])?([0-9A-Fa-f]+)$/;
const INTEGER = /^(?:0|[1-9]\d*)$/;
// A raw URI: bit length, then the bits as hex (x…) or as a decimal number.
const RAW_URI = /^urn:epc:raw:(\d+)\.(?:x([0-9A-Fa-f]+)|(\d+))$/;
// The toggle-bit form carries an AFI and so names a non-GS1 (ISO) tag.
const RAW_URI_WITH_AFI = /^urn:epc:raw:\d+\.x[0-9A-Fa-f]{2}\.x[0-9A-Fa-f]+$/;
const TAG_URI = /^urn:epc:tag:([a-z0-9-]+):(.*)$/;
const PURE_IDENTITY = /^urn:epc:id:([a-z]+):(.*)$/;
// Longest EPC a Gen2 tag can hold: 496 bits.
const MAX_HEX_DIGITS = 124;

/** An ITIP's piece number and total count, 2 digits each. */
type Pieces = { piece: string; total: string };
type Fields = { filter: number; companyPrefix: string; reference: string; pieces?: Pieces; tail: string | null };

const mask = (bits: number) => (1n << BigInt(bits)) - 1n;
const pad = (value: bigint, digits: number) => (digits === 0 ? '' : value.toString().padStart(digits, '0'));

function rawTag(hex: string): DecodedTag {
  return { kind: 'raw', hex, rawUri: `urn:epc:raw:${hex.length * 4}.x${hex}` };
}

// Reads fields most-significant first.
class BitReader {
  private offset = 0;
  constructor(
    private readonly value: bigint,
    private readonly totalBits: number,
  ) {}
  read(bits: number): bigint {
    this.offset += bits;
    return (this.value >> BigInt(this.totalBits - this.offset)) & mask(bits);
  }
}

/** Text of 7-bit characters ending in zero bits, or undefined when it is none (empty, a gap, not GS1 text). */
function readText(reader: BitReader, bits: number): string | undefined {
  let text = '';
  let ended = false;
  for (let i = 0; i < Math.floor(bits / 7); i++) {
    const code = Number(reader.read(7));
    if (code === 0) ended = true;
    else if (ended) return undefined;
    else text += String.fromCharCode(code);
  }
  if (reader.read(bits % 7) !== 0n) return undefined;
  return text !== '' && isGs1Charset82(text) ? text : undefined;
}

/** 7-bit characters, then zero bits up to the field's length. */
function textBits(text: string, bits: number): bigint {
  let value = 0n;
  for (let i = 0; i < text.length; i++) value = (value << 7n) | BigInt(text.charCodeAt(i));
  return value << BigInt(bits - 7 * text.length);
}

function decodeTail(spec: SchemeSpec, reader: BitReader): string | null | undefined {
  const tail = spec.tail;
  if (tail.kind === 'none') return null;
  if (tail.kind === 'integer') return reader.read(tail.bits).toString();
  if (tail.kind === 'reserved') return reader.read(tail.bits) === 0n ? null : undefined;
  if (tail.kind === 'numeric-string') {
    const digits = reader.read(tail.bits).toString();
    return /^1\d+$/.test(digits) && digits.length <= tail.digits + 1 ? digits.slice(1) : undefined;
  }
  return readText(reader, tail.chars * 7);
}

// The fields of an encoding, or null when the bits are no valid encoding of the scheme.
function decodeFields(spec: SchemeSpec, value: bigint, totalBits: number): Fields | null {
  const reader = new BitReader(value, totalBits);
  reader.read(8);
  const filter = Number(reader.read(3));
  const partition = Number(reader.read(3));
  if (partition > 6) return null;
  const prefixDigits = 12 - partition;
  const prefix = reader.read(COMPANY_PREFIX_BITS[partition]);
  if (prefix >= 10n ** BigInt(prefixDigits)) return null;
  const companyPrefix = pad(prefix, prefixDigits);
  if (spec.referenceChars) {
    const text = readText(reader, spec.referenceBits[partition]);
    if (text === undefined || text.length > spec.referenceChars[partition]) return null;
    if (reader.read(totalBits - encodingBits(spec)) !== 0n) return null;
    return { filter, companyPrefix, reference: text, tail: null };
  }
  const reference = reader.read(spec.referenceBits[partition]);
  const referenceDigits = spec.keyDigits - prefixDigits;
  // A GIAI's asset reference is a plain integer, a CPI-96's one of at most so many digits; other
  // references are fixed-width digit strings.
  const cpiDigits = spec.referenceDigits?.[partition];
  if (cpiDigits !== undefined ? reference >= 10n ** BigInt(cpiDigits) : spec.type !== 'giai' && reference >= 10n ** BigInt(referenceDigits))
    return null;
  const [piece, total] = spec.pieces ? [reader.read(PIECE_BITS), reader.read(PIECE_BITS)] : [0n, 0n];
  if (piece > 99n || total > 99n) return null;
  const tail = decodeTail(spec, reader);
  if (tail === undefined || reader.read(totalBits - encodingBits(spec)) !== 0n) return null;
  return {
    filter,
    companyPrefix,
    reference: spec.type === 'giai' || cpiDigits !== undefined ? reference.toString() : pad(reference, referenceDigits),
    ...(spec.pieces ? { pieces: { piece: pad(piece, 2), total: pad(total, 2) } } : {}),
    tail,
  };
}

function tailBits(tail: Tail): number {
  if (tail.kind === 'none') return 0;
  return tail.kind === 'string' ? tail.chars * 7 : tail.bits;
}

// The encoding's length: header, filter, partition, company prefix + reference (one total for
// every partition) and tail; the hex rounds it up to whole digits.
function encodingBits(spec: SchemeSpec): number {
  return 8 + 3 + 3 + COMPANY_PREFIX_BITS[0] + spec.referenceBits[0] + (spec.pieces ? 2 * PIECE_BITS : 0) + tailBits(spec.tail);
}

function uriBody(spec: SchemeSpec, fields: Fields): string {
  const parts = [fields.companyPrefix, spec.referenceChars ? urnEncode(fields.reference) : fields.reference];
  if (fields.pieces) parts.push(fields.pieces.piece, fields.pieces.total);
  if (fields.tail !== null) parts.push(spec.tail.kind === 'string' ? urnEncode(fields.tail) : fields.tail);
  return parts.join('.');
}

function describe(spec: SchemeSpec, fields: Fields, hex: string): DecodedTag {
  const body = uriBody(spec, fields);
  const pureIdentity = `urn:epc:id:${spec.type}:${body}`;
  const { companyPrefix: cp, reference: ref, tail } = fields;
  const tag: DecodedTag = {
    kind: 'gs1',
    scheme: spec.name,
    hex,
    filter: fields.filter,
    tagUri: `urn:epc:tag:${spec.name}:${fields.filter}.${body}`,
    rawUri: `urn:epc:raw:${encodingBits(spec)}.x${hex}`,
    pureIdentity,
    digitalLink: canonicalGs1Uri(pureIdentity) as string,
  };
  switch (spec.type) {
    case 'sgtin':
      return { ...tag, gtin: completeGs1(ref[0] + cp + ref.slice(1)), serial: tail as string };
    case 'sscc':
      return { ...tag, sscc: completeGs1(ref[0] + cp + ref.slice(1)) };
    case 'sgln':
      return tail === '0' ? { ...tag, gln: completeGs1(cp + ref) } : { ...tag, gln: completeGs1(cp + ref), glnExtension: tail as string };
    case 'grai':
      return { ...tag, grai: `0${completeGs1(cp + ref)}${tail}`, serial: tail as string };
    case 'giai':
      return { ...tag, giai: cp + ref };
    case 'gdti':
      return { ...tag, gdti: `${completeGs1(cp + ref)}${tail}`, serial: tail as string };
    case 'gsrn':
      return { ...tag, gsrn: completeGs1(cp + ref) };
    case 'gsrnp':
      return { ...tag, gsrnp: completeGs1(cp + ref) };
    case 'sgcn':
      return { ...tag, sgcn: `${completeGs1(cp + ref)}${tail}`, serial: tail as string };
    case 'cpi':
      return { ...tag, cpi: cp + ref, serial: tail as string };
    case 'itip': {
      const { piece, total } = fields.pieces as Pieces;
      return { ...tag, itip: completeGs1(ref[0] + cp + ref.slice(1)) + piece + total, serial: tail as string };
    }
  }
}

function describeGid(fields: readonly bigint[], hex: string): DecodedTag {
  const [managerNumber, objectClass, serial] = fields.map(String);
  const body = `${managerNumber}.${objectClass}.${serial}`;
  return {
    kind: 'gid',
    scheme: 'gid-96',
    hex,
    tagUri: `urn:epc:tag:gid-96:${body}`,
    rawUri: `urn:epc:raw:96.x${hex}`,
    pureIdentity: `urn:epc:id:gid:${body}`,
    managerNumber,
    objectClass,
    serial,
  };
}

function encodeGid(body: string, value: string): DecodedTag {
  const parts = body.split('.');
  if (parts.length !== 3 || parts.some((part, i) => !INTEGER.test(part) || BigInt(part) > mask(GID_FIELD_BITS[i]))) {
    throw new EpcSyntaxError(
      `${JSON.stringify(value)} is not a valid GID-96 EPC: manager number, object class and serial must be numbers without leading zeros below 2^28, 2^24 and 2^36`,
    );
  }
  let bits = BigInt(GID_HEADER);
  for (const [i, part] of parts.entries()) bits = (bits << BigInt(GID_FIELD_BITS[i])) | BigInt(part);
  return describeGid(parts.map(BigInt), bits.toString(16).toUpperCase().padStart(24, '0'));
}

function decodeHexDigits(digits: string): DecodedTag {
  const hex = digits.toUpperCase();
  if (hex.length === 24 && hex.startsWith(GID_HEADER.toString(16))) {
    const reader = new BitReader(BigInt(`0x${hex}`), 96);
    reader.read(8);
    return describeGid(
      GID_FIELD_BITS.map((bits) => reader.read(bits)),
      hex,
    );
  }
  const spec = BY_HEADER.get(Number.parseInt(hex.slice(0, 2), 16));
  // Tag memory holds whole 16-bit words, so a reader may report SGTIN-198 as 52 digits, and tools
  // write whole bytes (SGLN-195 as 50): zeros after the encoding.
  const words = spec ? Math.ceil(spec.hexDigits / 4) * 4 : 0;
  const own =
    spec && hex.length > spec.hexDigits && hex.length <= words && /^0*$/.test(hex.slice(spec.hexDigits))
      ? hex.slice(0, spec.hexDigits)
      : hex;
  if (!spec || own.length !== spec.hexDigits) return rawTag(hex);
  const fields = decodeFields(spec, BigInt(`0x${own}`), own.length * 4);
  const tag = fields && describe(spec, fields, own);
  // bits of the scheme whose key breaks its AI's format (a CPI-96 serial 0: AI 8011 takes no leading zero) name no GS1 key
  return tag && tag.kind === 'gs1' && tag.digitalLink !== null ? tag : rawTag(hex);
}

function decodeHex(value: string, digits: string): DecodedTag {
  if (digits.length > MAX_HEX_DIGITS || (digits.length % 4 !== 0 && !SCHEME_HEX_DIGITS.has(digits.length))) {
    throw new EpcSyntaxError(
      `${JSON.stringify(value)} is not an EPC: hex must be 24, 44 or 50 digits (43, 49, 51 or 53 for GRAI-170, SGLN-195, GIAI-202 and ITIP-212; in whole bytes too), or whole 16-bit words (a multiple of 4 digits) up to ${MAX_HEX_DIGITS}`,
    );
  }
  return decodeHexDigits(digits);
}

function decodeRawUri(value: string): DecodedTag {
  if (RAW_URI_WITH_AFI.test(value)) return { kind: 'raw', hex: null, rawUri: value };
  const m = RAW_URI.exec(value);
  const bits = m ? Number(m[1]) : 0;
  if (!m || bits < 1 || bits > MAX_HEX_DIGITS * 4)
    throw new EpcSyntaxError(`${JSON.stringify(value)} is not a raw EPC URI: urn:epc:raw:<bits>.x<hex> or urn:epc:raw:<bits>.<decimal>`);
  const digits = Math.ceil(bits / 4);
  const number = m[2] !== undefined ? BigInt(`0x${m[2]}`) : BigInt(m[3]);
  if ((m[2] !== undefined && m[2].length !== digits) || number >> BigInt(digits * 4) !== 0n) {
    throw new EpcSyntaxError(`${JSON.stringify(value)} is not a raw EPC URI: the value does not have ${bits} bits`);
  }
  // Bit lengths that are not whole hex digits (198) are padded with zero bits on the right.
  const hex = (m[2] ?? (number << BigInt(digits * 4 - bits)).toString(16).padStart(digits, '0')).toUpperCase();
  const spec = BY_HEADER.get(Number.parseInt(hex.slice(0, 2), 16));
  if ((spec && bits === encodingBits(spec)) || (bits === 96 && hex.startsWith(GID_HEADER.toString(16)))) return decodeHexDigits(hex);
  return rawTag(hex);
}

function checkFilter(filter: number, value: string): number {
  if (!Number.isInteger(filter) || filter < 0 || filter > 7)
    throw new EpcSyntaxError(`${JSON.stringify(value)}: the filter value must be 0–7`);
  return filter;
}

// The encoding of validated fields; throws when the values do not fit the scheme.
function encodeFields(spec: SchemeSpec, fields: Fields, value: string): DecodedTag {
  const partition = 12 - fields.companyPrefix.length;
  const fail = (why: string) => new EpcSyntaxError(`${JSON.stringify(value)} cannot be encoded as ${spec.name.toUpperCase()}: ${why}`);
  if (!/^\d{6,12}$/.test(fields.companyPrefix)) throw fail('the company prefix must have 6–12 digits');
  // a GIAI-202 reference is GS1 text of at most 30 characters with the company prefix (checked with the URN)
  const maxChars = spec.referenceChars?.[partition];
  const cpiDigits = spec.referenceDigits?.[partition];
  const referenceOk =
    maxChars !== undefined ||
    (cpiDigits !== undefined
      ? INTEGER.test(fields.reference) && fields.reference.length <= cpiDigits
      : spec.type === 'giai'
        ? INTEGER.test(fields.reference) && BigInt(fields.reference) <= mask(spec.referenceBits[partition])
        : /^\d*$/.test(fields.reference) && fields.reference.length === spec.keyDigits - fields.companyPrefix.length);
  if (!referenceOk) {
    throw fail(
      cpiDigits !== undefined
        ? `the part reference must be a number without leading zeros of at most ${cpiDigits} digits`
        : spec.type === 'giai'
          ? `the asset reference must be a number without leading zeros below 2^${spec.referenceBits[partition]}`
          : `company prefix and reference must together have ${spec.keyDigits} digits`,
    );
  }
  let bits = (BigInt(spec.header) << 3n) | BigInt(checkFilter(fields.filter, value));
  bits = (bits << 3n) | BigInt(partition);
  bits = (bits << BigInt(COMPANY_PREFIX_BITS[partition])) | BigInt(fields.companyPrefix);
  const referenceBits = spec.referenceBits[partition];
  bits =
    (bits << BigInt(referenceBits)) |
    (maxChars !== undefined ? textBits(fields.reference, referenceBits) : BigInt(fields.reference || '0'));
  if (spec.pieces) {
    const { piece, total } = fields.pieces ?? { piece: '', total: '' };
    if (!/^\d{2}$/.test(piece) || !/^\d{2}$/.test(total)) throw fail('piece number and total count must have 2 digits each');
    bits = (((bits << BigInt(PIECE_BITS)) | BigInt(piece)) << BigInt(PIECE_BITS)) | BigInt(total);
  }
  const tail = spec.tail;
  if (tail.kind === 'integer') {
    const text = fields.tail ?? '';
    if (!INTEGER.test(text) || BigInt(text) > mask(tail.bits)) {
      throw fail(`the ${spec.type === 'sgln' ? 'extension' : 'serial'} must be a number without leading zeros up to ${mask(tail.bits)}`);
    }
    bits = (bits << BigInt(tail.bits)) | BigInt(text);
  } else if (tail.kind === 'string') {
    const text = fields.tail ?? '';
    if (text.length < 1 || text.length > tail.chars || !isGs1Charset82(text))
      throw fail(`the ${spec.type === 'sgln' ? 'extension' : 'serial'} must be 1–${tail.chars} GS1 characters`);
    bits = (bits << BigInt(tail.chars * 7)) | textBits(text, tail.chars * 7);
  } else if (tail.kind === 'numeric-string') {
    const text = fields.tail ?? '';
    if (!new RegExp(`^\\d{1,${tail.digits}}$`).test(text)) throw fail(`the serial must be 1–${tail.digits} digits`);
    bits = (bits << BigInt(tail.bits)) | BigInt(`1${text}`);
  } else if (tail.kind === 'reserved') {
    bits <<= BigInt(tail.bits);
  }
  const totalBits = spec.hexDigits * 4;
  bits <<= BigInt(totalBits - encodingBits(spec));
  const hex = bits.toString(16).toUpperCase().padStart(spec.hexDigits, '0');
  return describe(spec, fields, hex);
}

// Company prefix, reference and tail of a pure-identity URN of a supported type (serials unescaped).
function identityFields(type: IdentityType, body: string, value: string, filter: number): Fields {
  const urn = `urn:epc:id:${type}:${body}`;
  if (!canonicalGs1Uri(urn)) {
    throw new EpcSyntaxError(`${JSON.stringify(value)} ${epcUrnProblem(urn) ?? `is not a valid ${type.toUpperCase()} EPC URN`}`);
  }
  const parts = body.split('.');
  const [companyPrefix, reference] = parts;
  const rest = parts.slice(2).join('.');
  if (type === 'sscc' || type === 'gsrn' || type === 'gsrnp') return { filter, companyPrefix, reference, tail: null };
  if (type === 'giai') {
    const asset = urnDecode(parts.slice(1).join('.'), 30 - companyPrefix.length);
    if (asset === null) throw new EpcSyntaxError(`${JSON.stringify(value)} is not a valid GIAI EPC URN`);
    return { filter, companyPrefix, reference: asset, tail: null };
  }
  if (type === 'itip') {
    const serial = urnDecode(parts.slice(4).join('.'), 20);
    if (serial === null) throw new EpcSyntaxError(`${JSON.stringify(value)} is not a valid ITIP EPC URN`);
    return { filter, companyPrefix, reference, pieces: { piece: parts[2], total: parts[3] }, tail: serial };
  }
  const tail = urnDecode(rest, 20);
  if (tail === null) throw new EpcSyntaxError(`${JSON.stringify(value)} is not a valid ${type.toUpperCase()} EPC URN`);
  return { filter, companyPrefix, reference, tail };
}

const IDENTITY_TYPES: readonly IdentityType[] = ['sgtin', 'sscc', 'sgln', 'grai', 'giai', 'gdti', 'gsrn', 'gsrnp', 'sgcn', 'cpi', 'itip'];

function parsePureIdentity(value: string, filter: number): { type: IdentityType; fields: Fields } {
  const m = PURE_IDENTITY.exec(value);
  const type = m?.[1] as IdentityType;
  if (!m || !IDENTITY_TYPES.includes(type)) {
    throw new EpcSyntaxError(`${JSON.stringify(value)} is not an EPC URN of a supported scheme (${IDENTITY_TYPES.join(', ')})`);
  }
  return { type, fields: identityFields(type, m[2], value, filter) };
}

const fitsInteger = (text: string | null, bits: number) => text !== null && INTEGER.test(text) && BigInt(text) <= mask(bits);

// The 96-bit scheme where the values fit; serials, extensions and asset references that do not
// fit take the long scheme of their type.
function schemeFor(type: IdentityType, fields: Fields): SchemeSpec {
  const pick = (fits: boolean, short: EpcScheme, long: EpcScheme) => BY_NAME.get(fits ? short : long) as SchemeSpec;
  switch (type) {
    case 'sgtin':
      return pick(fitsInteger(fields.tail, 38), 'sgtin-96', 'sgtin-198');
    case 'sgln':
      return pick(fitsInteger(fields.tail, 41), 'sgln-96', 'sgln-195');
    case 'grai':
      return pick(fitsInteger(fields.tail, 38), 'grai-96', 'grai-170');
    case 'giai':
      return pick(
        fitsInteger(fields.reference, (BY_NAME.get('giai-96') as SchemeSpec).referenceBits[12 - fields.companyPrefix.length]),
        'giai-96',
        'giai-202',
      );
    case 'gdti':
      return pick(fitsInteger(fields.tail, 41), 'gdti-96', 'gdti-174');
    case 'itip':
      return pick(fitsInteger(fields.tail, 38), 'itip-110', 'itip-212');
    case 'sscc':
    case 'gsrn':
    case 'gsrnp':
    case 'sgcn':
    case 'cpi':
      return BY_NAME.get(`${type}-96` as EpcScheme) as SchemeSpec;
  }
}

function fromPureIdentity(value: string, filter: number): DecodedTag {
  const gid = /^urn:epc:id:gid:(.*)$/.exec(value);
  if (gid) return encodeGid(gid[1], value);
  const { type, fields } = parsePureIdentity(value, checkFilter(filter, value));
  return encodeFields(schemeFor(type, fields), fields, value);
}

function fromTagUri(value: string): DecodedTag {
  const m = TAG_URI.exec(value) as RegExpExecArray;
  if (m[1] === 'gid-96') return encodeGid(m[2], value);
  const spec = BY_NAME.get(m[1] as EpcScheme);
  if (!spec) throw new EpcSyntaxError(`${JSON.stringify(value)}: tag scheme ${m[1]} is not supported (${EPC_SCHEMES.join(', ')})`);
  const filter = /^([0-7])\.(.*)$/.exec(m[2]);
  if (!filter)
    throw new EpcSyntaxError(
      `${JSON.stringify(value)} is not a valid ${spec.name.toUpperCase()} tag URI: it must start with a filter value 0–7`,
    );
  const fields = identityFields(spec.type, filter[2], value, Number(filter[1]));
  return encodeFields(spec, fields, value);
}

function prefixLength(option: DecodeOptions['companyPrefixLength'], digits: string): number | null {
  return typeof option === 'function' ? option(digits) : (option ?? null);
}

// The keys a Digital Link of one tagged object names, by AI: the EPC URN's scheme, and where
// the company prefix starts (after an indicator or extension digit, or GRAI's zero).
const LINK_KEYS: Record<string, { type: string; skip: number }> = {
  '01': { type: 'sgtin', skip: 1 },
  '00': { type: 'sscc', skip: 1 },
  '414': { type: 'sgln', skip: 0 },
  '8003': { type: 'grai', skip: 1 },
  '8004': { type: 'giai', skip: 0 },
  '253': { type: 'gdti', skip: 0 },
  '255': { type: 'sgcn', skip: 0 },
  '8017': { type: 'gsrnp', skip: 0 },
  '8018': { type: 'gsrn', skip: 0 },
  '8010': { type: 'cpi', skip: 0 },
  '8006': { type: 'itip', skip: 1 },
};

// The EPC URN of a GDTI, SGCN, GSRN, GSRNP or CPI Digital Link (canonical), given its company prefix length.
function newKeyUrn(ai: string, keyValue: string, qualifier: string | undefined, rest: string, length: number): string | null {
  const cp = keyValue.slice(0, length);
  switch (ai) {
    case '253':
    case '255': {
      const serial = decodeURIComponent(keyValue.slice(13));
      return serial === '' ? null : `urn:epc:id:${LINK_KEYS[ai].type}:${cp}.${keyValue.slice(length, 12)}.${urnEncode(serial)}`;
    }
    case '8017':
    case '8018':
      return `urn:epc:id:${LINK_KEYS[ai].type}:${cp}.${keyValue.slice(length, 17)}`;
    case '8010':
      return qualifier === '8011' ? `urn:epc:id:cpi:${cp}.${decodeURIComponent(keyValue.slice(length))}.${rest}` : null;
  }
  return null;
}

// The EPC URN of an ITIP Digital Link (canonical) with its serial, given its company prefix length; null without a serial.
function itipUrn(keyValue: string, qualifier: string | undefined, rest: string, length: number): string | null {
  if (qualifier !== '21') return null;
  const cut = 1 + length;
  const pieces = `${keyValue.slice(14, 16)}.${keyValue.slice(16, 18)}`;
  return `urn:epc:id:itip:${keyValue.slice(1, cut)}.${keyValue[0]}${keyValue.slice(cut, 13)}.${pieces}.${urnEncode(decodeURIComponent(rest))}`;
}

function fromDigitalLink(value: string, options: DecodeOptions): DecodedTag {
  const canonical = canonicalGs1Uri(value);
  const key =
    canonical && /^https:\/\/id\.gs1\.org\/(01|00|414|8003|8004|253|255|8017|8018|8010|8006)\/([^/]+)(?:\/([^/]+)\/(.*))?$/.exec(canonical);
  if (!canonical || !key)
    throw new EpcSyntaxError(
      `${JSON.stringify(value)} is not a GS1 Digital Link of one tagged object (SGTIN, SSCC, SGLN, GRAI, GIAI, GDTI, SGCN, GSRN, GSRNP, CPI or ITIP)`,
    );
  const [, ai, keyValue, qualifier, rest] = key;
  if (ai === '01' && qualifier !== '21')
    throw new EpcSyntaxError(`${JSON.stringify(value)} names a product or lot, not one tagged item: it needs a serial (/21/)`);
  const digits = keyValue.slice(LINK_KEYS[ai].skip);
  const length = prefixLength(options.companyPrefixLength, digits);
  if (length === null || !Number.isInteger(length) || length < 6 || length > 12) {
    throw new EpcSyntaxError(
      `${JSON.stringify(value)}: a Digital Link does not say how long its GS1 company prefix is, and it is not known here`,
    );
  }
  const checked =
    ai === '8003'
      ? keyValue.slice(1, 14)
      : ai === '253' || ai === '255'
        ? keyValue.slice(0, 13)
        : ai === '8006'
          ? keyValue.slice(0, 14)
          : keyValue;
  if (ai !== '8004' && ai !== '8010' && gs1CheckDigit(checked.slice(0, -1)) !== Number(checked.slice(-1))) {
    throw new EpcSyntaxError(`${JSON.stringify(value)} has a wrong check digit`);
  }
  const urn =
    ai === '8004'
      ? `urn:epc:id:giai:${keyValue.slice(0, length)}.${urnEncode(decodeURIComponent(keyValue.slice(length)))}`
      : ai === '8006'
        ? itipUrn(keyValue, qualifier, rest, length)
        : LINK_KEYS[ai].skip === 0 && ai !== '414'
          ? newKeyUrn(ai, keyValue, qualifier, rest, length)
          : digitalLinkToEpcUrn(canonical, length);
  if (!urn?.startsWith('urn:epc:id:')) throw new EpcSyntaxError(`${JSON.stringify(value)} names a class of objects, not one tagged object`);
  return fromPureIdentity(urn, options.filter ?? 0);
}

const ENCODED_TAG = new RegExp(`^urn:epc:(?:raw:|tag:(?:${EPC_SCHEMES.join('|')}):)`);
const BARE_EPC = /^(?:0[xX])?(?:[0-9A-Fa-f]{24}|[0-9A-Fa-f]{28}|[0-9A-Fa-f]{44}|[0-9A-Fa-f]{50}|[0-9A-Fa-f]{56})$/;

/** A raw URI or a tag URI of a scheme this codec decodes (decodeTag may still find it malformed). */
export const isTagEncoding = (value: string) => ENCODED_TAG.test(epcUriSpelling(value));

/** 24, 28, 44, 50 or 56 hex digits, as a reader reports the EPC of a 96-, 110-, 174-, 198- or 212-bit tag. */
export const isBareEpc = (value: string) => BARE_EPC.test(value);

/**
 * Decodes any form a tag value arrives in: 24, 28, 44, 50 or 56 hex digits (optionally 0x…; other whole-word
 * lengths are raw tag ids), a raw URI, a tag URI, a pure-identity URN or a GS1 Digital Link.
 * Unknown headers and factory EPCs come back as raw tag ids; malformed values throw EpcSyntaxError.
 */
export function decodeTag(value: string, options: DecodeOptions = {}): DecodedTag {
  const text = epcUriSpelling(value.trim());
  const hex = HEX.exec(text);
  if (hex) return decodeHex(value, hex[1]);
  if (text.startsWith('urn:epc:raw:')) return decodeRawUri(text);
  if (TAG_URI.test(text)) return fromTagUri(text);
  if (text.startsWith('urn:epc:id:')) return fromPureIdentity(text, options.filter ?? 0);
  if (/^https?:\/\//i.test(text)) return fromDigitalLink(text, options);
  throw new EpcSyntaxError(`${JSON.stringify(value)} is not a tag value: give hex, a raw or tag URI, an EPC URN or a GS1 Digital Link`);
}

/**
 * The canonical Digital Link of the GS1 key a value names in any of its spellings: an EPC URN, a
 * tag or raw URI, a Digital Link on any host; null when it names none (or is malformed).
 */
export function gs1KeyUri(value: string): string | null {
  if (!isTagEncoding(value)) return canonicalGs1Uri(value);
  try {
    const tag = decodeTag(value);
    return tag.kind === 'gs1' ? tag.digitalLink : null;
  } catch (error) {
    if (error instanceof EpcSyntaxError) return null;
    throw error;
  }
}

/** Encodes a pure-identity URN (urn:epc:id:…) in the given scheme and filter (GID-96 takes none: 0). */
export function encodeTag(pureIdentity: string, options: { scheme: EpcScheme; filter: number }): DecodedTag {
  if (options.scheme === 'gid-96') {
    const gid = /^urn:epc:id:gid:(.*)$/.exec(pureIdentity);
    if (!gid) throw new EpcSyntaxError(`${JSON.stringify(pureIdentity)} is no GID, which GID-96 alone encodes`);
    return encodeGid(gid[1], pureIdentity);
  }
  const spec = BY_NAME.get(options.scheme);
  if (!spec) throw new EpcSyntaxError(`scheme ${options.scheme} is not supported`);
  const { type, fields } = parsePureIdentity(pureIdentity, checkFilter(options.filter, pureIdentity));
  if (type !== spec.type)
    throw new EpcSyntaxError(
      `${JSON.stringify(pureIdentity)} is an ${type.toUpperCase()}, which ${spec.name.toUpperCase()} does not encode`,
    );
  return encodeFields(spec, fields, pureIdentity);
}
