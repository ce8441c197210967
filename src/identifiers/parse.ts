// Every way a lot, container or pack can be written down, told apart without I/O: this service's
// codes, SSCCs, ear tags, a party's own lot number, GS1 keys (Digital Link on any host, EPC URNs),
// RFID tag values (tag and raw URIs, a reader's hex EPC) and any other URI an EPCIS document
// named (e.g. `urn:gdst:…` lot classes).
import { isValidEarTag } from '../codes/china.js';
import { isValidSscc } from '../codes/gs1.js';
import { isMistypedCode, normalizeCode, parsePartyCode, serviceCodeKind } from '../codes/service-codes.js';
import { badRequest, type FieldProblem, Problem, paramField } from '../errors/problem.js';
import { canonicalGs1Uri, gs1IdentifierProblem } from '../gs1/canonical.js';
import { buildDigitalLink, type DigitalLink } from '../gs1/digital-link.js';
import { decodeTag, EpcSyntaxError, isBareEpc, isTagEncoding } from '../gs1/epc-binary.js';
import { GS1_DL_HOST } from '../gs1/epc-uri.js';

export type Identifier =
  | { kind: 'lot'; code: string }
  | { kind: 'container'; code: string }
  | { kind: 'item'; code: string }
  | { kind: 'sscc'; sscc: string }
  | { kind: 'ear-tag'; earTag: string }
  | { kind: 'party-lot'; partyCode: string; lotNumber: string }
  | { kind: 'gtin'; gtin: string; cpv?: string; lot?: string; serial?: string; uri: string }
  | { kind: 'uri'; uri: string };

/** The request field a malformed identifier is reported at, given what is wrong with it. */
export type FieldOf = (detail: string) => FieldProblem;

/** An identifier that is the path's `{code}` (`/trace/{code}`, `/t/{code}`). */
export const atCodeParam: FieldOf = (detail) => paramField('code', detail);

const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;
const CANONICAL_GTIN = /^https:\/\/id\.gs1\.org\/01\/(\d{14})(?:\/10\/([^/]+))?(?:\/21\/([^/]+))?$/;
const CANONICAL_SSCC = /^https:\/\/id\.gs1\.org\/00\/(\d{18})$/;

const unknownForm = (raw: string) =>
  badRequest(
    `${raw} is not an identifier this service knows: a lot, container or item code, an SSCC, a 15-digit ear tag, PARTYCODE:LOTNUMBER, a GS1 Digital Link or an EPC URI`,
  );

/**
 * Classifies `raw`. `serviceBase` is this deployment's public origin: its `/lots/{code}` and
 * `/t/{code}` URIs name a lot and a pack. Throws a 400 Problem for a malformed value, saying
 * what is wrong with it (a wrong check character is probably a typo), about the request field
 * `fieldOf` names when given (`(detail) => paramField('code', detail)`).
 */
export function parseIdentifier(raw: string, serviceBase: string, fieldOf?: FieldOf): Identifier {
  try {
    return classify(raw, serviceBase);
  } catch (error) {
    // the checks know the value, not where in the request it was written
    if (fieldOf && error instanceof Problem) {
      throw new Problem(error.status, error.slug, error.title, error.detail, [fieldOf(error.message)]);
    }
    throw error;
  }
}

