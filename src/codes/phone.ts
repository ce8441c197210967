// A phone number as people write it, read as its digits: the complaint form's and an applying enterprise's contact.
import { z } from 'zod';

/**
 * What separates a phone number's digits as it is written (the dashes a Chinese input method types
 * too): dropped, so that the regulators see the digits.
 */
const PHONE_SEPARATORS = /[\s\-.()\u2010-\u2015\u2212]/g;

export const PHONE_RULE = 'must be a phone number: 6 to 20 digits, + before a country code; spaces, hyphens and parentheses are fine';

/**
 * A phone number as typed (spaces, hyphens, dots, parentheses around the area code, full-width
 * forms), kept as its digits with the + of a country code; an empty one reads as ''.
 */
export const phoneDigitsSchema = z
  .string()
  .max(40)
  .transform((typed) => {
    const digits = typed.normalize('NFKC').replace(PHONE_SEPARATORS, '');
    // separators alone ("---") are no number: kept as typed, to be refused, not read as none given
    return digits === '' && typed.trim() !== '' ? typed : digits;
  })
  .pipe(z.string().regex(/^(\+?[0-9]{6,20})?$/, { error: PHONE_RULE }));

/** A mainland China mobile number as its digits: 11 of them, the first 1 (13812345678). */
export const isMainlandMobileNumber = (digits: string) => /^1\d{10}$/.test(digits);

/** A phone number that must be given. */
export const phoneSchema = phoneDigitsSchema.refine((digits) => digits !== '', { error: PHONE_RULE });
