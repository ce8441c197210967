import { z } from 'zod';

// Characters nothing shows, which a name must not hold: zero-width spaces and joiners, the word joiner,
// the soft hyphen and the byte-order mark would make two names that look alike differ (奉节​腊肉 is not 奉节腊肉); bidi
// controls and marks reorder what is shown; C0 and C1 controls (tab, line breaks among them) and the
// line and paragraph separators break the lines of a label, a page, a CSV export or a log. The ideographic
// space, middle dots (阿卜杜·热合曼) and variation selectors are shown, and stay.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/u;

const codePoint = (character: string) => `U+${(character.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Refuses a text holding an invisible or control character, naming the first and where it stands: for a
 * name, and for any other text people read or compare that no such character belongs in.
 */
export function refuseInvisible(context: z.core.ParsePayload<string>): void {
  const found = INVISIBLE.exec(context.value);
  if (found) {
    context.issues.push({
      code: 'custom',
      input: context.value,
      message: `must not contain invisible or control characters (${codePoint(found[0])} at character ${found.index + 1})`,
    });
  }
}

/** A name people read (a party's, a product's, a location's): trimmed, 1 to `maxLength` characters, none of them invisible. */
export function nameSchema(maxLength: number) {
  return z.string().trim().min(1).max(maxLength).check(refuseInvisible);
}

/**
 * An address (a party's, a site's): shown beside a name on the consumer page, in traces and recall
 * lists, and read for the township it names, so held to the characters a name may have.
 */
export const addressSchema = nameSchema(500);