function classify(raw: string, serviceBase: string): Identifier {
  const value = raw.trim();
  const separator = value.indexOf(':');
  if (separator > 0) {
    const partyCode = normalizeCode(value.slice(0, separator));
    if (parsePartyCode(partyCode)) {
      const lotNumber = value.slice(separator + 1);
      if (!lotNumber) throw badRequest(`${raw}: give the party's lot number after the colon`);
      return { kind: 'party-lot', partyCode, lotNumber };
    }
    // not a URI's scheme: a party code mistyped before the party's lot number
    if (isMistypedCode(partyCode, ['party'])) throw badRequest(`${partyCode}: its check character is wrong — probably a typo`);
    if (URI.test(value)) return parseUri(value, serviceBase);
  }
  if (isBareEpc(value)) return tagIdentifier(value, serviceBase);
  const code = normalizeCode(value);
  if (/^\d{15}$/.test(code)) {
    if (!isValidEarTag(code)) throw badRequest(`${code} is not a valid ear tag (species digit + county code + serial)`);
    return { kind: 'ear-tag', earTag: code };
  }
  if (/^\d{18}$/.test(code)) {
    if (!isValidSscc(code)) throw badRequest(`${code} is not a valid SSCC: its check digit is wrong — probably a typo`);
    return { kind: 'sscc', sscc: code };
  }
  const kind = serviceCodeKind(code);
  if (kind === 'lot' || kind === 'container' || kind === 'item') return { kind, code };
  if (isMistypedCode(code, ['lot', 'container', 'item'])) throw badRequest(`${code}: its check character is wrong — probably a typo`);
  throw unknownForm(raw);
}

// Broken %-escapes (e.g. a lone surrogate's bytes) name nothing rather than failing the request.
function percentDecoded(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/** An RFID tag value names what its pure identity names; a tag of no GS1 key, what its raw URI names. */
function tagIdentifier(value: string, serviceBase: string): Identifier {
  try {
    const tag = decodeTag(value);
    if (tag.kind === 'gs1') return parseUri(tag.digitalLink, serviceBase);
    return { kind: 'uri', uri: tag.kind === 'gid' ? tag.pureIdentity : tag.rawUri };
  } catch (error) {
    if (error instanceof EpcSyntaxError) throw badRequest(error.message);
    throw error;
  }
}

function parseUri(uri: string, serviceBase: string): Identifier {
  if (isTagEncoding(uri)) return tagIdentifier(uri, serviceBase);
  for (const [path, kind] of [
    ['/lots/', 'lot'],
    ['/t/', 'item'],
  ] as const) {
    if (uri.startsWith(serviceBase + path)) {
      const code = normalizeCode(percentDecoded(uri.slice(serviceBase.length + path.length)) ?? '');
      const found = serviceCodeKind(code);
      if (found === kind || (kind === 'lot' && found === 'container')) return { kind: found, code };
      throw badRequest(`${uri} does not end in a valid ${kind} code`);
    }
  }
  // a GS1 key with a wrong check digit or digit count is a typo, as a bare SSCC's is: it names nothing else
  const problem = gs1IdentifierProblem(uri);
  if (problem) throw badRequest(`${uri} ${problem}`);
  const canonical = canonicalGs1Uri(uri);
  if (canonical) {
    const gtin = CANONICAL_GTIN.exec(canonical);
    if (gtin) {
      return {
        kind: 'gtin',
        gtin: gtin[1],
        uri: canonical,
        ...(gtin[2] ? { lot: decodeURIComponent(gtin[2]) } : {}),
        ...(gtin[3] ? { serial: decodeURIComponent(gtin[3]) } : {}),
      };
    }
    const sscc = CANONICAL_SSCC.exec(canonical);
    if (sscc) return { kind: 'sscc', sscc: sscc[1] };
    return { kind: 'uri', uri: canonical };
  }
  return { kind: 'uri', uri };
}

/**
 * The identifier a parsed GS1 Digital Link (GTIN or SSCC key) names; null for other keys. Its consumer product variant
 * (22) is kept beside the canonical URI, which drops it: no pack's code has one, so a serial under one is no pack's.
 */
export function digitalLinkIdentifier(link: DigitalLink): Identifier | null {
  if (link.sscc) return { kind: 'sscc', sscc: link.sscc };
  if (!link.gtin) return null;
  const { gtin, cpv, lot, serial } = link;
  const uri = canonicalGs1Uri(buildDigitalLink(GS1_DL_HOST, { gtin, lot, serial })) as string;
  return {
    kind: 'gtin',
    gtin,
    uri,
    ...(cpv !== undefined ? { cpv } : {}),
    ...(lot !== undefined ? { lot } : {}),
    ...(serial !== undefined ? { serial } : {}),
  };
}
