// The one cookie the service sets (the dashboard session) and how it is read back. Pure.

/** The value of cookie `name` in a Cookie header, if present. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return decodeURIComponent(part.slice(separator + 1).trim());
  }
  return undefined;
}

/** A Set-Cookie value that scripts cannot read, travels over HTTPS only and is never sent by other sites. */
export function sessionCookie(name: string, value: string, options: { path: string; maxAgeSeconds: number }): string {
  return `${name}=${encodeURIComponent(value)}; Path=${options.path}; Max-Age=${options.maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}
