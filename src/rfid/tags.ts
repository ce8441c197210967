// Tag values, without I/O: which values are EPCs, one spelling per tag, and the GS1 key a tag carries.

import { tagValueProblem } from '../epcis/tag-values.js';
import { canonicalGs1Uri, gs1IdentifierProblem } from '../gs1/canonical.js';
import { type DecodedTag, decodeTag, EpcSyntaxError, isTagEncoding } from '../gs1/epc-binary.js';
import { epcUriSpelling } from '../gs1/epc-uri.js';

const HEX = /^[0-9A-Fa-f]+$/;
const HEX_BYTES = /^(?:[0-9A-Fa-f]{2})+$/;
const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

/**
 * Why a value cannot be a tag's EPC, or null. Hex in whole bytes is the tag's memory and taken as
 * it is. A URI is held to what EPCIS capture holds an EPC to: a tag or raw URI must decode (with
 * the codec's reason when it does not), a GID's pure-identity URN must decode, an EPC URN or Digital
 * Link of a GS1 key must be well-formed; other URIs are taken as they are.
 */
export function epcProblem(value: string): string | null {
  if (HEX_BYTES.test(value)) return null;
  if (!URI.test(value)) return 'must be the EPC as hex (whole bytes) or an EPC URI';
  const tagProblem = tagValueProblem(value);
  if (tagProblem) return tagProblem;
  if (GID_URN.test(epcUriSpelling(value))) {
    try {
      decodeTag(epcUriSpelling(value));
      return null;
    } catch (error) {
      if (!(error instanceof EpcSyntaxError)) throw error;
      return error.message;
    }
  }
  const problem = gs1IdentifierProblem(value);
  return problem && `${JSON.stringify(value)} ${problem}`;
}

/**
 * Why a value looked up cannot name a tag, or null: as epcProblem, but hex in any number of digits,
 * which normalizeTag reads (a long scheme's hex is its bit length in whole digits, 43 for a GRAI-170).
 */
export function tagLookupProblem(value: string): string | null {
  const trimmed = value.trim();
  return HEX.test(trimmed) ? null : epcProblem(trimmed);
}

/**
 * One spelling per tag: hex in upper case; tag and raw URIs, which carry the tag's exact bits, as
 * that hex (so a tag read by a Zebra and posted as a tag URI is one tag); other URIs as given. A
 * malformed tag or raw URI, which only a lookup can name (reads and bindings are checked with
 * epcProblem), stays as given and so names no tag.
 */
export function normalizeTag(value: string): string {
  const trimmed = value.trim();
  if (HEX.test(trimmed)) return trimmed.toUpperCase();
  if (isTagEncoding(trimmed)) {
    try {
      return decodeTag(trimmed).hex ?? trimmed;
    } catch (error) {
      if (!(error instanceof EpcSyntaxError)) throw error;
    }
  }
  return trimmed;
}

// What a Digital Link's values escape once decoded: what EPC URNs escape ("%&/<>?), what Digital
// Links escape besides (!()*+,:), and a CPI's # (its other character, /, is among the first).
const ESCAPED = /["%&/<>?!()*+,:#]/g;

/**
 * A canonical Digital Link (canonicalGs1Uri) with each value in one spelling: %-decoded, then
 * escaped as the codec writes a tag's Digital Link. canonicalGs1Uri keeps escapes as written, so
 * that serial `%61b` (an EPC URN may escape any character) is the tag's `ab` only once respelled.
 */
function respelled(link: string): string {
  const [origin, ...segments] = link.replace(/^https:\/\//, '').split('/');
  const values = segments.map((segment, index) =>
    index % 2 === 0 ? segment : decodeURIComponent(segment).replace(ESCAPED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  );
  return `https://${[origin, ...values].join('/')}`;
}

const GID_URN = /^urn:epc:id:gid:/;

/** The tag a value decodes to, or null when it is malformed. */
function decoded(value: string): DecodedTag | null {
  try {
    return decodeTag(value);
  } catch (error) {
    if (!(error instanceof EpcSyntaxError)) throw error;
    return null;
  }
}

/**
 * What a tag's EPC binding and its reads are keyed by: the GS1 key the tag carries (SGTIN, SSCC,
 * SGLN, GRAI, GIAI, GDTI, GSRN, GSRNP, SGCN, CPI, ITIP, a GTIN with its (235) extension, …) as its
 * canonical Digital Link, its values in one spelling, however the tag was spelled (hex of any of the
 * codec's schemes, tag or raw URI, pure-identity URN with its serial escaped or not, Digital Link on
 * any host, after any path prefix, by numeric AI or short name, with or without a query, its scheme
 * in any case); a GID (no GS1 key) by its pure-identity URN, head in lower case
 * (urn:epc:id:gid:<manager>.<class>.<serial>), however it was spelled (hex, tag or raw URI, URN);
 * else its one spelling (normalizeTag). A pure URN or a Digital Link cannot be turned back into hex
 * (they carry no filter, nor a Digital Link its prefix length), so one tag's spellings meet at its key.
 */
export function tagKey(value: string): string {
  const tag = normalizeTag(value);
  if (!HEX.test(tag)) {
    const urn = epcUriSpelling(tag);
    if (GID_URN.test(urn)) {
      const gid = decoded(urn);
      return gid?.kind === 'gid' ? gid.pureIdentity : tag;
    }
    const link = canonicalGs1Uri(tag.replace(/^https?:\/\//i, (scheme) => scheme.toLowerCase()));
    return link === null ? tag : respelled(link);
  }
  const tagged = decoded(tag);
  if (tagged?.kind === 'gs1') return tagged.digitalLink;
  return tagged?.kind === 'gid' ? tagged.pureIdentity : tag;
}

/**
 * The values a tag's EPC binding may be stored under: its key, and its spelling for a binding
 * stored before bindings were keyed that migrations 0083, 0087 and 0091 could not rekey (one that
 * is no well-formed spelling of a key, stored as given; see tagKey).
 */
export const bindingValues = (value: string) => [...new Set([tagKey(value), normalizeTag(value)])];

/**
 * The GS1 key a tag carries, as a Digital Link (SSCC of a case, SGTIN of a pack, …); a GID's
 * pure-identity URN (as EPCIS capture stores it), however it was spelled; or the URI it was given
 * as; null for factory and other EPCs of no key.
 */
export function gs1KeyOf(tag: string): string | null {
  const tagged = decoded(tag);
  if (tagged === null) return HEX.test(tag) ? null : tag;
  if (tagged.kind === 'gs1') return tagged.digitalLink;
  return tagged.kind === 'gid' ? tagged.pureIdentity : null;
}

// GS1 keys whose value starts with an indicator or extension digit, its company prefix after it
const PREFIX_AFTER_FIRST_DIGIT = new Set(['00', '01', '8003', '8006']);

/**
 * What of a tag's key (tagKey: a canonical Digital Link) says whose it is: the GTIN it carries (an
 * SGTIN's or ITIP's, by which a registered product names its owner) and the digits its GS1 company
 * prefix starts (every GS1 key's); null for a tag of no GS1 key (a GID, a factory EPC).
 */
export function companyKeyOf(key: string): { gtin: string | null; digits: string } | null {
  const match = /^https:\/\/[^/]+\/(\d{2,4})\/(\d[^/?]*)/.exec(key);
  if (!match) return null;
  const [, ai, value] = match;
  const gtin = ai === '01' || ai === '8006' ? value.slice(0, 14) : null;
  return { gtin, digits: PREFIX_AFTER_FIRST_DIGIT.has(ai) ? value.slice(1) : value };
}
