// What a person types on the lookup page (`/`) when a pack's QR code will not scan, read as the resolver reads a scan:
// a trace code (in any case, full-width, with spaces or dashes between its characters), an SSCC, or a link of this
// resolver or any other host (`https://…/t/{code}`, a GS1 Digital Link `…/01/{gtin}/10/{lot}`). Pure: no I/O.
import { isValidSscc } from '../codes/gs1.js';
import { isMainlandMobileNumber } from '../codes/phone.js';
import { hasServiceCodeShape, normalizeCode, plainUrl, serviceCodeKind } from '../codes/service-codes.js';
import { parseDigitalLinkPath } from '../gs1/digital-link.js';

/** The longest value read: a Digital Link with its data attributes is well under it. */
export const MAX_LOOKUP_CHARS = 500;

/**
 * The scan URL (path and query) a typed code leads to, or why it leads nowhere: nothing typed, a trace code with a
 * character mistyped (its check character fails), a mobile phone number (of a trace code's length, its check failing),
 * or nothing the resolver reads.
 */
export type Lookup = { ok: true; target: string } | { ok: false; reason: LookupProblem };
export type LookupProblem = 'empty' | 'mistyped' | 'phoneNumber' | 'malformed';

/**
 * The letters the code alphabet leaves out, as the characters people type them for. A person copying a label reads
 * 1 as I, 0 as O and so on; no issued code holds these letters, so reading them as their lookalikes finds no other code.
 */
export const LOOKALIKES: Readonly<Record<string, string>> = { I: '1', O: '0', S: '5', Z: '2', V: 'U' };
const LOOKALIKE = new RegExp(`[${Object.keys(LOOKALIKES).join('')}]`, 'g');

/** A trace code as typed (upper case), its lookalike letters read as the characters they stand for. */
const withLookalikesRead = (code: string) => code.replace(LOOKALIKE, (letter) => LOOKALIKES[letter]);

/**
 * A typed trace code (upper case) as issued, or why it is none: shaped as one with a character mistyped, or not
 * shaped as one at all. Only typed codes are read so: `/t/{code}` and the API take a code as issued.
 */
function typedTraceCode(code: string): { ok: true; code: string } | { ok: false; reason: 'mistyped' | 'malformed' } {
  if (!hasServiceCodeShape(code, ['item'])) return { ok: false, reason: 'malformed' };
  const read = withLookalikesRead(code);
  return serviceCodeKind(read) === 'item' ? { ok: true, code: read } : { ok: false, reason: 'mistyped' };
}

/** A path a label links to, with its query string: a trace code's or a Digital Link's. */
const SCAN_PATH = /^\/(t|01|00|414|8003)\//;
/** A link as typed or pasted: with a scheme and host, or without a scheme (`example.com/t/…`). */
const LINK = /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#\s]*(\/[^#\s]*)/i;

/** A link's path and query (a fragment left out), when the path is one a label links to. */
function scanPathOf(value: string): string | null {
  const match = LINK.exec(value);
  if (!match) return null;
  const path = match[1];
  return SCAN_PATH.test(path) ? path : null;
}

/**
 * The canonical scan URL of what was typed: `/t/{code}` with the code as issued, `/00/{sscc}`, or a Digital Link's path
 * and query as typed (its full-width characters as ASCII) once it is well-formed. A (414) or (8003) link is well-formed
 * and leads to its own 404, as scanned. Whether the code was issued is the resolver's to say, not this page's.
 */
export function lookupTarget(typed: string): Lookup {
  const value = typed.trim();
  if (value === '') return { ok: false, reason: 'empty' };
  if (value.length > MAX_LOOKUP_CHARS) return { ok: false, reason: 'malformed' };
  // a code read off the label: spaces, dashes and dots a person puts between groups of characters are not the code's
  const compact = normalizeCode(value).replace(/[\s\-.·]/g, '');
  const typedCode = typedTraceCode(compact);
  if (typedCode.ok) return { ok: true, target: `/t/${typedCode.code}` };
  // a mainland mobile number is 11 characters of the code alphabet too: one whose check fails is no code mistyped
  if (typedCode.reason === 'mistyped') return isMainlandMobileNumber(compact) ? { ok: false, reason: 'phoneNumber' } : typedCode;
  if (/^\d{18}$/.test(compact) && isValidSscc(compact)) return { ok: true, target: `/00/${compact}` };
  const path = scanPathOf(plainUrl(value));
  if (path === null) return { ok: false, reason: 'malformed' };
  if (path.startsWith('/t/')) {
    const [code, query = ''] = path.slice(3).split('?', 2);
    let decoded: string;
    try {
      decoded = decodeURIComponent(code.replace(/\/$/, ''));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const linked = typedTraceCode(normalizeCode(decoded));
    if (!linked.ok) return linked;
    return { ok: true, target: `/t/${linked.code}${query === '' ? '' : `?${query}`}` };
  }
  // checked as the resolver checks it: the path and the AIs of the query (a campaign's parameters are passed over)
  const [linkPath, query = ''] = path.split('?', 2);
  const ais = query.split('&').filter((pair) => /^\d+(=|$)/.test(pair));
  const checked = `${linkPath}${ais.length === 0 ? '' : `?${ais.join('&')}`}`;
  const parsed = parseDigitalLinkPath(checked);
  // one trailing slash is the resolver's to redirect
  const read = !parsed.ok && parsed.error.code === 'trailing-slash' ? parseDigitalLinkPath(checked.replace(/\/(?=\?|$)/, '')) : parsed;
  if (!read.ok && read.error.code !== 'unsupported-key') return { ok: false, reason: 'malformed' };
  return { ok: true, target: path };
}
