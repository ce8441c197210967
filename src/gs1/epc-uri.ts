// GS1 Digital Link -> EPC pure-identity URNs, and the escaping of serials in those URNs. The other
// way, EPC URN -> Digital Link, is the canonical form in canonical.ts. Pure: no I/O.

import { aiValueError, type DigitalLink, isGs1Charset82, parseDigitalLinkPath } from './digital-link.js';

/** Canonical Digital Link host used for stored EPCs. */
export const GS1_DL_HOST = 'https://id.gs1.org';

/**
 * An EPC URN serial component unescaped; null when not 1–maxLength characters of GS1 charset 82.
 * EPC URNs %-escape only " % & / < > ? in serials; everything else in charset 82 is literal.
 */
export function urnDecode(value: string, maxLength: number): string | null {
  try {
    const decoded = decodeURIComponent(value);
    return decoded.length <= maxLength && isGs1Charset82(decoded) ? decoded : null;
  } catch {
    return null;
  }
}

/** Escapes a serial for an EPC URN. */
export function urnEncode(value: string): string {
  return value.replace(/["%&/<>?]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// RFC 8141 leaves the scheme `urn` and the namespace `epc` free in case. TDS writes the keywords
// after them (`id`, `class`, `idpat`, `tag`, `raw` and the scheme: `sscc`, `sgtin-96`, …) in lower
// case and has no two that differ only by case, so reading them in any case names the same EPC. The
// fields that follow (company prefix, serial, lot, a raw URI's bits) stay as written: serial `a1` is not `A1`.
const EPC_URI_HEAD = /^urn:epc:(?:raw:|[a-z]+:[a-z0-9-]+:)/i;

/** An EPC URI (pure identity, class, pattern, tag or raw URI) with its head in lower case; any other value as given. */
export function epcUriSpelling(value: string): string {
  const head = EPC_URI_HEAD.exec(value)?.[0];
  return head === undefined || head === head.toLowerCase() ? value : head.toLowerCase() + value.slice(head.length);
}

/** The path of an http(s) URI, or null. */
function pathOf(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.pathname : null;
}

function parseUri(uri: string): DigitalLink | null {
  const path = pathOf(uri);
  const parsed = path === null ? null : parseDigitalLinkPath(path);
  return parsed?.ok ? parsed.value : null;
}

/** The party GLN (AI 417, alone: it takes no qualifier) a Digital Link names, which the Digital Link reader does not take; or null. */
function partyGlnOf(uri: string): string | null {
  const key = /^(?:\/[^/]+)*?\/417\/(\d{13})$/.exec(pathOf(uri) ?? '')?.[1];
  return key !== undefined && aiValueError('417', key) === undefined ? key : null;
}

/**
 * Digital Link URI (any host) to the EPC URN: sgtin, lgtin, idpat:sgtin, sscc, sgln, grai, pgln.
 * The company prefix length must be supplied because a Digital Link does not carry it.
 * Null when the URI is not a convertible Digital Link (e.g. a GTIN with a CPV or a (235) extension).
 */
export function digitalLinkToEpcUrn(uri: string, companyPrefixLength: number): string | null {
  if (!Number.isInteger(companyPrefixLength) || companyPrefixLength < 6 || companyPrefixLength > 12) {
    throw new RangeError(`GS1 company prefix length must be 6-12, got ${companyPrefixLength}`);
  }
  const party = partyGlnOf(uri);
  if (party !== null) return `urn:epc:id:pgln:${party.slice(0, companyPrefixLength)}.${party.slice(companyPrefixLength, 12)}`;
  const dl = parseUri(uri);
  const cut = 1 + companyPrefixLength;
  if (dl?.gtin !== undefined && dl.cpv === undefined && dl.tpx === undefined) {
    const cpIr = `${dl.gtin.slice(1, cut)}.${dl.gtin[0]}${dl.gtin.slice(cut, 13)}`;
    if (dl.serial !== undefined) return `urn:epc:id:sgtin:${cpIr}.${urnEncode(dl.serial)}`;
    if (dl.lot !== undefined) return `urn:epc:class:lgtin:${cpIr}.${urnEncode(dl.lot)}`;
    return `urn:epc:idpat:sgtin:${cpIr}.*`;
  }
  if (dl?.sscc !== undefined) return `urn:epc:id:sscc:${dl.sscc.slice(1, cut)}.${dl.sscc[0]}${dl.sscc.slice(cut, 17)}`;
  if (dl?.gln !== undefined) {
    const ext = urnEncode(dl.glnExtension ?? '0');
    return `urn:epc:id:sgln:${dl.gln.slice(0, companyPrefixLength)}.${dl.gln.slice(companyPrefixLength, 12)}.${ext}`;
  }
  if (dl?.grai !== undefined) {
    const serial = dl.grai.slice(14);
    const cpAt = `${dl.grai.slice(1, cut)}.${dl.grai.slice(cut, 13)}`;
    return serial === '' ? `urn:epc:idpat:grai:${cpAt}.*` : `urn:epc:id:grai:${cpAt}.${urnEncode(serial)}`;
  }
  return null;
}
