// What a person types on the lookup page (`/`) when a pack's QR code will not scan, read as the resolver reads a scan:
// a trace code (in any case, full-width, with spaces or dashes between its characters), an SSCC, or a link of this
// resolver or any other host (`https://…/t/{code}`, a GS1 Digital Link `…/01/{gtin}/10/{lot}`). Pure: no I/O.
import { isValidSscc } from '../codes/gs1.js';
import { normalizeCode, plainUrl, serviceCodeKind } from '../codes/service-codes.js';
import { parseDigitalLinkPath } from '../gs1/digital-link.js';

/** The longest value read: a Digital Link with its data attributes is well under it. */
export const MAX_LOOKUP_CHARS = 500;

/** The scan URL (path and query) a typed code leads to, or why it leads nowhere: nothing typed, or nothing the resolver reads. */
export type Lookup = { ok: true; target: string } | { ok: false; reason: 'empty' | 'malformed' };

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
  if (serviceCodeKind(compact) === 'item') return { ok: true, target: `/t/${compact}` };
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
    const issued = normalizeCode(decoded);
    if (serviceCodeKind(issued) !== 'item') return { ok: false, reason: 'malformed' };
    return { ok: true, target: `/t/${issued}${query === '' ? '' : `?${query}`}` };
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
