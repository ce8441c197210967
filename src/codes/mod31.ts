/**
 * GB 32100-2015 check-character scheme, generalised to bodies of any length.
 *
 * The standard defines it for the 17-character body of a 统一社会信用代码; the
 * same arithmetic works for any length, so our own service codes reuse it
 * instead of inventing a second scheme.
 */

// Why these 31 characters: 0-9 plus A-Z minus I, O, S, V, Z, which are easily
// confused with 1, 0, 5, U and 2. 31 is prime, which is what gives the check
// its error-detecting strength (see mod31Weight).
export const MOD31_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const MOD = 31;

/** Value 0..30 of a charset character, or -1 if it is not in the charset (lowercase included). */
export function mod31Value(ch: string): number {
  return ch.length === 1 ? MOD31_CHARSET.indexOf(ch) : -1;
}

/**
 * Weight of 0-based position i: 3^i mod 31 (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 …).
 * Why powers of 3: 3 is a primitive root mod 31, so weights never hit 0 (every
 * single substitution is caught) and neighbouring weights differ by a factor of
 * 3 (w_i − w_{i+1} = −2·w_i ≠ 0 mod 31, so every adjacent transposition of two
 * different characters is caught). The series repeats with period 30.
 */
export function mod31Weight(i: number): number {
  if (!Number.isInteger(i) || i < 0) throw new RangeError(`bad position ${i}`);
  let w = 1;
  for (let k = 0; k < i % 30; k++) w = (w * 3) % MOD;
  return w;
}

/** Check character for a body; throws RangeError on an empty body or a character outside the charset. */
export function mod31CheckChar(body: string): string {
  if (body.length === 0) throw new RangeError('empty body has no check character');
  let sum = 0;
  let w = 1;
  for (let i = 0; i < body.length; i++) {
    const v = mod31Value(body[i]);
    if (v < 0) throw new RangeError(`character ${JSON.stringify(body[i])} at position ${i} is not in the mod31 charset`);
    sum = (sum + v * w) % MOD;
    w = (w * 3) % MOD;
  }
  // (31 − 0) would be 31, which has no character; the outer mod maps it to '0' as GB 32100 does.
  return MOD31_CHARSET[(MOD - sum) % MOD];
}

/** True when the last character is the correct check for the rest. Never throws. */
export function hasValidMod31Check(code: string): boolean {
  if (typeof code !== 'string' || code.length < 2) return false;
  for (const ch of code) if (mod31Value(ch) < 0) return false;
  return mod31CheckChar(code.slice(0, -1)) === code[code.length - 1];
}
