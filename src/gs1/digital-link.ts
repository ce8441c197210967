// GS1 Digital Link URIs (uncompressed), parsed as a resolver receives them and built for labels.
// Pure: no I/O. The reference is the GS1 Digital Link Standard: URI Syntax (1.4) as the GS1
// Barcode Syntax Engine applies it, with the AI formats of the GS1 General Specifications.
//
// The codec reads the keys this project issues: GTIN (01), SSCC (00), GLN (414) and GRAI (8003).
// The other primary keys of the standard are recognised, so that they end a deployment prefix, and
// reported as 'unsupported-key'.
//
// What a URI must look like, every rule enforced:
// - Path: [deployment prefix] /{primary key AI}/{value} [/{key qualifier AI}/{value}]…, the qualifiers
//   in the order the standard gives for the key, each at most once. (01) takes (22) (10) (21) in that
//   order, any of them, or (235) alone: the third-party controlled serial never mixes with them.
//   (414) takes (254) or (7040); (7040) is reported as 'unsupported-key'. (00) and (8003) take none.
// - The primary key is found as the syntax engine finds it: walking /AI/value pairs back from the end
//   of the path, the first pair whose AI is a primary key. Everything before it is the prefix.
// - A GTIN is written with 14 digits. A zero-suppressed GTIN-8, -12 or -13 is an error
//   ('zero-suppressed'): the standard says they SHALL be padded with leading zeros. This holds in the
//   path and in the query string alike, as in the syntax engine, whose padding is a legacy option
//   that is off by default.
// - The path does not end in '/' ('trailing-slash'): the standard's syntax has no empty element
//   there, so `/01/…/10/LOT1/` is not a way of writing `/01/…/10/LOT1`.
// - Only characters a URI may carry appear unencoded; every %-escape is complete (RFC 3986).
//   Values are percent-decoded, then checked against their AI's format: length, character set
//   (GS1 charset 82 for X, digits for N, charset 39 for Y, base64url for Z), check digits,
//   dates and times. '+' is a plus sign in the path and a space in the query string.
// - Query string: `key=value` pairs joined by '&'. An all-numeric key (after percent-decoding) is
//   a GS1 Application Identifier: it must exist, be one the standard permits as a data attribute
//   (a primary key may be one: of two keys on an item, one is the path and the other goes in the
//   query string, URI Syntax 4.10; the Syntax Dictionary's '?' flag marks them all),
//   not be a key qualifier that belongs in this path, appear once in the whole URI, have a valid
//   value, and not be one the GS1 General Specifications forbid alongside another AI present.
// - Every non-numeric key is allowed: the standard reserves all-numeric keys for AIs and lets other
//   extension keys through. They come back in `params`. The resolver reads `linkType`, `format`,
//   `lang`, `region` and `context` (RESOLVER_PARAMETERS), whose values must decode as UTF-8, and passes
//   over the rest (e.g. utm_source) unchecked: one that does not decode (a GBK-encoded campaign tag,
//   `?utm=%B0%D9`, or a stray "%") is left out of `params`, as is a key whose complete escapes are not UTF-8.
//
// Where this is stricter than the syntax engine: a numeric key with no `=value` is an error (the
// engine skips it), an incomplete %-escape is an error (the engine keeps it as text), and an AI
// key written with %-escapes (`%31%37`) is that AI (RFC 3986 makes them the same key). Not checked:
// the code lists behind some AIs (country, currency and media-type codes, IBAN, coupon formats, the
// GMN check pair, GS1 company prefixes) and "requires" pairings (e.g. (10) with (01) or (02)), which
// the General Specifications apply across every carrier on an item, not to one URI.

import { gs1CheckDigit, isValidGtin, toGtin14 } from '../codes/gs1.js';

export type PrimaryKey = '01' | '00' | '414' | '8003';

export type DigitalLink = {
  /** the deployment prefix: the path before the primary key, '' when the key comes first */
  prefix: string;
  primaryKey: PrimaryKey;
  gtin?: string;
  sscc?: string;
  gln?: string;
  grai?: string;
  cpv?: string;
  lot?: string;
  serial?: string;
  /** (235) third-party controlled, serialised extension of the GTIN */
  tpx?: string;
  glnExtension?: string;
  /** GS1 AI data attributes from the query string, by AI */
  dataAttributes: Record<string, string>;
  /**
   * every non-numeric query parameter, percent-decoded; one the resolver does not read (not RESOLVER_PARAMETERS) whose
   * key or value does not decode (not UTF-8, a stray "%") is left out; without a prototype, so that the names of
   * the object machinery (`__proto__`, `constructor`) are params as any other
   */
  params: Record<string, string>;
};

