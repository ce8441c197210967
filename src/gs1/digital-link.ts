// GS1 Digital Link URIs (uncompressed), parsed as a resolver receives them and built for labels.
// Pure: no I/O. Supports the keys this project issues: GTIN, SSCC, GLN and GRAI.

import { isValidGln, isValidGtin, isValidSscc, toGtin14 } from '../codes/gs1.js';

export type PrimaryKey = '01' | '00' | '414' | '8003';

export type DigitalLink = {
  primaryKey: PrimaryKey;
  gtin?: string;
  sscc?: string;
  gln?: string;
  grai?: string;
  cpv?: string;
  lot?: string;
  serial?: string;
  glnExtension?: string;
  dataAttributes: Record<string, string>;
  params: Record<string, string>;
};

export type DigitalLinkErrorCode = 'unknown-key' | 'check-digit' | 'bad-value' | 'order' | 'empty';
export type DigitalLinkError = { code: DigitalLinkErrorCode; message: string };
export type DigitalLinkResult = { ok: true; value: DigitalLink } | { ok: false; error: DigitalLinkError };

export type DigitalLinkId =
  | { gtin: string; cpv?: string; lot?: string; serial?: string }
  | { sscc: string }
  | { gln: string; glnExtension?: string }
  | { grai: string };

type Qualifier = '22' | '10' | '21' | '254';
type Checked = { ok: true; value: string } | { ok: false; error: DigitalLinkError };

const FIELD = {
  '01': 'gtin',
  '00': 'sscc',
  '414': 'gln',
  '8003': 'grai',
  '22': 'cpv',
  '10': 'lot',
  '21': 'serial',
  '254': 'glnExtension',
} as const;

// Position in the list is the only order the standard allows in the path.
const QUALIFIERS: Record<PrimaryKey, readonly Qualifier[]> = {
  '01': ['22', '10', '21'],
  '00': [],
  '414': ['254'],
  '8003': [],
};

// YYMMDD application identifiers: production, due, packaging, best before, sell by, expiry.
const DATE_AIS = new Set(['11', '12', '13', '15', '16', '17']);

const CHARSET_82 = /^[!"%-?A-Z_a-z]+$/;
const DIGITS = /^\d+$/;

/** Non-empty and every character in GS1 AI encodable character set 82. */
export function isGs1Charset82(value: string): boolean {
  return typeof value === 'string' && CHARSET_82.test(value);
}

function isPrimaryKey(segment: string): segment is PrimaryKey {
  return Object.hasOwn(QUALIFIERS, segment);
}

function fail(code: DigitalLinkErrorCode, message: string): { ok: false; error: DigitalLinkError } {
  return { ok: false, error: { code, message } };
}

function percentDecode(name: string, raw: string): Checked {
  try {
    return { ok: true, value: decodeURIComponent(raw) };
  } catch {
    return fail('bad-value', `${name} has malformed percent-encoding: ${JSON.stringify(raw)}`);
  }
}

function decodeValue(ai: string, raw: string | undefined): Checked {
  if (raw === undefined || raw === '') return fail('empty', `AI (${ai}) has no value`);
  return percentDecode(`AI (${ai})`, raw);
}

function checkDigitKey(ai: string, value: string, lengths: readonly number[], valid: (v: string) => boolean): Checked {
  if (!DIGITS.test(value) || !lengths.includes(value.length)) {
    return fail('bad-value', `AI (${ai}) must be ${lengths.join(', ')} digits, got ${JSON.stringify(value)}`);
  }
  if (!valid(value)) return fail('check-digit', `AI (${ai}) has a wrong check digit: ${value}`);
  return { ok: true, value };
}

function checkText(ai: string, value: string, maxLength: number): Checked {
  if (value === '') return fail('empty', `AI (${ai}) has no value`);
  if (value.length > maxLength || !isGs1Charset82(value)) {
    return fail('bad-value', `AI (${ai}) must be 1-${maxLength} characters of GS1 charset 82, got ${JSON.stringify(value)}`);
  }
  return { ok: true, value };
}

// GRAI: a 0, a GTIN-13-like number with its check digit, then an optional serial of up to 16 characters.
function checkGrai(value: string): Checked {
  if (!/^0\d{13}/.test(value)) {
    return fail('bad-value', `AI (8003) must start with 0 and 13 digits, got ${JSON.stringify(value)}`);
  }
  if (!isValidGtin(value.slice(1, 14))) return fail('check-digit', `AI (8003) has a wrong check digit: ${value.slice(0, 14)}`);
  const serial = value.slice(14);
  if (serial.length > 16 || (serial !== '' && !isGs1Charset82(serial))) {
    return fail('bad-value', `AI (8003) serial must be 1-16 characters of GS1 charset 82, got ${JSON.stringify(serial)}`);
  }
  return { ok: true, value };
}

function checkPrimary(ai: PrimaryKey, value: string): Checked {
  switch (ai) {
    case '01': {
      const checked = checkDigitKey(ai, value, [8, 12, 13, 14], isValidGtin);
      return checked.ok ? { ok: true, value: toGtin14(value) } : checked;
    }
    case '00':
      return checkDigitKey(ai, value, [18], isValidSscc);
    case '414':
      return checkDigitKey(ai, value, [13], isValidGln);
    case '8003':
      return checkGrai(value);
  }
}

// Leap years by YY % 4 hold for 2000-2099, which covers every date a live label carries.
function isYymmdd(value: string): boolean {
  const m = /^(\d\d)(\d\d)(\d\d)$/.exec(value);
  if (!m) return false;
  const [yy, mm, dd] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mm < 1 || mm > 12) return false;
  const days = mm === 2 ? (yy % 4 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(mm) ? 30 : 31;
  // DD 00 means "end of month" in GS1 dates.
  return dd <= days;
}

function parseQuery(query: string, link: DigitalLink): DigitalLinkError | undefined {
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    if (!DIGITS.test(rawKey)) {
      const key = percentDecode('query key', rawKey);
      const value = percentDecode(`query parameter ${rawKey}`, rawValue);
      if (!key.ok) return key.error;
      if (!value.ok) return value.error;
      link.params[key.value] = value.value;
      continue;
    }
    const ai = rawKey;
    if (ai.length < 2 || ai.length > 4) return { code: 'unknown-key', message: `query key ${ai} is not a GS1 AI` };
    // Identifying AIs in the query would let two URIs name the same thing differently.
    if (ai in FIELD) return { code: 'order', message: `AI (${ai}) belongs in the path, not the query` };
    if (ai in link.dataAttributes) return { code: 'order', message: `AI (${ai}) appears twice` };
    const decoded = decodeValue(ai, rawValue);
    if (!decoded.ok) return decoded.error;
    const value = decoded.value;
    if (DATE_AIS.has(ai) ? !isYymmdd(value) : !isGs1Charset82(value)) {
      const expected = DATE_AIS.has(ai) ? 'a YYMMDD date' : 'GS1 charset 82';
      return { code: 'bad-value', message: `AI (${ai}) must be ${expected}, got ${JSON.stringify(value)}` };
    }
    link.dataAttributes[ai] = value;
  }
  return undefined;
}

