// CBV 2.0 business steps and dispositions. A value is valid as a CBV short name ("shipping"),
// the same term in a CBV namespace (https://ref.gs1.org/cbv/BizStep-shipping, cbv:BizStep-shipping,
// urn:epcglobal:cbv:bizstep:shipping), or any other absolute URI (a custom vocabulary). A bare
// word that is not a CBV name is an error, and so is an unknown term inside a CBV namespace.

import { cited } from './messages.js';
import { BIZ_STEPS, DISPOSITIONS } from './schema.js';

export type Vocabulary = { names: ReadonlySet<string>; term: string; urn: string; noun: string };

export const BIZ_STEP: Vocabulary = { names: BIZ_STEPS, term: 'BizStep-', urn: 'urn:epcglobal:cbv:bizstep:', noun: 'business step' };
export const DISPOSITION: Vocabulary = { names: DISPOSITIONS, term: 'Disp-', urn: 'urn:epcglobal:cbv:disp:', noun: 'disposition' };

// The CBV namespaces; `cbv:` is the prefix the EPCIS 2.0 JSON-LD context binds to https://ref.gs1.org/cbv/.
const CBV_ROOTS = ['urn:epcglobal:cbv:', 'https://ref.gs1.org/cbv/', 'cbv:'];
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

/** Why `value` is not a valid term of `vocabulary`, or undefined when it is. Non-strings are the schema's to report. */
export function vocabularyProblem(vocabulary: Vocabulary, value: unknown): string | undefined {
  if (typeof value !== 'string' || vocabulary.names.has(value)) return undefined;
  const prefix = [vocabulary.urn, ...CBV_ROOTS.slice(1).map((root) => root + vocabulary.term)].find((p) => value.startsWith(p));
  if (prefix !== undefined && vocabulary.names.has(value.slice(prefix.length))) return undefined;
  // Anything else in a CBV namespace is a misspelt or misplaced CBV term, not a custom vocabulary.
  if (CBV_ROOTS.some((root) => value.startsWith(root))) return `"${cited(value)}" is not a CBV 2.0 ${vocabulary.noun}`;
  return URI.test(value) ? undefined : `"${cited(value)}" is not a CBV 2.0 ${vocabulary.noun} or a URI`;
}