export type DigitalLinkErrorCode =
  | 'unknown-key' // no primary key, an unknown AI, or an AI that is not a qualifier of this key
  | 'unsupported-key' // a key or qualifier of the standard that this codec does not read
  | 'check-digit'
  | 'bad-value' // length, character set, date, or a character a URI may not carry
  | 'empty'
  | 'order' // key qualifiers out of the standard's order
  | 'duplicate' // an AI twice in one URI
  | 'exclusive' // AIs the standard forbids together
  | 'misplaced' // a query AI that belongs in the path or may not be a data attribute
  | 'zero-suppressed' // a GTIN with fewer than 14 digits
  | 'trailing-slash';
type DigitalLinkError = { code: DigitalLinkErrorCode; message: string };
type DigitalLinkResult = { ok: true; value: DigitalLink } | { ok: false; error: DigitalLinkError };

type DigitalLinkId =
  | { gtin: string; cpv?: string; lot?: string; serial?: string; tpx?: string }
  | { sscc: string }
  | { gln: string; glnExtension?: string }
  | { grai: string };

/** Non-AI query parameters the resolver itself reads; any other non-numeric key is passed over. */
export const RESOLVER_PARAMETERS = ['linkType', 'format', 'lang', 'region', 'context'] as const;

type Checked = { ok: true; value: string } | { ok: false; error: DigitalLinkError };

function fail(code: DigitalLinkErrorCode, message: string): { ok: false; error: DigitalLinkError } {
  return { ok: false, error: { code, message } };
}

// ---------------------------------------------------------------------------------------------
// Application Identifiers: format of each AI's value (GS1 General Specifications, section 3),
// whether it may be a Digital Link data attribute, and the AIs it may not appear with.
//
// Format: space-separated components, `N` digits, `X` charset 82, `Y` charset 39, `Z` base64url;
// `N6` exactly 6, `X..20` 1 to 20, `[…]` optional; `:name` a content check from CHECKS.
// Flags: `q` permitted in the query string as a data attribute; `ex=…` not with these AIs
// (`310n` is every AI starting 310).

