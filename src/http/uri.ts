// Request targets written back to a client (a redirect's Location, a problem naming the URL it was sent) as RFC 3986
// has them: strict URI parsers refuse a header with a stray "%" or a character no URI carries raw. Pure.

/** Every character a URI may carry raw (RFC 3986: unreserved and reserved), the "%" of its escapes too. */
const NOT_IN_A_URI = /[^\w\-.~:/?#[\]@!$&'()*+,;=%]/gu;
/** What a path, a query or a fragment may not carry raw (RFC 3986 pchar, "/" and "?"), a "%" aside. */
const NOT_IN_A_COMPONENT = /[^\w\-.~:/?@!$&'()*+,;=%]/gu;
/** A "%" that begins no escape (two hex digits). */
const STRAY_PERCENT = /%(?![0-9A-Fa-f]{2})/g;

/** A character escaped as UTF-8; a lone surrogate (no character at all) as U+FFFD, which encodeURIComponent throws on. */
const escapeCharacter = (character: string) => (/^[\uD800-\uDFFF]$/.test(character) ? '%EF%BF%BD' : encodeURIComponent(character));

/** The text with what no URI may carry raw (a space, `<`, `"`, non-ASCII) escaped, and nothing else: a stray "%" stays. */
export const escapedForUri = (text: string) => text.replace(NOT_IN_A_URI, escapeCharacter);

/** A path or fragment: its valid escapes kept, a stray "%" and what it may not carry raw escaped. */
const component = (text: string) => text.replace(NOT_IN_A_COMPONENT, escapeCharacter).replace(STRAY_PERCENT, '%25');

const decodes = (text: string) => {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * A query string's key or value. One that decodes keeps its escapes. One that does not (a stray "%", an escape that is
 * no UTF-8) is read as it came, `%E4` and all: when anything in it is escaped, its every "%" is escaped too, so the
 * request the URI leads to reads what this one read (`en%2C%zz` as `en%252C%25zz`, not `en%2C%25zz`, read as `en,%zz`).
 */
function queryPart(text: string): string {
  const written = component(text);
  return written === text || decodes(text) ? written : component(text.replace(/%/g, '%25'));
}

const queryPair = (pair: string) => {
  const equals = pair.indexOf('=');
  return equals === -1 ? queryPart(pair) : `${queryPart(pair.slice(0, equals))}=${queryPart(pair.slice(equals + 1))}`;
};

/**
 * A request target (a path, its query string and a fragment, after an origin or not) as an RFC 3986 URI reference: what
 * it may not carry raw escaped, its valid escapes kept, its query read as the query parser reads it (queryPart).
 */
export function uriReference(target: string): string {
  const [, path, query, fragment] = /^([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/su.exec(target) as RegExpExecArray;
  const written = query === undefined ? '' : `?${query.split('&').map(queryPair).join('&')}`;
  return `${component(path)}${written}${fragment === undefined ? '' : `#${component(fragment)}`}`;
}
