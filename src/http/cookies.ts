// The one cookie the service sets (the dashboard session) and how it is read back. Pure.

/**
 * The value of cookie `name` in a Cookie header, if present. A value whose percent-encoding is
 * broken was never set by the service: it counts as absent.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return decoded(part.slice(separator + 1).trim());
  }
  return undefined;
}

function decoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
}

/**
 * A Set-Cookie value that scripts cannot read and other sites never send. `secure` where the browser
 * reached the service over HTTPS: then it travels over HTTPS only. Over plain HTTP (a phone on the
 * LAN address) a browser drops a Secure cookie (localhost aside), so there it goes without.
 */
export function sessionCookie(name: string, value: string, options: { path: string; maxAgeSeconds: number; secure: boolean }): string {
  return `${name}=${encodeURIComponent(value)}; Path=${options.path}; Max-Age=${options.maxAgeSeconds}; HttpOnly${options.secure ? '; Secure' : ''}; SameSite=Strict`;
}

/**
 * Whether the browser reached the service over HTTPS, as express-session's `secure: 'auto'` judges:
 * the request's protocol (X-Forwarded-Proto only from a proxy TRUST_PROXY names), or the public base
 * URL's, where a proxy terminates TLS without being named.
 */
export const reachedOverHttps = (request: { protocol: string }, publicBaseUrl: string): boolean =>
  request.protocol === 'https' || publicBaseUrl.startsWith('https:');
