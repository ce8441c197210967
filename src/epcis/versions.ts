// The EPCIS and CBV versions this service answers in, and the ranges a client may ask for with the
// REST binding's GS1-EPCIS-Min / GS1-EPCIS-Max and GS1-CBV-Min / GS1-CBV-Max request headers (pure).
import { badRequest, type FieldProblem, Problem } from '../errors/problem.js';

export const EPCIS_VERSION = '2.0.0';
export const CBV_VERSION = '2.0.0';

/** A version as the REST binding writes one (its `version` schema): numbers, of any length, separated by dots. */
const VERSION = /^\d+(\.\d+)*$/;
export const VERSION_PATTERN = VERSION.source;
/** The longest version header read: a header is bounded input, and no version needs more. */
export const VERSION_MAX_LENGTH = 64;

/** The request headers naming a range of versions, each with the version it bounds and whether it is the lower bound. */
export const VERSION_RANGE_HEADERS = [
  { header: 'gs1-epcis-min', name: 'GS1-EPCIS-Min', standard: 'EPCIS', version: EPCIS_VERSION, lower: true },
  { header: 'gs1-epcis-max', name: 'GS1-EPCIS-Max', standard: 'EPCIS', version: EPCIS_VERSION, lower: false },
  { header: 'gs1-cbv-min', name: 'GS1-CBV-Min', standard: 'CBV', version: CBV_VERSION, lower: true },
  { header: 'gs1-cbv-max', name: 'GS1-CBV-Max', standard: 'CBV', version: CBV_VERSION, lower: false },
] as const;

/** A number of a version without its leading zeros ('' for 0), so that numbers compare by length, then digit by digit. */
const significant = (number: string) => number.replace(/^0+/, '');

/**
 * Compares two versions number by number, a missing number read as 0 (2.0 is 2.0.0), as numbers of
 * any length (0002 is 2; no number is too long to compare).
 */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [a.split('.').map(significant), b.split('.').map(significant)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const [m, n] = [x[i] ?? '', y[i] ?? ''];
    if (m.length !== n.length) return Math.sign(m.length - n.length);
    if (m !== n) return m < n ? -1 : 1;
  }
  return 0;
}

/**
 * Why a request's version headers cannot be answered, or null when they can (or name no range): a
 * header sent more than once (Node joins the values with a comma), or a value that is no version or
 * is over VERSION_MAX_LENGTH characters, is a 400 naming the header; a range that leaves out the
 * version this service answers in is a 406 naming each header that leaves it out.
 */
export function versionRangeProblem(headers: Record<string, string | string[] | undefined>): Problem | null {
  const malformed: FieldProblem[] = [];
  const excluding: FieldProblem[] = [];
  for (const { header, name, standard, version, lower } of VERSION_RANGE_HEADERS) {
    const raw = headers[header];
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw.trim();
    const pointer = `/${header}`;
    if (Array.isArray(raw) || value.includes(',')) {
      malformed.push({ in: 'headers', pointer, detail: `${name} was sent more than once (or as a list): send it once, with one version` });
      continue;
    }
    if (value.length > VERSION_MAX_LENGTH) {
      malformed.push({ in: 'headers', pointer, detail: `${name}: a version of at most ${VERSION_MAX_LENGTH} characters` });
      continue;
    }
    if (!VERSION.test(value)) {
      malformed.push({ in: 'headers', pointer, detail: `${name}: a version such as ${version} (numbers separated by dots)` });
      continue;
    }
    const order = compareVersions(value, version);
    if (lower ? order > 0 : order < 0)
      excluding.push({
        in: 'headers',
        pointer,
        detail: `${name} ${value}: this service answers in ${standard} ${version} only, so it must be ${lower ? 'at most' : 'at least'} ${version}`,
      });
  }
  if (malformed.length > 0) return badRequest(malformed.map((field) => field.detail).join('; '), malformed);
  if (excluding.length === 0) return null;
  return new Problem(
    406,
    'not-acceptable',
    'Not acceptable',
    `no version this service answers in lies in the range asked for: it answers in EPCIS ${EPCIS_VERSION} and CBV ${CBV_VERSION}`,
    excluding,
  );
}