const AI_ROWS: readonly (readonly [ais: string, format: string, flags?: string])[] = [
  ['00', 'N18:csum', 'q'],
  ['01', 'N14:csum', 'q ex=255,37'],
  ['02', 'N14:csum', 'q ex=01,03'],
  ['03', 'N14:csum', 'ex=01,02,37,235'],
  ['10', 'X..20', 'q'],
  ['11-13', 'N6:yymmd0', 'q'],
  ['15-17', 'N6:yymmd0', 'q'],
  ['20', 'N2', 'q'],
  ['21', 'X..20', 'ex=235'],
  ['22', 'X..20'],
  ['235', 'X..28'],
  ['240-241', 'X..30', 'q'],
  ['242', 'N..6', 'q'],
  ['243', 'X..20', 'q'],
  ['250-251', 'X..30', 'q'],
  ['253', 'N13:csum [X..17]', 'q'],
  ['254', 'X..20'],
  ['255', 'N13:csum [N..12]', 'q ex=01,02,415,8006,8020,8026'],
  ['30', 'N..8', 'q'],
  ['37', 'N..8', 'q'],
  ['3900-3909', 'N..15', 'q ex=390n,391n,394n,8111'],
  ['3910-3919', 'N3 N..15', 'q ex=391n'],
  ['3920-3929', 'N..15', 'q ex=392n,393n'],
  ['3930-3939', 'N3 N..15', 'q ex=393n'],
  ['3940-3943', 'N4', 'q ex=394n,8111'],
  ['3950-3955', 'N6', 'q ex=392n,393n,395n,8005'],
  ['400', 'X..30', 'q'],
  ['401', 'X..30:gcp', 'q'],
  ['402', 'N17:csum', 'q'],
  ['403', 'X..30', 'q'],
  ['410-417', 'N13:csum', 'q'],
  ['420', 'X..20', 'q ex=421'],
  ['421', 'N3 X..9', 'q ex=4307'],
  ['422', 'N3', 'q ex=426'],
  ['423', 'N3 [N3] [N3] [N3] [N3]', 'q ex=426'],
  ['424', 'N3', 'q ex=426'],
  ['425', 'N3 [N3] [N3] [N3] [N3]', 'q ex=426'],
  ['426', 'N3', 'q'],
  ['427', 'X..3', 'q'],
  ['4300-4301', 'X..35:pcenc', 'q'],
  ['4302-4306', 'X..70:pcenc', 'q'],
  ['4307', 'X2:alpha2', 'q'],
  ['4308', 'X..30', 'q'],
  ['4309', 'N10:latitude N10:longitude', 'q'],
  ['4310-4311', 'X..35:pcenc', 'q'],
  ['4312-4316', 'X..70:pcenc', 'q'],
  ['4317', 'X2:alpha2', 'q'],
  ['4318', 'X..20', 'q'],
  ['4319', 'X..30', 'q'],
  ['4320', 'X..35:pcenc', 'q'],
  ['4321-4323', 'N1:yesno', 'q'],
  ['4324-4325', 'N6:yymmd0 N4:hhmi', 'q'],
  ['4326', 'N6:yymmdd', 'q'],
  ['4330', 'N6 [X1:hyphen]', 'q ex=4331'],
  ['4331', 'N6 [X1:hyphen]', 'q ex=4330'],
  ['4332', 'N6 [X1:hyphen]', 'q ex=4333'],
  ['4333', 'N6 [X1:hyphen]', 'q ex=4332'],
  ['7001', 'N13', 'q'],
  ['7002', 'X..30', 'q'],
  ['7003', 'N6:yymmdd N4:hhmi', 'q'],
  ['7004', 'N..4', 'q'],
  ['7005', 'X..12', 'q'],
  ['7006', 'N6:yymmdd', 'q'],
  ['7007', 'N6:yymmdd [N6:yymmdd]', 'q'],
  ['7008', 'X..3', 'q'],
  ['7009', 'X..10', 'q'],
  ['7010', 'X..2', 'q'],
  ['7011', 'N6:yymmdd [N4:hhmi]', 'q'],
  ['7020-7022', 'X..20', 'q'],
  ['7023', 'X..30:gcp', 'q'],
  ['7030-7039', 'N3 X..27', 'q'],
  ['7040', 'N1 X1 X1 X1:importer'],
  ['7041', 'X..4'],
  ['710-717', 'X..20', 'q'],
  ['7230-7239', 'X2 X..28', 'q'],
  ['7240', 'X..20', 'q ex=03'],
  ['7241', 'N2:mediatype', 'q'],
  ['7242', 'X..25', 'q'],
  ['7250', 'N8:yyyymmdd', 'q ex=7251'],
  ['7251', 'N8:yyyymmdd N4:hhmi', 'q ex=7250'],
  ['7252', 'N1:iso5218', 'q'],
  ['7253-7254', 'X..40:pcenc', 'q ex=7256,7259'],
  ['7255', 'X..10', 'q ex=7256,7259'],
  ['7256', 'X..90:pcenc', 'q'],
  ['7257', 'X..70:pcenc', 'q'],
  ['7258', 'X3:posinseq', 'q'],
  ['7259', 'X..40:pcenc', 'q ex=7256'],
  ['8001', 'N4:nonzero N5:nonzero N3:nonzero N1:winding N1', 'q'],
  ['8002', 'X..20', 'q'],
  ['8003', 'N1:zero N13:csum [X..16]', 'q'],
  ['8004', 'X..30:gcp', 'q'],
  ['8005', 'N6', 'q'],
  ['8006', 'N14:csum N4:pieceoftotal', 'q ex=01,03,37'],
  ['8007', 'X..34', 'q'],
  ['8008', 'N6:yymmdd N2:hh [N2:mi] [N2:ss]', 'q'],
  ['8009', 'X..50', 'q'],
  ['8010', 'Y..30:gcp', 'q'],
  ['8011', 'N..12:nozeroprefix'],
  ['8012', 'X..20', 'q'],
  ['8013', 'X..25:gcp', 'q'],
  ['8014', 'X..25:gcp'],
  ['8017', 'N18:csum', 'q ex=8018'],
  ['8018', 'N18:csum', 'q ex=8017'],
  ['8019', 'N..10'],
  ['8020', 'X..25'],
  ['8026', 'N14:csum N4:pieceoftotal', 'q ex=02,03,8006'],
  ['8030', 'Z..90', 'q'],
  ['8040-8041', 'N15'],
  ['8042', 'N32'],
  ['8043', 'N18 [N..2]'],
  ['8110', 'X..70', 'q'],
  ['8111', 'N4', 'q'],
  ['8112', 'X..70', 'q'],
  ['8200', 'X..70'],
  ['90', 'X..30', 'q'],
  ['91-99', 'X..90', 'q'],
];

// Measures (net weight, length, area, volume, …) with the decimal point position in the fourth digit;
// only one decimal position of each measure per item.
const MEASURES =
  '310 311 312 313 314 315 316 320 321 322 323 324 325 326 327 328 329 330 331 332 333 334 335 336 337 340 341 342 343 344 345 346 347 348 349 350 351 352 353 354 355 356 357 360 361 362 363 364 365 366 367 368 369';

