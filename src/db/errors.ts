// What a failed statement says, the same on PGlite and node-postgres (drizzle wraps the driver's
// error as its cause).

/** A unique index refused a row (SQLSTATE 23505): two requests raced for one key. */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
