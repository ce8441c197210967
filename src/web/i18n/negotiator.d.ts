// negotiator ships no types; this declares the part of its API the pages use.
declare module 'negotiator' {
  export default class Negotiator {
    constructor(request: { headers: Record<string, string | string[] | undefined> });
    /** The offered languages the request accepts, most preferred first (RFC 9110 Accept-Language, q-values). */
    languages(available: string[]): string[];
  }
}
