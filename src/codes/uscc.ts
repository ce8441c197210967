/**
 * 统一社会信用代码 (Unified Social Credit Code, GB 32100-2015), 18 characters:
 *   1      registration authority (登记管理部门)
 *   2      organisation type (机构类别)
 *   3–8    administrative region code (登记管理机关行政区划码)
 *   9–17   organisation code (主体标识码)
 *   18     mod-31 check character
 */
import { hasValidMod31Check, mod31CheckChar, mod31Value } from './mod31.js';

const USCC_LENGTH = 18;

/** Exactly 18 uppercase charset characters, a region code of six digits (characters 3–8) and a valid check character. */
export function isValidUscc(value: string): boolean {
  // Uppercase only: a lowercase code is a typing artefact; callers normalise first.
  // The region code is read by shape only: a code keeps the region it was issued under after GB/T 2260 retires it.
  return typeof value === 'string' && value.length === USCC_LENGTH && /^\d{6}$/.test(value.slice(2, 8)) && hasValidMod31Check(value);
}

/** Appends the check character to a 17-character body (used to build demo data). */
export function completeUscc(first17: string): string {
  if (first17.length !== USCC_LENGTH - 1) throw new RangeError(`USCC body must be 17 characters, got ${first17.length}`);
  for (const ch of first17) if (mod31Value(ch) < 0) throw new RangeError(`character ${JSON.stringify(ch)} not allowed in a USCC`);
  return first17 + mod31CheckChar(first17);
}
