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

/** A Set-Cookie value that scripts cannot read, travels over HTTPS only and is never sent by other sites. */
export function sessionCookie(name: string, value: string, options: { path: string; maxAgeSeconds: number }): string {
  return `${name}=${encodeURIComponent(value)}; Path=${options.path}; Max-Age=${options.maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}
