// Page tokens: where a listing ended, as opaque base64url JSON the client passes back unread.

export const writePageToken = (fields: Record<string, string>): string => Buffer.from(JSON.stringify(fields)).toString('base64url');

/** The fields a token carries; undefined for what is no token at all (the caller says so, at its parameter). */
export function readPageToken(token: string): Record<string, unknown> | undefined {
  try {
    const fields: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof fields === 'object' && fields !== null) return fields as Record<string, unknown>;
  } catch {
    // not JSON: no token either
  }
  return undefined;
}
