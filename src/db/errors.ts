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
