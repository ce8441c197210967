// EPC pure-identity URNs <-> GS1 Digital Link, as EPCIS 2.0 normalises EPCs before hashing and
// storing them. Pure: no I/O.

import { completeGs1 } from '../codes/gs1.js';
import { buildDigitalLink, type DigitalLink, type DigitalLinkId, isGs1Charset82, parseDigitalLinkPath } from './digital-link.js';

/** Canonical Digital Link host used for stored EPCs. */
export const GS1_DL_HOST = 'https://id.gs1.org';

const COMPANY_PREFIX = /^\d{6,12}$/;
const DIGITS = /^\d*$/;

// Splits into n fields; the last keeps any further dots because serials may contain them.
function fields(body: string, n: number): string[] | null {
  const parts = body.split('.');
  if (parts.length < n) return null;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join('.')];
}

// Company prefix + reference must together fill `total` digits of the GS1 key.
function keyDigits(cp: string, ref: string, total: number): boolean {
  return COMPANY_PREFIX.test(cp) && DIGITS.test(ref) && cp.length + ref.length === total;
}

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

// The indicator digit leads the GTIN-14 but is carried as the first digit of the item reference.
function gtinOf(cp: string, ir: string): string {
  return completeGs1(ir[0] + cp + ir.slice(1));
}

function graiOf(cp: string, assetType: string, serial: string): string {
  return `0${completeGs1(cp + assetType)}${serial}`;
}

function toId(type: string, body: string): DigitalLinkId | null {
  if (type === 'id:sscc') {
    const parts = body.split('.');
    const [cp, sr] = parts;
    // The extension digit leads the SSCC but is carried as the first digit of the serial reference.
    return parts.length === 2 && keyDigits(cp, sr, 17) && sr !== '' ? { sscc: completeGs1(sr[0] + cp + sr.slice(1)) } : null;
  }
  const parts = fields(body, 3);
  if (!parts) return null;
  const [cp, ref, last] = parts;
  switch (type) {
    case 'id:sgtin':
    case 'class:lgtin':
    case 'idpat:sgtin': {
      if (!keyDigits(cp, ref, 13) || ref === '') return null;
      const gtin = gtinOf(cp, ref);
      if (type === 'idpat:sgtin') return last === '*' ? { gtin } : null;
      const text = urnDecode(last, 20);
      if (text === null) return null;
      return type === 'id:sgtin' ? { gtin, serial: text } : { gtin, lot: text };
    }
    case 'id:sgln': {
      const ext = urnDecode(last, 20);
      if (!keyDigits(cp, ref, 12) || ext === null) return null;
      const gln = completeGs1(cp + ref);
      // Extension 0 means "no extension" in SGLN.
      return ext === '0' ? { gln } : { gln, glnExtension: ext };
    }
    case 'id:grai':
    case 'idpat:grai': {
      if (!keyDigits(cp, ref, 12)) return null;
      if (type === 'idpat:grai') return last === '*' ? { grai: graiOf(cp, ref, '') } : null;
      const serial = urnDecode(last, 16);
      return serial === null ? null : { grai: graiOf(cp, ref, serial) };
    }
    default:
      return null;
  }
}

/** `urn:epc:id:sgtin:…` etc. to `https://id.gs1.org/…`; null for any URN this module does not convert. */
export function epcUrnToDigitalLink(urn: string): string | null {
  const m = /^urn:epc:(id|class|idpat):([a-z]+):(.*)$/.exec(urn);
  const id = m ? toId(`${m[1]}:${m[2]}`, m[3]) : null;
  return id ? buildDigitalLink(GS1_DL_HOST, id) : null;
}

function parseUri(uri: string): DigitalLink | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const parsed = parseDigitalLinkPath(url.pathname);
  return parsed.ok ? parsed.value : null;
}

/**
 * Digital Link URI (any host) to the EPC URN: sgtin, lgtin, idpat:sgtin, sscc, sgln, grai.
 * The company prefix length must be supplied because a Digital Link does not carry it.
 * Null when the URI is not a convertible Digital Link (e.g. a GTIN with a CPV or a (235) extension).
 */
export function digitalLinkToEpcUrn(uri: string, companyPrefixLength: number): string | null {
  if (!Number.isInteger(companyPrefixLength) || companyPrefixLength < 6 || companyPrefixLength > 12) {
    throw new RangeError(`GS1 company prefix length must be 6-12, got ${companyPrefixLength}`);
  }
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