/**
 * Parses the path (and optional query) of a Digital Link request. Anything before the first
 * known primary key is a deployment prefix and is ignored; one trailing slash is tolerated.
 */
export function parseDigitalLinkPath(pathAndQuery: string): DigitalLinkResult {
  const q = pathAndQuery.indexOf('?');
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
  const segments = path.replace(/^\/|\/$/g, '').split('/');
  const start = segments.findIndex((s, i) => isPrimaryKey(s) && i + 1 < segments.length);
  if (start === -1) {
    const last = segments[segments.length - 1];
    if (isPrimaryKey(last)) return fail('empty', `AI (${last}) has no value`);
    return fail('unknown-key', 'no GS1 primary key (01, 00, 414, 8003) in the path');
  }

  const primaryKey = segments[start] as PrimaryKey;
  const link: DigitalLink = { primaryKey, dataAttributes: {}, params: {} };
  const raw = decodeValue(primaryKey, segments[start + 1]);
  const key = raw.ok ? checkPrimary(primaryKey, raw.value) : raw;
  if (!key.ok) return key;
  link[FIELD[primaryKey]] = key.value;

  const allowed = QUALIFIERS[primaryKey];
  let last = -1;
  for (let i = start + 2; i < segments.length; i += 2) {
    const ai = segments[i];
    const pos = (allowed as readonly string[]).indexOf(ai);
    if (pos === -1) return fail('unknown-key', `AI (${ai}) is not a key qualifier of (${primaryKey})`);
    if (pos === last) return fail('order', `AI (${ai}) appears twice`);
    if (pos < last) return fail('order', `AI (${ai}) must come before (${allowed[last]})`);
    last = pos;
    const decoded = decodeValue(ai, segments[i + 1]);
    const value = decoded.ok ? checkText(ai, decoded.value, 20) : decoded;
    if (!value.ok) return value;
    link[FIELD[allowed[pos]]] = value.value;
  }

  const error = parseQuery(q === -1 ? '' : pathAndQuery.slice(q + 1), link);
  return error ? { ok: false, error } : { ok: true, value: link };
}

// RFC 3986: only unreserved characters stay literal. encodeURIComponent also leaves !'()* alone.
function encodeComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function valid(checked: Checked): string {
  if (!checked.ok) throw new RangeError(checked.error.message);
  return checked.value;
}

function qualifier(ai: string, value: string | undefined): string {
  return value === undefined ? '' : `/${ai}/${encodeComponent(valid(checkText(ai, value, 20)))}`;
}

/**
 * Builds `${base}/01/{gtin14}[/22/..][/10/..][/21/..]` (or /00, /414[/254], /8003) with an
 * optional query. Throws RangeError on an invalid key or qualifier.
 */
export function buildDigitalLink(base: string, id: DigitalLinkId, query?: Record<string, string>): string {
  let path: string;
  if ('gtin' in id) {
    path = `/01/${valid(checkPrimary('01', id.gtin))}${qualifier('22', id.cpv)}${qualifier('10', id.lot)}${qualifier('21', id.serial)}`;
  } else if ('sscc' in id) {
    path = `/00/${valid(checkPrimary('00', id.sscc))}`;
  } else if ('gln' in id) {
    path = `/414/${valid(checkPrimary('414', id.gln))}${qualifier('254', id.glnExtension)}`;
  } else {
    path = `/8003/${encodeComponent(valid(checkPrimary('8003', id.grai)))}`;
  }
  const search = Object.entries(query ?? {})
    .map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`)
    .join('&');
  return base.replace(/\/+$/, '') + path + (search ? `?${search}` : '');
}
