import { randomUUID } from 'node:crypto';

/**
 * A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then randomness.
 * Rows keyed by it (scans) are appended at the right edge of their primary-key index instead
 * of landing on a random page of it, as version 4 keys do.
 */
export function uuidV7(at: Date = new Date()): string {
  const time = at.getTime().toString(16).padStart(12, '0');
  // a version 4 UUID already has the RFC variant bits and 74 random bits; keep those
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
