// Which unique constraint a failed statement violated, whichever driver raised it (drizzle keeps
// the driver's error as its cause). Services check for duplicates first; the unique index
// decides the race between two requests that both passed that check.
export function violatedUniqueConstraint(error: unknown): string | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const { code, constraint } = cause as { code?: unknown; constraint?: unknown };
    if (code === '23505') return typeof constraint === 'string' ? constraint : undefined;
  }
  return undefined;
}
