import { DrizzleQueryError } from 'drizzle-orm';
import { stdSerializers } from 'pino';

// What a failed statement says, the same on PGlite and node-postgres (drizzle wraps the driver's
// error as its cause). Services check for duplicates first; the unique index decides the race
// between two requests that both passed that check.

/** The driver's error when a unique index refused a row (SQLSTATE 23505). */
function uniqueViolation(error: unknown): { constraint?: unknown } | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as { code?: unknown }).code === '23505') return cause as { constraint?: unknown };
  }
  return undefined;
}

/** A unique index refused a row: two requests raced for one key. */
export const isUniqueViolation = (error: unknown): boolean => uniqueViolation(error) !== undefined;

/** The name of the unique constraint a failed statement violated, when the driver gives it. */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  const constraint = uniqueViolation(error)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/**
 * The database ended the statement because another transaction took the same rows the other way
 * round (deadlock, SQLSTATE 40P01) or a serializable read could not stand (40001): nothing of the
 * transaction was stored, and the same request sent again can succeed.
 */
export function isConcurrencyFailure(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === '40P01' || code === '40001') return true;
  }
  return false;
}

/**
 * PostgreSQL cancelled the statement (SQLSTATE 57014): in a transaction of boundedReads, because it
 * ran past the statement_timeout set there. Nothing was written, and the same statement would run as long again.
 */
export function isStatementCancelled(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as { code?: unknown }).code === '57014') return true;
  }
  return false;
}

/** Node's socket errors when the database's host cannot be reached or drops the connection. */
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
/** The server went away: admin_shutdown, crash_shutdown, cannot_connect_now. */
const SERVER_GONE_CODES = new Set(['57P01', '57P02', '57P03']);

/**
 * The database could not be reached or dropped the connection (a socket error, SQLSTATE class 08 or
 * 57P01–57P03, node-postgres's "Connection terminated", a closed PGlite): the request was not at
 * fault, and the same request can succeed once the database is back.
 */
export function isConnectionFailure(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    // a host name with several addresses fails with one error per address
    if (cause instanceof AggregateError && cause.errors.some(isConnectionFailure)) return true;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || SERVER_GONE_CODES.has(code) || code.startsWith('08'))) return true;
    if (/^Connection terminated( unexpectedly)?$|^PGlite is closed$/.test(cause.message)) return true;
  }
  return false;
}

/**
 * An error as the log writes it (pino's `err` serializer): a failed statement named by its SQL, never
 * by its parameters (an API key's hash, a client's address), which drizzle puts in its error's
 * `params` and in its message, and so in every message and stack that carries it as a cause.
 */
export function loggedError(error: Error): ReturnType<typeof stdSerializers.err> {
  const logged = stdSerializers.err(error);
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (!(cause instanceof DrizzleQueryError)) continue;
    const paramsLine = `\nparams: ${cause.params}`;
    logged.message = logged.message.replaceAll(paramsLine, '');
    logged.stack = logged.stack.replaceAll(paramsLine, '');
  }
  if (error instanceof DrizzleQueryError) delete (logged as { params?: unknown }).params;
  return logged;
}
