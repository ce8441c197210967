// Canonical GS1 Digital Link form of identifiers, as the CBV 2.0 event hash requires: EPC URNs
// and Digital Link URIs on any host become https://id.gs1.org/<numeric AI>/…, with only the
// finest identification level and no query string. Pure: no I/O.

import { completeGs1, gs1CheckDigit } from '../codes/gs1.js';
import { aiValueError, checkKeyQualifiers, isGs1Charset82 } from './digital-link.js';
import { digitalLinkToEpcUrn, epcUriSpelling, GS1_DL_HOST } from './epc-uri.js';

const COMPANY_PREFIX = /^\d{6,12}$/;
const DIGITS = /^\d*$/;
// Serial-like components as written in EPC URNs and URI paths (%-escapes kept).
const COMPONENT = /^(?:%[0-9A-Fa-f]{2}|[-!'()*+,.0-9:;=A-Z_a-z])+$/;

/** A serial-like component whose %-escapes decode to GS1 charset 82 (no NUL, no broken UTF-8). */
function isComponent(value: string): boolean {
  const text = decodedComponent(value);
  return text !== null && isGs1Charset82(text);
}

/** A path component %-decoded, or null when it is no URI component or its escapes are broken UTF-8. */
export function decodedComponent(value: string): string | null {
  if (!COMPONENT.test(value)) return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}
const CPI_REFERENCE = /^(?:[-0-9A-Z]|%2[3Ff])+$/;

// Digital Link escapes these reserved characters that EPC URNs leave literal.
function encode(value: string): string {
  return value.replace(/[!()*+,:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// Splits into n fields; the last keeps any further dots because serials may contain them.
function fields(body: string, n: number): string[] | null {
  const parts = body.split('.');
  return parts.length < n ? null : [...parts.slice(0, n - 1), parts.slice(n - 1).join('.')];
}

// Company prefix + reference must together fill `total` digits of the GS1 key.
function keyData(cp: string, ref: string, total: number): string | null {
  return COMPANY_PREFIX.test(cp) && DIGITS.test(ref) && cp.length + ref.length === total ? cp + ref : null;
}

// The indicator digit leads the GTIN but is carried as the first digit of the item reference.
function gtin(cp: string, ir: string): string | null {
  return keyData(cp, ir, 13) && completeGs1(ir[0] + cp + ir.slice(1));
}

function withCheck(cp: string, ref: string, total: number): string | null {
  const data = keyData(cp, ref, total);
  return data && completeGs1(data);
}

function serial(value: string): string | null {
  return isComponent(value) ? encode(value) : null;
}

function join(...parts: (string | null)[]): string | null {
  return parts.every((p) => p !== null) ? parts.join('') : null;
}

type UrnRule = { n: number; build: (p: string[]) => string | null };

// Pattern URIs (idpat) must end in a single wildcard; the key without the wildcard remains.
const pattern = (n: number, build: (p: string[]) => string | null): UrnRule => ({ n, build: (p) => (p[n - 1] === '*' ? build(p) : null) });

const URN_RULES: Record<string, UrnRule> = {
  'id:sgtin': { n: 3, build: ([cp, ir, s]) => join('/01/', gtin(cp, ir), '/21/', serial(s)) },
  'id:sscc': { n: 2, build: ([cp, sr]) => (keyData(cp, sr, 17) ? `/00/${completeGs1(sr[0] + cp + sr.slice(1))}` : null) },
  'id:sgln': {
    n: 3,
    build: ([cp, lr, ext]) => join('/414/', withCheck(cp, lr, 12), ext === '0' ? '' : join('/254/', serial(ext))),
  },
  'id:grai': { n: 3, build: ([cp, at, s]) => join('/8003/0', withCheck(cp, at, 12), serial(s)) },
  'id:giai': { n: 2, build: ([cp, ref]) => join('/8004/', COMPANY_PREFIX.test(cp) ? cp : null, serial(ref)) },
  'id:gsrn': { n: 2, build: ([cp, sr]) => join('/8018/', withCheck(cp, sr, 17)) },
  'id:gsrnp': { n: 2, build: ([cp, sr]) => join('/8017/', withCheck(cp, sr, 17)) },
  'id:gdti': { n: 3, build: ([cp, dt, s]) => join('/253/', withCheck(cp, dt, 12), serial(s)) },
  'id:cpi': {
    n: 3,
    build: ([cp, ref, s]) => (COMPANY_PREFIX.test(cp) && CPI_REFERENCE.test(ref) && /^\d+$/.test(s) ? `/8010/${cp}${ref}/8011/${s}` : null),
  },
  'id:sgcn': { n: 3, build: ([cp, ct, s]) => join('/255/', withCheck(cp, ct, 12), /^\d+$/.test(s) ? s : null) },
  'id:ginc': { n: 2, build: ([cp, ref]) => join('/401/', COMPANY_PREFIX.test(cp) ? cp : null, serial(ref)) },
  'id:gsin': { n: 2, build: ([cp, sr]) => join('/402/', withCheck(cp, sr, 16)) },
  'id:itip': {
    n: 5,
    build: ([cp, ir, piece, total, s]) =>
      /^\d{2}$/.test(piece) && /^\d{2}$/.test(total) ? join('/8006/', gtin(cp, ir), piece + total, '/21/', serial(s)) : null,
  },
  'id:upui': { n: 3, build: ([cp, ir, tpx]) => join('/01/', gtin(cp, ir), '/235/', serial(tpx)) },
  'id:pgln': { n: 2, build: ([cp, pr]) => join('/417/', withCheck(cp, pr, 12)) },
  'class:lgtin': { n: 3, build: ([cp, ir, lot]) => join('/01/', gtin(cp, ir), '/10/', serial(lot)) },
  'idpat:sgtin': pattern(3, ([cp, ir]) => join('/01/', gtin(cp, ir))),
  'idpat:upui': pattern(3, ([cp, ir]) => join('/01/', gtin(cp, ir))),
  'idpat:grai': pattern(3, ([cp, at]) => join('/8003/0', withCheck(cp, at, 12))),
  'idpat:gdti': pattern(3, ([cp, dt]) => join('/253/', withCheck(cp, dt, 12))),
  'idpat:sgcn': pattern(3, ([cp, ct]) => join('/255/', withCheck(cp, ct, 12))),
  'idpat:sgln': pattern(3, ([cp, lr]) => join('/414/', withCheck(cp, lr, 12))),
  'idpat:cpi': pattern(3, ([cp, ref]) => (COMPANY_PREFIX.test(cp) && CPI_REFERENCE.test(ref) ? `/8010/${cp}${ref}` : null)),
  'idpat:itip': pattern(5, ([cp, ir, piece, total]) =>
    /^\d{2}$/.test(piece) && /^\d{2}$/.test(total) ? join('/8006/', gtin(cp, ir), piece + total) : null,
  ),
};

/** The Digital Link an EPC URN's fields build, before the AI table has checked it. */
function builtFromEpcUrn(uri: string): string | null {
  const m = /^urn:epc:(id|class|idpat):([a-z]+):(.*)$/.exec(uri);
  const rule = m && URN_RULES[`${m[1]}:${m[2]}`];
  const parts = rule && fields(m[3], rule.n);
  const path = parts && rule.build(parts);
  return path ? GS1_DL_HOST + path : null;
}

/**
 * Why the Digital Link an EPC URN names breaks the AI table (a lot or serial over 20 characters, an
 * ITIP piece above its total, …), or null: a URN is held to the formats its Digital Link is, so that
 * the service never stores an identifier it would refuse in the other form.
 */
function builtLinkProblem(built: string): string | null {
  const link = readDigitalLink(built);
  return link ? digitalLinkProblem(link) : 'names no GS1 Digital Link';
}

function fromEpcUrn(uri: string): string | null {
  const built = builtFromEpcUrn(uri);
  return built && !builtLinkProblem(built) ? built : null;
}

/**
 * The primary keys of the Digital Link standard, by AI: the key's name; its short name (`gtin`,
 * `sscc`, … as some Digital Links write the AI) and the digits a key must start with for a path to name
 * it by that short name; and, for a key whose digits end in a check digit, the digits `from`–`to` of its
 * Digital Link value that the check covers (GTIN as the 14 digits a Digital Link carries). A GDTI,
 * GCN, GRAI or ITIP value goes on after its check digit (serial, piece and total); a GRAI starts with
 * a filler digit 0 that the check does not cover. The rest of each key's format is the AI table of
 * digital-link.ts.
 */
type KeySpec = { name: string; shortName: string; shape: RegExp; check?: { from: number; to: number } };
const PRIMARY_KEYS: Record<string, KeySpec> = {
  '00': { name: 'SSCC', shortName: 'sscc', shape: /^\d{18}$/, check: { from: 0, to: 18 } },
  '01': { name: 'GTIN', shortName: 'gtin', shape: /^(?:\d{8}|\d{12,14})$/, check: { from: 0, to: 14 } },
  '253': { name: 'GDTI', shortName: 'gdti', shape: /^\d{13}/, check: { from: 0, to: 13 } },
  '255': { name: 'GCN', shortName: 'gcn', shape: /^\d{13,25}$/, check: { from: 0, to: 13 } },
  '401': { name: 'GINC', shortName: 'ginc', shape: /^\d{6}/ },
  '402': { name: 'GSIN', shortName: 'gsin', shape: /^\d{17}$/, check: { from: 0, to: 17 } },
  '414': { name: 'GLN', shortName: 'gln', shape: /^\d{13}$/, check: { from: 0, to: 13 } },
  '417': { name: 'party GLN', shortName: 'party', shape: /^\d{13}$/, check: { from: 0, to: 13 } },
  '8003': { name: 'GRAI', shortName: 'grai', shape: /^\d{14}/, check: { from: 1, to: 14 } },
  '8004': { name: 'GIAI', shortName: 'giai', shape: /^\d{6}/ },
  '8006': { name: 'ITIP', shortName: 'itip', shape: /^\d{18}$/, check: { from: 0, to: 14 } },
  '8010': { name: 'CPID', shortName: 'cpid', shape: /^\d{6}/ },
  '8017': { name: 'GSRN', shortName: 'gsrnp', shape: /^\d{18}$/, check: { from: 0, to: 18 } },
  '8018': { name: 'GSRN', shortName: 'gsrn', shape: /^\d{18}$/, check: { from: 0, to: 18 } },
};
const SHORT_NAMES: Record<string, string> = Object.fromEntries(Object.entries(PRIMARY_KEYS).map(([ai, key]) => [key.shortName, ai]));

const QUALIFIER_ALIASES: Record<string, string> = { cpv: '22', lot: '10', ser: '21' };
// Key qualifiers each primary key may carry, in Digital Link path order.
const QUALIFIERS: Record<string, string[]> = {
  '01': ['22', '10', '21', '235'],
  '8006': ['22', '10', '21'],
  '414': ['254'],
  '8010': ['8011'],
};

type DigitalLinkPath = { ai: string; key: string; qualifiers: [ai: string, value: string][] };

const keyAi = (segment: string) =>
  Object.hasOwn(PRIMARY_KEYS, segment) ? segment : Object.hasOwn(SHORT_NAMES, segment) ? SHORT_NAMES[segment] : null;

/**
 * The primary key and key qualifiers (by AI, in path order, as written) of a URI whose path is a
 * Digital Link's; null for any other URI. On GS1's own resolver a path names a key by its numeric AI
 * whatever its value (a malformed one is for digitalLinkProblem to report). On other sites the AIs
 * and short names are ordinary words too (/invoices/2024/01/15, /party/acme, /gtin/red-shoes): a
 * path names a key there only when the digits of one follow.
 */
function readDigitalLink(uri: string): DigitalLinkPath | null {
  const m = /^https?:\/\/([^/?#]+)(\/[^?#]*)(?:[?#].*)?$/.exec(uri);
  if (!m) return null;
  const onGs1Resolver = m[1].toLowerCase() === 'id.gs1.org';
  const segments = m[2].replace(/\/$/, '').split('/').slice(1);
  // the primary key is the rightmost /AI/value pair that is one, as the standard reads it: what precedes it is a prefix
  let at = segments.length - 2;
  while (at >= 0 && !keyAi(segments[at])) at -= 2;
  if (at < 0) return null;
  const ai = keyAi(segments[at]) as string;
  const key = segments[at + 1];
  if (!COMPONENT.test(key)) return null;
  // a key's digits may come %-escaped
  const digits = decodedComponent(key) ?? key;
  if ((segments[at] !== ai || !onGs1Resolver) && !PRIMARY_KEYS[ai].shape.test(digits)) return null;

  const allowed = QUALIFIERS[ai] ?? [];
  const qualifiers: DigitalLinkPath['qualifiers'] = [];
  for (let i = at + 2; i < segments.length; i += 2) {
    const q = Object.hasOwn(QUALIFIER_ALIASES, segments[i]) ? QUALIFIER_ALIASES[segments[i]] : segments[i];
    if (!allowed.includes(q) || !COMPONENT.test(segments[i + 1])) return null;
    qualifiers.push([q, segments[i + 1]]);
  }
  return { ai, key, qualifiers };
}

/** The key's value as its AI's format reads it: %-decoded, a GTIN-8, -12 or -13 with the zeros of its 14 digits. */
function keyValue(link: DigitalLinkPath): string {
  const key = decodeURIComponent(link.key);
  return link.ai === '01' && /^(?:\d{8}|\d{12,13})$/.test(key) ? key.padStart(14, '0') : key;
}

/**
 * Why a path read as a Digital Link names no identifier: key qualifiers the standard does not allow, a
 * value that is not GS1 text, or one that does not match its AI's format (check digits and the GRAI's
 * filler digit apart, which gs1IdentifierProblem words itself); null when it names one.
 */
function digitalLinkProblem(link: DigitalLinkPath): string | null {
  const qualifiers = checkKeyQualifiers(
    link.ai,
    link.qualifiers.map(([q]) => q),
  );
  if (qualifiers) return `is a GS1 Digital Link whose key qualifiers the standard does not allow: ${qualifiers.message}`;
  // GS1 text is charset 82, but a CPI is written in charset 39 (with # and /): its AI's format checks it below
  const isText = (ai: string, value: string) => (ai === '8010' ? decodedComponent(value) !== null : isComponent(value));
  if (!isText(link.ai, link.key) || !link.qualifiers.every(([q, value]) => isText(q, value))) {
    return 'is a GS1 Digital Link whose key or qualifier is not GS1 text once %-decoded';
  }
  const key = aiValueError(link.ai, keyValue(link), ['csum', 'zero']);
  if (key) return `is a GS1 Digital Link whose ${PRIMARY_KEYS[link.ai].name} does not match its AI's format: ${key.message}`;
  for (const [q, value] of link.qualifiers) {
    const qualifier = aiValueError(q, decodeURIComponent(value));
    if (qualifier) return `is a GS1 Digital Link whose key qualifier (${q}) does not match its AI's format: ${qualifier.message}`;
  }
  return null;
}

function fromDigitalLink(uri: string): string | null {
  const link = readDigitalLink(uri);
  return link && !digitalLinkProblem(link) ? canonicalLink(link) : null;
}

/** The canonical URI of a Digital Link path digitalLinkProblem found nothing wrong with. */
function canonicalLink(link: DigitalLinkPath): string {
  const qualifiers = new Map(link.qualifiers);
  // Only the finest identification level counts: CPV is dropped, and a serial supersedes the lot.
  qualifiers.delete('22');
  if (qualifiers.has('21')) qualifiers.delete('10');

  const path = [...qualifiers].map(([q, value]) => `/${q}/${encode(value)}`);
  // digits need no escape: a key written with %-escaped digits is the same key
  const key = keyValue(link);
  return `${GS1_DL_HOST}/${link.ai}/${/^\d+$/.test(key) ? key : encode(link.key)}${path.join('')}`;
}

/**
 * Why an EPC URN of a GS1 scheme is malformed (wrong digit count, bad serial characters), or
 * null when it is well-formed or names no GS1 scheme; such a value must not be stored as an
 * opaque identifier.
 */
export function epcUrnProblem(value: string): string | null {
  const urn = epcUriSpelling(value);
  const m = /^urn:epc:(id|class|idpat):([a-z]+):/.exec(urn);
  if (!m || !(`${m[1]}:${m[2]}` in URN_RULES)) return null;
  const built = builtFromEpcUrn(urn);
  if (!built) {
    return `is not a valid ${m[2].toUpperCase()} EPC URN: the company prefix and reference must together have the key's digit count, and the serial only GS1 characters`;
  }
  const problem = builtLinkProblem(built);
  return problem && `is not a valid ${m[2].toUpperCase()} EPC URN: as ${built} it ${problem}`;
}

// a capture names each identifier several times (validating, hashing, resolving, mapping): read it once
const RECENT_LIMIT = 50_000;
const recentProblems = new Map<string, string | null>();
const recentlyCanonical = new Map<string, string | null>();
const remember = (recent: Map<string, string | null>, value: string, read: string | null) => {
  if (recent.size >= RECENT_LIMIT) recent.clear();
  recent.set(value, read);
};

/**
 * Why a GS1 identifier (EPC URN, or Digital Link on any host) is malformed, or null when it is
 * well-formed or not a GS1 identifier at all.
 */
export function gs1IdentifierProblem(value: string): string | null {
  let problem = recentProblems.get(value);
  if (problem === undefined) {
    problem = identifierProblem(value);
    remember(recentProblems, value, problem);
  }
  return problem;
}

function identifierProblem(value: string): string | null {
  if (/^urn:epc:/i.test(value)) return epcUrnProblem(value);
  const link = readDigitalLink(value);
  if (!link) return null;
  const problem = digitalLinkProblem(link);
  if (problem) return problem;
  // read this far, its canonical form is a few string operations away: hashing and resolving it ask for it next
  remember(recentlyCanonical, value, canonicalLink(link));
  const { name, check } = PRIMARY_KEYS[link.ai];
  return check ? checkDigitProblem(name, check, keyValue(link)) : null;
}

/** What is wrong with the filler and check digit of a key that otherwise matches its AI's format, or null. */
function checkDigitProblem(name: string, { from, to }: { from: number; to: number }, key: string): string | null {
  if (/[^0]/.test(key.slice(0, from))) return `is a GS1 Digital Link whose ${name} ${key} does not start with the filler digit 0`;
  const digits = key.slice(from, to);
  const right = gs1CheckDigit(digits.slice(0, -1));
  if (right === Number(digits.at(-1))) return null;
  const where = to === key.length ? 'it' : `digit ${to}`;
  return `is a GS1 Digital Link whose ${name} ${key} has a wrong check digit (${where} would be ${right})`;
}

/** Canonical GS1 Digital Link URI for an EPC URN or Digital Link URI; null when the value is neither. */
export function canonicalGs1Uri(value: string): string | null {
  let canonical = recentlyCanonical.get(value);
  if (canonical === undefined) {
    canonical = /^urn:epc:/i.test(value) ? fromEpcUrn(epcUriSpelling(value)) : fromDigitalLink(value);
    remember(recentlyCanonical, value, canonical);
  }
  return canonical;
}

/** The one stored form of an identifier: canonical GS1 Digital Link where GS1 keys allow, else as written. */
export const canonicalIdentifier = (value: string) => canonicalGs1Uri(value) ?? value;

/** GS1 company prefixes are 6 to 12 digits long; a Digital Link does not say which. */
const COMPANY_PREFIX_LENGTHS = [6, 7, 8, 9, 10, 11, 12];

/**
 * The EPC URNs of the key an identifier names (an EPC URN or a GS1 Digital Link), one for each
 * length its company prefix may have, each naming the same key back (see digitalLinkToEpcUrn for
 * the keys that have one); none for any other identifier.
 */
export function epcUrnForms(value: string): string[] {
  const link = canonicalGs1Uri(value);
  if (link === null) return [];
  const forms = COMPANY_PREFIX_LENGTHS.flatMap((length) => {
    const urn = digitalLinkToEpcUrn(link, length);
    return urn !== null && canonicalGs1Uri(urn) === link ? [urn] : [];
  });
  return [...new Set(forms)];
}

/**
 * How each scheme's canonical Digital Link is laid out, for EPC patterns: the AI; what comes before
 * the company prefix (an indicator or extension digit, GRAI's zero); the key's characters after the
 * prefix, given the prefix's length; and what may follow the key (qualifiers, or a serial written
 * straight after it). A scheme's tail keeps its identifiers apart from another's of the same AI
 * (an SGTIN has no /235/, a UPUI has one).
 */
const PATTERN_SCHEMES: Record<string, { n: number; ai: string; lead: string; rest: (cpLength: number) => string; tail: string }> = {
  sgtin: { n: 3, ai: '01', lead: '\\d', rest: (cp) => `\\d{${13 - cp}}`, tail: '(?:/(?:10|21)/[^/]+)?' },
  upui: { n: 3, ai: '01', lead: '\\d', rest: (cp) => `\\d{${13 - cp}}`, tail: '/235/[^/]+' },
  sscc: { n: 2, ai: '00', lead: '\\d', rest: (cp) => `\\d{${17 - cp}}`, tail: '' },
  itip: { n: 5, ai: '8006', lead: '\\d', rest: (cp) => `\\d{${17 - cp}}`, tail: '(?:/(?:10|21)/[^/]+)?' },
  grai: { n: 3, ai: '8003', lead: '0', rest: (cp) => `\\d{${13 - cp}}`, tail: '[^/]*' },
  gdti: { n: 3, ai: '253', lead: '', rest: (cp) => `\\d{${13 - cp}}`, tail: '[^/]*' },
  sgcn: { n: 3, ai: '255', lead: '', rest: (cp) => `\\d{${13 - cp}}`, tail: '[^/]*' },
  giai: { n: 2, ai: '8004', lead: '', rest: () => '[^/]+', tail: '' },
  cpi: { n: 3, ai: '8010', lead: '', rest: () => '[^/]+', tail: '(?:/8011/[^/]+)?' },
  // a GLN with or without an extension (TDS: extension 0 is the GLN alone)
  sgln: { n: 3, ai: '414', lead: '', rest: (cp) => `\\d{${13 - cp}}`, tail: '(?:/254/[^/]+)?' },
  gsrn: { n: 2, ai: '8018', lead: '', rest: (cp) => `\\d{${18 - cp}}`, tail: '' },
  gsrnp: { n: 2, ai: '8017', lead: '', rest: (cp) => `\\d{${18 - cp}}`, tail: '' },
  pgln: { n: 2, ai: '417', lead: '', rest: (cp) => `\\d{${13 - cp}}`, tail: '' },
  ginc: { n: 2, ai: '401', lead: '', rest: () => '[^/]+', tail: '' },
  gsin: { n: 2, ai: '402', lead: '', rest: (cp) => `\\d{${17 - cp}}`, tail: '' },
};

/**
 * Schemes of no GS1 key, stored as the EPC URN written (canonicalIdentifier leaves them so), with
 * their number of fields: a pattern compares the URN's fields as written (TDS §6, §14.5).
 */
const URN_PATTERN_SCHEMES: Record<string, number> = { gid: 3, usdod: 2, adi: 3 };

/**
 * Whether a value is an EPC pattern URI (urn:epc:idpat:…), its head in any case (see epcUriSpelling),
 * whether or not it is one this service reads (epcPatternRanges).
 */
export const isEpcPattern = (value: string) => epcUriSpelling(value).startsWith('urn:epc:idpat:');

/** The schemes whose EPC patterns epcPatternRegExp reads. */
export const EPC_PATTERN_SCHEMES = [...Object.keys(PATTERN_SCHEMES), ...Object.keys(URN_PATTERN_SCHEMES)];

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The identifiers an EPC pattern URI stands for (TDS §6: fields given up to some point, `*` from
 * there on), as stored (canonical Digital Link URIs; a URN of no GS1 key as written): those that
 * start with one of `prefixes` and whose remainder after it the regular expression `rest` (anchored;
 * POSIX as PostgreSQL's `~` reads it, and JavaScript's alike) matches. The prefixes are what an index
 * finds; `rest` depends on the scheme and on how many fields are given (and the company prefix's
 * length), never on their values, so a query of many patterns holds few distinct expressions. `ai`:
 * the scheme's AI (the scheme's name for a URN of no GS1 key). Null when it is no pattern this
 * service reads. `urn:epc:idpat:sgtin:0614141.812345.*` is every serial of one GTIN (and its lots as
 * classes), `…:0614141.*.*` every GTIN of the company prefix 0614141 (compared by its digits in the
 * key, after any indicator digit, which does not say where its prefix ends), `…:*.*.*` every SGTIN,
 * and a pattern with no wildcard the one EPC it names.
 */
export function epcPatternRanges(value: string): { ai: string; prefixes: string[]; rest: string } | null {
  const uri = epcUriSpelling(value);
  const m = /^urn:epc:idpat:([a-z]+):(.*)$/.exec(uri);
  if (m && Object.hasOwn(URN_PATTERN_SCHEMES, m[1])) return urnPatternRanges(m[1], URN_PATTERN_SCHEMES[m[1]], m[2]);
  const scheme = m && Object.hasOwn(PATTERN_SCHEMES, m[1]) ? PATTERN_SCHEMES[m[1]] : null;
  if (!m || !scheme) return null;
  const parts = m[2].split('.');
  const open = parts.indexOf('*');
  const base = `${GS1_DL_HOST}/${scheme.ai}/`;
  const of = (prefixes: string[], rest: string) => ({ ai: scheme.ai, prefixes, rest: `^${rest}$` });
  if (open < 0) {
    const exact = fromEpcUrn(`urn:epc:id:${m[1]}:${m[2]}`);
    return exact === null ? null : of([exact], '');
  }
  // from the first wildcard on, every field is one
  if (parts.length !== scheme.n || parts.slice(open).some((part) => part !== '*')) return null;
  if (open === 0) return of([base], scheme.lead + scheme.rest(0) + scheme.tail);
  if (open === 1) {
    if (!COMPANY_PREFIX.test(parts[0])) return null;
    // an indicator (or extension) digit before the company prefix: one prefix for each digit it may be
    const leads = scheme.lead === '\\d' ? [...'0123456789'] : [scheme.lead];
    return of(
      leads.map((lead) => `${base}${lead}${parts[0]}`),
      scheme.rest(parts[0].length) + scheme.tail,
    );
  }
  // all but the serial given: the one key, its check digit computed
  const key = open === scheme.n - 1 ? fromEpcUrn(uri) : null;
  return key === null ? null : of([key], scheme.tail);
}

/**
 * The regular expression, over the identifiers as stored, of those an EPC pattern URI stands for
 * (see epcPatternRanges), with the AI of the scheme; null when it is no pattern this service reads.
 */
export function epcPatternRegExp(uri: string): { ai: string; regExp: string } | null {
  const ranges = epcPatternRanges(uri);
  if (ranges === null) return null;
  const prefixes = ranges.prefixes.map(escapeRegExp);
  const start = prefixes.length === 1 ? prefixes[0] : `(?:${prefixes.join('|')})`;
  return { ai: ranges.ai, regExp: `^${start}${ranges.rest.slice(1)}` };
}

/** A field of an EPC URN as TDS writes it: URI characters, no dot (an ADI part number may be empty). */
const URN_FIELD = /^[A-Za-z0-9\-_!'()*+,;=:%#/]*$/;

/**
 * epcPatternRanges of a scheme stored as its EPC URN (`ai` is the scheme's name): the fields given,
 * as written, are the prefix; `[^.]*` for each wildcard, from the first one on, the rest.
 */
function urnPatternRanges(scheme: string, n: number, fields: string): { ai: string; prefixes: string[]; rest: string } | null {
  const parts = fields.split('.');
  const open = parts.indexOf('*');
  if (parts.length !== n) return null;
  const given = open < 0 ? parts : parts.slice(0, open);
  if ((open >= 0 && parts.slice(open).some((part) => part !== '*')) || given.some((part) => part.includes('*') || !URN_FIELD.test(part)))
    return null;
  const wild = open < 0 ? [] : parts.slice(open).map(() => '[^.]*');
  // the fields given, each followed by its dot when a wildcard field follows
  const prefix = `urn:epc:id:${scheme}:${given.map((part, i) => (i < n - 1 ? `${part}.` : part)).join('')}`;
  return { ai: scheme, prefixes: [prefix], rest: `^${wild.join('\\.')}$` };
}
