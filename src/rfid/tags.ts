// Tag values, without I/O: one spelling per tag, and the GS1 key a tag carries.
import { decodeTag, EpcSyntaxError } from '../gs1/epc-binary.js';

const HEX = /^[0-9A-Fa-f]+$/;

/**
 * One spelling per tag: hex in upper case; tag and raw URIs, which carry the tag's exact bits, as
 * that hex (so a tag read by a Zebra and posted as a tag URI is one tag); other URIs as given.
 */
export function normalizeTag(value: string): string {
  const trimmed = value.trim();
  if (HEX.test(trimmed)) return trimmed.toUpperCase();
  if (trimmed.startsWith('urn:epc:tag:') || trimmed.startsWith('urn:epc:raw:')) {
    try {
      return decodeTag(trimmed).hex ?? trimmed;
    } catch (error) {
      if (!(error instanceof EpcSyntaxError)) throw error;
    }
  }
  return trimmed;
}

/**
 * The GS1 key a tag carries, as a Digital Link (SSCC of a case, SGTIN of a pack, …), or the URI it
 * was given as; null for factory and other non-GS1 EPCs.
 */
export function gs1KeyOf(tag: string): string | null {
  try {
    const decoded = decodeTag(tag);
    return decoded.kind === 'gs1' ? decoded.digitalLink : null;
  } catch (error) {
    if (!(error instanceof EpcSyntaxError)) throw error;
    return HEX.test(tag) ? null : tag;
  }
}
