/**
 * GS1 mod-10 check digits (GTIN-8/12/13/14, GLN, SSCC all share one algorithm).
 */

const DIGITS = /^\d+$/;

/**
 * Check digit for the data digits (everything except the check digit).
 * Why weights run from the right: GS1 keys of different lengths then agree, so a
 * GTIN-13 left-padded to GTIN-14 keeps the same check digit.
 */
export function gs1CheckDigit(dataDigits: string): number {
  if (!DIGITS.test(dataDigits)) throw new RangeError(`GS1 data must be digits only: ${JSON.stringify(dataDigits)}`);
  let sum = 0;
  for (let i = 0; i < dataDigits.length; i++) {
    const d = dataDigits.charCodeAt(dataDigits.length - 1 - i) - 48;
    sum += d * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** Appends the check digit to the data digits. */
export function completeGs1(data: string): string {
  return data + String(gs1CheckDigit(data));
}

/** Digits-only, one of the allowed lengths, check digit correct. Never throws. */
function isValidGs1Key(value: string, lengths: readonly number[]): boolean {
  if (typeof value !== 'string' || !lengths.includes(value.length) || !DIGITS.test(value)) return false;
  return gs1CheckDigit(value.slice(0, -1)) === value.charCodeAt(value.length - 1) - 48;
}

const GTIN_LENGTHS = [8, 12, 13, 14] as const;

/** GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14. */
export function isValidGtin(value: string): boolean {
  return isValidGs1Key(value, GTIN_LENGTHS);
}

/** Canonical 14-digit form (left-padded with zeros) so one product has one key. Throws on an invalid GTIN. */
export function toGtin14(value: string): string {
  if (!isValidGtin(value)) throw new RangeError(`invalid GTIN: ${JSON.stringify(value)}`);
  return value.padStart(14, '0');
}

/** Global Location Number: 13 digits. */
export function isValidGln(value: string): boolean {
  return isValidGs1Key(value, [13]);
}

/** Serial Shipping Container Code: 18 digits. */
export function isValidSscc(value: string): boolean {
  return isValidGs1Key(value, [18]);
}
