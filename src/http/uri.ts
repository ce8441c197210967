// Request targets written back to a client (a redirect's Location, a problem naming the URL it was sent) as RFC 3986
// has them: strict URI parsers refuse a header with a stray "%" or a character no URI carries raw. Pure.

/** Every character a URI may carry raw (RFC 3986: unreserved and reserved), the "%" of its escapes too. */
const NOT_IN_A_URI = /[^\w\-.~:/?#[\]@!$&'()*+,;=%]/gu;
/** What a path, a query or a fragment may not carry raw (RFC 3986 pchar, "/" and "?"), a "%" aside. */
const NOT_IN_A_COMPONENT = /[^\w\-.~:/?@!$&'()*+,;=%]/gu;
/** What a host name may not carry raw (RFC 3986 reg-name: unreserved and sub-delims), a "%" aside. */
const NOT_IN_A_HOST = /[^\w\-.~!$&'()*+,;=%]/gu;
/** A "%" that begins no escape (two hex digits). */
const STRAY_PERCENT = /%(?![0-9A-Fa-f]{2})/g;
/** The scheme and authority a request target in absolute form begins with (`http://host:8080`; RFC 9112 3.2.2). */
const ABSOLUTE_FORM = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)/;
/** The scheme of a request target in absolute form and the user name and password in its authority, up to its last "@". */
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/;

/** A character escaped as UTF-8; a lone surrogate (no character at all) as U+FFFD, which encodeURIComponent throws on. */
const escapeCharacter = (character: string) => (/^[\uD800-\uDFFF]$/.test(character) ? '%EF%BF%BD' : encodeURIComponent(character));

/** The text with what no URI may carry raw (a space, `<`, `"`, non-ASCII) escaped, and nothing else: a stray "%" stays. */
export const escapedForUri = (text: string) => text.replace(NOT_IN_A_URI, escapeCharacter);

/** The text with what `notAllowed` matches escaped, a stray "%" too: its valid escapes kept. */
const escaped = (text: string, notAllowed: RegExp) => text.replace(notAllowed, escapeCharacter).replace(STRAY_PERCENT, '%25');

/** A path or fragment: its valid escapes kept, a stray "%" and what it may not carry raw escaped. */
const component = (text: string) => escaped(text, NOT_IN_A_COMPONENT);

/**
 * An authority (`host:port`) as a URI may carry it: an IP literal as it came (`[::1]`), else the host name with what it
 * may not carry raw escaped, a ":" not before the digits of a port too.
 */
function authority(text: string): string {
  const [, host, port = ''] = /^(.*?)(:\d*)?$/su.exec(text) as RegExpExecArray;
  return `${/^\[[0-9A-Fa-f:.]+\]$/.test(host) ? host : escaped(host, NOT_IN_A_HOST)}${port}`;
}

/** A request target without the user name and password its absolute form may name (`http://user:password@host/…`). */
export const withoutUserinfo = (target: string) => target.replace(USERINFO, '$1');

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

/** The most characters of a URL the service names whole (a problem's `instance`, the logs): the router takes some 16 KB. */
export const MAX_NAMED_URL_CHARS = 2048;

/** One %-escape; one of a UTF-8 continuation byte (10xxxxxx); one of the first byte of a character of 2 to 4 bytes. */
const ESCAPE = /^%[0-9A-Fa-f]{2}$/;
const CONTINUATION_ESCAPE = /^%[89ABab][0-9A-Fa-f]$/;
const FIRST_BYTE_ESCAPE = /^%[C-Fc-f][0-9A-Fa-f]$/;

/**
 * A URL (a URI reference, or a request target as sent) cut to at most `max` characters where a character ends: never
 * inside an escape (`%E8%8`), nor between the escapes of one character's UTF-8 bytes (`%E8%85` of 腊, `%E8%85%8A`), nor
 * between the halves of a surrogate pair.
 */
export function cutUrl(url: string, max = MAX_NAMED_URL_CHARS): string {
  if (url.length <= max) return url;
  let end = max;
  const percent = url.lastIndexOf('%', end - 1);
  if (percent >= 0 && percent > end - 3 && ESCAPE.test(url.slice(percent, percent + 3))) end = percent;
  // before a continuation byte, back to its character's first byte: at most 3 escapes before (UTF-8 takes up to 4 bytes)
  if (CONTINUATION_ESCAPE.test(url.slice(end, end + 3))) {
    for (let from = end - 3; from >= end - 9 && from >= 0; from -= 3) {
      const byte = url.slice(from, from + 3);
      if (FIRST_BYTE_ESCAPE.test(byte)) end = from;
      if (!CONTINUATION_ESCAPE.test(byte)) break;
    }
  }
  if (/[\uD800-\uDBFF]/.test(url.charAt(end - 1))) end -= 1;
  return url.slice(0, end);
}

/**
 * A request target (a path, its query string and a fragment, after a scheme and authority or not) as an RFC 3986 URI
 * reference: what it may not carry raw escaped, its valid escapes kept, its query read as the query parser reads it
 * (queryPart).
 */
export function uriReference(target: string): string {
  const origin = ABSOLUTE_FORM.exec(target);
  const rest = origin ? target.slice(origin[0].length) : target;
  const [, path, query, fragment] = /^([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/su.exec(rest) as RegExpExecArray;
  const written = query === undefined ? '' : `?${query.split('&').map(queryPair).join('&')}`;
  const scheme = origin ? `${origin[1]}${authority(origin[2])}` : '';
  return `${scheme}${component(path)}${written}${fragment === undefined ? '' : `#${component(fragment)}`}`;
}