type Charset = 'N' | 'X' | 'Y' | 'Z';
type Component = { charset: Charset; min: number; max: number; optional: boolean; check?: string };
type AiSpec = { components: readonly Component[]; attribute: boolean; exclusive: readonly string[] };

const CHARSETS: Record<Charset, { pattern: RegExp; name: string }> = {
  N: { pattern: /^\d+$/, name: 'digits' },
  X: { pattern: /^[!"%-?A-Z_a-z]+$/, name: 'characters of GS1 charset 82' },
  Y: { pattern: /^[#\-/0-9A-Z]+$/, name: 'characters of GS1 charset 39' },
  Z: { pattern: /^[-0-9A-Z_a-z]+={0,2}$/, name: 'base64url characters' },
};

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isDate(year: number, mm: number, dd: number, dayZero: boolean): boolean {
  if (mm < 1 || mm > 12) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = mm === 2 && !leap ? 28 : DAYS_IN_MONTH[mm - 1];
  return dd <= days && (dayZero || dd >= 1);
}

// YYMMDD: the General Specifications place YY within 49 years back and 50 ahead; for leap years
// only YY 00 depends on the century, and it means 2000 (a leap year) until 2049.
function isYymmdd(value: string, dayZero: boolean): boolean {
  const [yy, mm, dd] = [value.slice(0, 2), value.slice(2, 4), value.slice(4, 6)].map(Number);
  return isDate(2000 + yy, mm, dd, dayZero);
}

const pieces = (value: string) => [value.slice(0, value.length / 2), value.slice(value.length / 2)];

/** Content checks on one component, applied after its length and character set are right. */
const CHECKS: Record<string, { test: (value: string) => boolean; what: string }> = {
  csum: { test: (v) => gs1CheckDigit(v.slice(0, -1)) === Number(v.at(-1)), what: 'a valid check digit' },
  yymmd0: { test: (v) => isYymmdd(v, true), what: 'a YYMMDD date, DD 00 for the end of the month' },
  yymmdd: { test: (v) => isYymmdd(v, false), what: 'a YYMMDD date' },
  yyyymmdd: { test: (v) => isDate(Number(v.slice(0, 4)), Number(v.slice(4, 6)), Number(v.slice(6)), false), what: 'a YYYYMMDD date' },
  hhmi: { test: (v) => /^([01]\d|2[0-3])[0-5]\d$/.test(v), what: 'an HHMM time' },
  hh: { test: (v) => /^([01]\d|2[0-3])$/.test(v), what: 'an hour 00-23' },
  mi: { test: (v) => /^[0-5]\d$/.test(v), what: 'minutes 00-59' },
  ss: { test: (v) => /^[0-5]\d$/.test(v), what: 'seconds 00-59' },
  yesno: { test: (v) => v === '0' || v === '1', what: '0 or 1' },
  zero: { test: (v) => v === '0', what: '0' },
  nonzero: { test: (v) => /[1-9]/.test(v), what: 'not zero' },
  winding: { test: (v) => /^[019]$/.test(v), what: 'a winding direction 0, 1 or 9' },
  hyphen: { test: (v) => v === '-', what: 'a hyphen' },
  iso5218: { test: (v) => /^[0129]$/.test(v), what: 'an ISO 5218 sex code 0, 1, 2 or 9' },
  mediatype: { test: (v) => (Number(v) >= 1 && Number(v) <= 10) || Number(v) >= 80, what: 'an AIDC media type' },
  latitude: { test: (v) => Number(v) <= 1_800_000_000, what: 'a latitude' },
  longitude: { test: (v) => Number(v) <= 3_600_000_000, what: 'a longitude' },
  nozeroprefix: { test: (v) => !v.startsWith('0'), what: 'a number without leading zeros' },
  pieceoftotal: {
    test: (v) => {
      const [piece, total] = pieces(v);
      return /[1-9]/.test(piece) && /[1-9]/.test(total) && piece <= total;
    },
    what: 'a piece number not above the total',
  },
  posinseq: {
    test: (v) => {
      const m = /^([1-9]\d*)\/([1-9]\d*)$/.exec(v);
      return m !== null && Number(m[1]) <= Number(m[2]);
    },
    what: 'a position n/m',
  },
  pcenc: { test: (v) => !/%(?![0-9A-Fa-f]{2})/.test(v), what: 'complete %-escapes' },
  importer: { test: (v) => /^[-0-9A-Z_a-z]$/.test(v), what: 'an importer index' },
  alpha2: { test: (v) => /^[A-Z]{2}$/.test(v), what: 'an ISO 3166 alpha-2 country code' },
  gcp: { test: (v) => /^\d{4}/.test(v), what: 'a value starting with a GS1 company prefix' },
};

function parseFormat(format: string): Component[] {
  return format.split(' ').map((part) => {
    const optional = part.startsWith('[');
    const m = /^([NXYZ])(\.\.)?(\d+)(?::(\w+))?$/.exec(optional ? part.slice(1, -1) : part) as RegExpExecArray;
    const max = Number(m[3]);
    return { charset: m[1] as Charset, min: m[2] ? 1 : max, max, optional, ...(m[4] ? { check: m[4] } : {}) };
  });
}

function expand(range: string): string[] {
  const [first, last = first] = range.split('-');
  const out: string[] = [];
  for (let n = Number(first); n <= Number(last); n++) out.push(String(n).padStart(first.length, '0'));
  return out;
}

const AIS: ReadonlyMap<string, AiSpec> = (() => {
  const table = new Map<string, AiSpec>();
  const add = (range: string, format: string, flags = '') => {
    const words = flags.split(' ');
    const exclusive =
      words
        .find((w) => w.startsWith('ex='))
        ?.slice(3)
        .split(',') ?? [];
    for (const ai of expand(range)) table.set(ai, { components: parseFormat(format), attribute: words.includes('q'), exclusive });
  };
  for (const [range, format, flags] of AI_ROWS) add(range, format, flags);
  for (const measure of MEASURES.split(' ')) add(`${measure}0-${measure}5`, 'N6', `q ex=${measure}n`);
  return table;
})();

/** `310n` matches every four-digit AI starting 310; anything else matches itself. */
const matches = (pattern: string, ai: string) =>
  pattern.endsWith('n') ? ai.length === 4 && ai.startsWith(pattern.slice(0, 3)) : ai === pattern;

const isAi = (ai: string) => AIS.has(ai);

function describe(components: readonly Component[]): string {
  return components
    .map((c) => {
      const count = c.min === c.max ? `${c.max}` : `1-${c.max}`;
      const text = `${count} ${CHARSETS[c.charset].name}${c.check && c.check !== 'csum' ? ` (${CHECKS[c.check].what})` : ''}`;
      return c.optional ? `[${text}]` : text;
    })
    .join(' + ');
}

/** Checks a decoded value against its AI's format: length, character set, content checks (but those named in `skip`). */
function checkAi(ai: string, value: string, skip: readonly string[] = []): Checked {
  const spec = AIS.get(ai) as AiSpec;
  const wrong = () => fail('bad-value', `AI (${ai}) must be ${describe(spec.components)}, got ${JSON.stringify(value)}`);
  let at = 0;
  // a wrong check digit is told once the value has its format's length: a digit too many is the length
  let checkDigit: Checked | undefined;
  for (const c of spec.components) {
    if (at === value.length && c.optional) break;
    const part = value.slice(at, c.min === c.max ? at + c.max : undefined);
    if (part.length < c.min || part.length > c.max || !CHARSETS[c.charset].pattern.test(part)) return wrong();
    if (c.check && !skip.includes(c.check) && !CHECKS[c.check].test(part)) {
      if (c.check !== 'csum') return wrong();
      checkDigit ??= fail('check-digit', `AI (${ai}) has a wrong check digit: ${part}`);
    }
    at += part.length;
  }
  if (at !== value.length) return wrong();
  return checkDigit ?? { ok: true, value };
}

/**
 * What is wrong with a decoded value of AI `ai` by the AI's format in the table above (length, character
 * set, check digit, content checks such as a piece not above its total), or undefined when nothing is.
 * Checks named in `skip` (e.g. `csum`, `zero`) are left to the caller.
 */
export function aiValueError(ai: string, value: string, skip: readonly string[] = []): DigitalLinkError | undefined {
  if (!isAi(ai)) return { code: 'unknown-key', message: `(${ai}) is not a GS1 Application Identifier` };
  const checked = checkAi(ai, value, skip);
  return checked.ok ? undefined : checked.error;
}

/** A GTIN in a Digital Link has 14 digits; a valid shorter GTIN is named as such, with its 14-digit form. */
function checkValue(ai: string, value: string): Checked {
  if (ai === '01' && /^\d{8}$|^\d{12,13}$/.test(value) && isValidGtin(value)) {
    return fail('zero-suppressed', `AI (01) GTIN-${value.length} ${value} must be written with 14 digits: ${toGtin14(value)}`);
  }
  return checkAi(ai, value);
}

/** Non-empty and every character in GS1 AI encodable character set 82. */
export function isGs1Charset82(value: string): boolean {
  return typeof value === 'string' && CHARSETS.X.pattern.test(value);
}

// ---------------------------------------------------------------------------------------------
// Primary keys and key qualifiers of the Digital Link standard. Each alternative lists the
// qualifiers in path order; a path may use any of one alternative's qualifiers, in that order.

const PRIMARY_KEYS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  '00': [],
  '01': [['22', '10', '21'], ['235']],
  '253': [],
  '255': [],
  '401': [],
  '402': [],
  '414': [['254'], ['7040']],
  '415': [['8020']],
  '417': [['7040']],
  '8003': [],
  '8004': [['7040']],
  '8006': [['22', '10', '21']],
  '8010': [['8011']],
  '8013': [],
  '8017': [['8019']],
  '8018': [['8019']],
};

const FIELD = {
  '01': 'gtin',
  '00': 'sscc',
  '414': 'gln',
  '8003': 'grai',
  '22': 'cpv',
  '10': 'lot',
  '21': 'serial',
  '235': 'tpx',
  '254': 'glnExtension',
} as const;

/** Key qualifier sequences the standard gives the primary keys this codec reads (for resolver descriptions). */
export const KEY_QUALIFIERS: Readonly<Record<PrimaryKey, readonly (readonly string[])[]>> = {
  '01': PRIMARY_KEYS['01'],
  '00': PRIMARY_KEYS['00'],
  '414': PRIMARY_KEYS['414'],
  '8003': PRIMARY_KEYS['8003'],
};

const isPrimaryKey = (ai: string) => Object.hasOwn(PRIMARY_KEYS, ai);
const QUALIFIER_AIS: ReadonlySet<string> = new Set(Object.values(PRIMARY_KEYS).flat(2));

/** `qualifiers` taken in order from `alternative`, each once. */
function follows(qualifiers: readonly string[], alternative: readonly string[]): boolean {
  let at = -1;
  for (const q of qualifiers) {
    at = alternative.indexOf(q, at + 1);
    if (at === -1) return false;
  }
  return true;
}

/**
 * What is wrong with the key qualifiers of a path, in path order, for primary key `key`: an AI that is none
 * of its qualifiers, one twice, ones the standard does not combine ((235) with any other) or out of order.
 */
export function checkKeyQualifiers(key: string, qualifiers: readonly string[]): DigitalLinkError | undefined {
  const alternatives = PRIMARY_KEYS[key];
  if (qualifiers.length === 0 || alternatives.some((alternative) => follows(qualifiers, alternative))) return undefined;
  for (const q of qualifiers) {
    if (!alternatives.some((alternative) => alternative.includes(q))) {
      const hint = AIS.get(q)?.attribute ? '; data attributes go in the query string' : '';
      return { code: 'unknown-key', message: `AI (${q}) is not a key qualifier of (${key})${hint}` };
    }
  }
  const twice = qualifiers.find((q, i) => qualifiers.indexOf(q) !== i);
  if (twice) return { code: 'duplicate', message: `AI (${twice}) appears twice` };
  const first = alternatives.find((alternative) => alternative.includes(qualifiers[0])) as readonly string[];
  const other = qualifiers.find((q) => !first.includes(q));
  if (other) return { code: 'exclusive', message: `AI (${other}) cannot be combined with (${qualifiers[0]}) after (${key})` };
  const late = qualifiers.findIndex((q, i) => i > 0 && first.indexOf(q) < first.indexOf(qualifiers[i - 1]));
  return { code: 'order', message: `AI (${qualifiers[late]}) must come before (${qualifiers[late - 1]})` };
}

/** A query AI that would make a valid key qualifier sequence somewhere after the primary key belongs in the path. */
function belongsInPath(key: string, qualifiers: readonly string[], ai: string): boolean {
  for (let i = 0; i <= qualifiers.length; i++) {
    const sequence = [...qualifiers.slice(0, i), ai, ...qualifiers.slice(i)];
    if (PRIMARY_KEYS[key].some((alternative) => follows(sequence, alternative))) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Parsing

// RFC 3986 characters (unreserved, reserved and '%'); anything else must arrive percent-encoded.
const URI_CHARACTER = /^[-A-Za-z0-9._~:/?#[\]@!$&'()*+,;=%]*$/;

function percentDecode(what: string, raw: string): Checked {
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) return fail('bad-value', `${what} has an incomplete %-escape: ${JSON.stringify(raw)}`);
  try {
    return { ok: true, value: decodeURIComponent(raw) };
  } catch {
    return fail('bad-value', `${what} is not UTF-8 once %-decoded: ${JSON.stringify(raw)}`);
  }
}

// application/x-www-form-urlencoded: '+' is a space in the query string.
const formDecode = (what: string, raw: string) => percentDecode(what, raw.replace(/\+/g, ' '));

type Located = { start: number; stop?: string };

/** Index of the primary key among the path's elements, found walking /AI/value pairs back from the end. */
function locate(segments: readonly string[]): Located {
  for (let i = segments.length - 2; i >= 0; i -= 2) {
    if (!isAi(segments[i])) return { start: -1, stop: segments[i] };
    if (isPrimaryKey(segments[i])) return { start: i };
  }
  return { start: -1 };
}

const segmentsOf = (path: string) => (path.startsWith('/') ? path.slice(1) : path).split('/');

/** Whether a query key is one of the parameters the resolver reads (RESOLVER_PARAMETERS). */
export const isResolverParameter = (key: string) => (RESOLVER_PARAMETERS as readonly string[]).includes(key);

function parseQuery(query: string, link: DigitalLink, qualifiers: readonly string[], seen: Set<string>): DigitalLinkError | undefined {
  const named = new Set<string>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? undefined : pair.slice(eq + 1);
    const key = formDecode('a query key', rawKey);
    // a key whose escapes are complete but not UTF-8 is no AI (digits) and no resolver parameter: passed over, as
    // written; one with an incomplete escape cannot be told from an AI written with escapes
    if (!key.ok && /%(?![0-9A-Fa-f]{2})/.test(rawKey)) return key.error;
    if (!key.ok) continue;
    if (key.value === '') return { code: 'unknown-key', message: 'a query parameter has no name' };
    if (!/^\d+$/.test(key.value)) {
      // a parameter given twice keeps its first value, as URLSearchParams.get reads it
      const first = !named.has(key.value);
      named.add(key.value);
      const value = formDecode(`query parameter ${key.value}`, rawValue ?? '');
      // an extension parameter the resolver does not read is not checked: one that does not decode (a GBK-encoded
      // campaign tag, a stray "%") is left out of `params`, and passed on as written
      if (!value.ok && isResolverParameter(key.value)) return value.error;
      if (value.ok && first) link.params[key.value] = value.value;
      continue;
    }
    const ai = key.value;
    if (!isAi(ai)) return { code: 'unknown-key', message: `(${ai}) in the query string is not a GS1 Application Identifier` };
    if (!rawValue) return { code: 'empty', message: `AI (${ai}) has no value` };
    if (seen.has(ai)) return { code: 'duplicate', message: `AI (${ai}) appears twice` };
    seen.add(ai);
    if (!AIS.get(ai)?.attribute) {
      const where = QUALIFIER_AIS.has(ai) ? 'it is a key qualifier and goes in the path' : 'the standard does not allow it there';
      return { code: 'misplaced', message: `AI (${ai}) may not be a data attribute in the query string: ${where}` };
    }
    if (belongsInPath(link.primaryKey, qualifiers, ai)) {
      return { code: 'misplaced', message: `AI (${ai}) is a key qualifier of (${link.primaryKey}): it belongs in the path, not the query` };
    }
    const decoded = formDecode(`AI (${ai})`, rawValue);
    const value = decoded.ok ? checkValue(ai, decoded.value) : decoded;
    if (!value.ok) return value.error;
    link.dataAttributes[ai] = value.value;
  }
  for (const ai of seen) {
    for (const pattern of AIS.get(ai)?.exclusive ?? []) {
      const other = [...seen].find((b) => b !== ai && matches(pattern, b));
      if (other) return { code: 'exclusive', message: `AI (${ai}) cannot be used with (${other}) in one item's data` };
    }
  }
  return undefined;
}

function parse(path: string, query: string): DigitalLinkResult {
  const segments = segmentsOf(path);
  const { start, stop } = locate(segments);
  if (start === -1) {
    const last = segments[segments.length - 1];
    if (isPrimaryKey(last)) return fail('empty', `AI (${last}) has no value`);
    const why = stop === undefined ? '' : `: (${stop}) is not a GS1 Application Identifier`;
    return fail('unknown-key', `no GS1 primary key (01, 00, 414, 8003) in the path${why}`);
  }
  const key = segments[start];
  if (!Object.hasOwn(KEY_QUALIFIERS, key)) return fail('unsupported-key', `GS1 key (${key}) is not one this service reads`);
  const ais = segments.filter((_, i) => i >= start && (i - start) % 2 === 0);
  const qualifiers = ais.slice(1);
  const wrong = checkKeyQualifiers(key, qualifiers);
  if (wrong) return { ok: false, error: wrong };
  const unread = qualifiers.find((q) => !Object.hasOwn(FIELD, q));
  if (unread) return fail('unsupported-key', `key qualifier (${unread}) of (${key}) is not one this service reads`);

  const prefix = segments.slice(0, start).join('/');
  const link: DigitalLink = {
    prefix: prefix && (path.startsWith('/') ? `/${prefix}` : prefix),
    primaryKey: key as PrimaryKey,
    dataAttributes: {},
    // a key is the scanner's: `__proto__` or `constructor` is a param as any other, and no param is inherited
    params: Object.create(null),
  };
  for (const [n, ai] of ais.entries()) {
    const raw = segments[start + 2 * n + 1];
    if (raw === '') return fail('empty', `AI (${ai}) has no value`);
    const decoded = percentDecode(`AI (${ai})`, raw);
    const value = decoded.ok ? checkValue(ai, decoded.value) : decoded;
    if (!value.ok) return value;
    link[FIELD[ai as keyof typeof FIELD]] = value.value;
  }
  const error = parseQuery(query, link, qualifiers, new Set(ais));
  return error ? { ok: false, error } : { ok: true, value: link };
}

/**
 * Parses the path and query of a Digital Link request (a fragment is ignored). Anything before the
 * primary key is a deployment prefix. See the head of this module for every rule applied.
 */
export function parseDigitalLinkPath(pathAndQuery: string): DigitalLinkResult {
  if (!URI_CHARACTER.test(pathAndQuery)) {
    const c = [...pathAndQuery].find((ch) => !URI_CHARACTER.test(ch)) as string;
    return fail('bad-value', `${JSON.stringify(c)} must be percent-encoded in a URI`);
  }
  const hash = pathAndQuery.indexOf('#');
  const uri = hash === -1 ? pathAndQuery : pathAndQuery.slice(0, hash);
  const q = uri.indexOf('?');
  const path = q === -1 ? uri : uri.slice(0, q);
  const query = q === -1 ? '' : uri.slice(q + 1);
  if (path.length > 1 && path.endsWith('/') && locate(segmentsOf(path.slice(0, -1))).start !== -1) {
    const trimmed = parse(path.slice(0, -1), query);
    return trimmed.ok ? fail('trailing-slash', `a Digital Link path does not end in "/": ${path.slice(0, -1)}`) : trimmed;
  }
  return parse(path, query);
}

// ---------------------------------------------------------------------------------------------
// Building

// RFC 3986: only unreserved characters stay literal. encodeURIComponent also leaves !'()* alone.
function encodeComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function valid(checked: Checked): string {
  if (!checked.ok) throw new RangeError(checked.error.message);
  return checked.value;
}

function element(ai: string, value: string | undefined): string {
  return value === undefined ? '' : `/${ai}/${encodeComponent(valid(checkAi(ai, value)))}`;
}

function gtin14(gtin: string): string {
  if (!isValidGtin(gtin)) return valid(checkAi('01', gtin));
  return toGtin14(gtin);
}

/**
 * Builds `${base}/01/{gtin14}[/22/..][/10/..][/21/..]` (or `/01/{gtin14}/235/..`, /00, /414[/254],
 * /8003) with an optional query. A GTIN-8/12/13 is written with 14 digits. Throws RangeError on an
 * invalid key, qualifier or query AI, so it never emits a URI that parseDigitalLinkPath rejects.
 */
export function buildDigitalLink(base: string, id: DigitalLinkId, query?: Record<string, string>): string {
  let path: string;
  if ('gtin' in id) {
    if (id.tpx !== undefined && (id.cpv ?? id.lot ?? id.serial) !== undefined) {
      throw new RangeError('AI (235) cannot be combined with (22), (10) or (21)');
    }
    path = `/01/${gtin14(id.gtin)}${element('22', id.cpv)}${element('10', id.lot)}${element('21', id.serial)}${element('235', id.tpx)}`;
  } else if ('sscc' in id) {
    path = `/00/${valid(checkAi('00', id.sscc))}`;
  } else if ('gln' in id) {
    path = `/414/${valid(checkAi('414', id.gln))}${element('254', id.glnExtension)}`;
  } else {
    path = `/8003/${encodeComponent(valid(checkAi('8003', id.grai)))}`;
  }
  const search = Object.entries(query ?? {})
    .map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`)
    .join('&');
  if (search) {
    const parsed = parseDigitalLinkPath(`${path}?${search}`);
    if (!parsed.ok) throw new RangeError(parsed.error.message);
  }
  return base.replace(/\/+$/, '') + path + (search ? `?${search}` : '');
}
