import { z } from 'zod';

// What text people read must not hold, checked where a request gives it: names and free text.
//
// Bidi controls and marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) reorder what is
// shown: a reason with a right-to-left override reads reversed to the regulator or consumer shown it
// ("Trojan source"). C0 controls, DEL and C1 controls break the lines of a label, a page, a CSV export
// or a log, or are nothing at all. No text here may hold either; only text that may run over several
// lines (a reason, a note, a description) keeps its tabs and line breaks (TAB, LF, CR).
//
// A name must besides hold no character nothing shows: zero-width spaces and joiners, the word
// joiner, the soft hyphen and the byte-order mark would make two names that look alike differ
// (奉节​腊肉 is not 奉节腊肉), and line and paragraph separators break its one line. Free text keeps
// those (a zero-width joiner is what joins an emoji 👨‍👩‍👧). The ideographic space, middle dots
// (阿卜杜·热合曼) and variation selectors are shown, and stay in both.

// biome-ignore-start lint/suspicious/noControlCharactersInRegex: control characters are what they look for
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/u;
/** Free text on one line: controls (tab and line breaks among them), bidi controls and marks, line and paragraph separators. */
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
/** Free text of several lines: controls but TAB, LF and CR, bidi controls and marks. */
const NOT_IN_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
// biome-ignore-end lint/suspicious/noControlCharactersInRegex: control characters are what they look for

const codePoint = (character: string) => `U+${(character.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;

/** The place of the character at `index` (UTF-16) as people count characters: an emoji before it is one, not two. */
const characterNumber = (text: string, index: number) => Array.from(text.slice(0, index)).length + 1;

/**
 * A check refusing a text that holds a character `pattern` matches, naming the first (`U+202E`) and
 * where it stands. Applied to a value that may be other than text (a union of a number and a text), it
 * checks the texts it holds: itself, or the texts of its list, each at its own index.
 */
function refusing(pattern: RegExp, what: string) {
  return (context: z.core.ParsePayload<unknown>): void => {
    const texts: [string, (string | number)[]][] =
      typeof context.value === 'string'
        ? [[context.value, []]]
        : Array.isArray(context.value)
          ? context.value.flatMap((item, index) => (typeof item === 'string' ? [[item, [index]] as [string, number[]]] : []))
          : [];
    for (const [text, path] of texts) {
      const found = pattern.exec(text);
      if (found) {
        context.issues.push({
          code: 'custom',
          input: text,
          path,
          message: `${what} (${codePoint(found[0])} at character ${characterNumber(text, found.index)})`,
        });
      }
    }
  };
}

/**
 * Refuses a text holding an invisible or control character, naming the first and where it stands: for a
 * name, and for any other text people read or compare that no such character belongs in.
 */
export const refuseInvisible = refusing(INVISIBLE, 'must not contain invisible or control characters');

/** The most characters the name of a lot's own attribute or a process's parameter may have: a label, as a brand's name. */
export const KEY_NAME_MAX_LENGTH = 100;

/**
 * Refuses a record's key that breaks the rule for names, at the key's path: a key is shown as the label
 * of its value, so it says something (not empty nor blank), within KEY_NAME_MAX_LENGTH characters, and
 * holds no character that reorders, hides or breaks it. Kept as written, not trimmed: two keys
 * differing in their spaces would become one.
 */
function refuseKeysUnlikeNames(context: z.core.ParsePayload<unknown>): void {
  if (typeof context.value !== 'object' || context.value === null || Array.isArray(context.value)) return;
  for (const key of Object.keys(context.value)) {
    const found = INVISIBLE.exec(key);
    const message =
      key.trim() === ''
        ? 'the name must not be empty'
        : [...key].length > KEY_NAME_MAX_LENGTH
          ? `the name must be at most ${KEY_NAME_MAX_LENGTH} characters`
          : found
            ? `the name must not contain invisible or control characters (${codePoint(found[0])} at character ${characterNumber(key, found.index)})`
            : undefined;
    if (message) context.issues.push({ code: 'custom', input: key, path: [key], message });
  }
}

/**
 * A record whose keys are names (a lot's own attributes, a process's parameters): each refused as
 * refuseKeysUnlikeNames says, the bounds told in the OpenAPI document as its `propertyNames`.
 */
export function withNamesAsKeys<T extends z.ZodType>(record: T): T {
  return record.check(refuseKeysUnlikeNames).meta({ propertyNames: { type: 'string', minLength: 1, maxLength: KEY_NAME_MAX_LENGTH } });
}

/**
 * Refuses free text that may run over several lines holding a control character other than a tab or a
 * line break, or a bidi control or mark, naming the first and where it stands.
 */
export const refuseControls = refusing(NOT_IN_LINES, 'must not contain control or bidi characters');

/** Refuses free text meant for one line holding a control character (tab, line break), a line separator or a bidi control. */
export const refuseControlsInLine = refusing(NOT_ONE_LINE, 'must be one line without control or bidi characters');

/** A name people read (a party's, a product's, a location's): trimmed, 1 to `maxLength` characters, none of them invisible. */
export function nameSchema(maxLength: number) {
  return z.string().trim().min(1).max(maxLength).check(refuseInvisible);
}

/**
 * An address (a party's, a site's): shown beside a name on the consumer page, in traces and recall
 * lists, and read for the township it names, so held to the characters a name may have.
 */
export const addressSchema = nameSchema(500);

/**
 * Free text people write and others read (a reason, a note, a hazard, a description, a certificate
 * number, a buyer): trimmed, at most `maxLength` characters, with no control or bidi character; on one
 * line unless `lines: 'many'`, where tabs and line breaks stay, each break (CRLF, as a browser submits
 * a textarea's, or CR) one LF. Chain `.min(1)` where it is required.
 */
export function freeTextSchema(maxLength: number, { lines = 'one' }: { lines?: 'one' | 'many' } = {}) {
  if (lines === 'one') return z.string().trim().max(maxLength).check(refuseControlsInLine);
  // before the length: a textarea's maxlength counts a break once, so text it let through fits here too
  return z
    .string()
    .overwrite((text) => text.replace(/\r\n?/g, '\n'))
    .trim()
    .max(maxLength)
    .check(refuseControls);
}
