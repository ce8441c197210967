// Command-line flags of the scripts: `--name value` for numbers, a bare `--name` for switches.
import { parseArgs } from 'node:util';

type Parsed<T> = { [K in keyof T]: T[K] extends boolean ? boolean : number };

/**
 * Flags with their defaults: a number default makes a flag that takes a positive integer, a
 * boolean default a switch. An unknown flag or a bad value stops the script with a message naming it.
 */
export function parseFlags<const T extends Record<string, number | boolean>>(defaults: T): Parsed<T> {
  const options = Object.fromEntries(
    Object.entries(defaults).map(([name, value]) => [
      name,
      { type: typeof value === 'boolean' ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  try {
    const { values } = parseArgs({ options, strict: true, allowPositionals: false });
    return Object.fromEntries(
      Object.entries(defaults).map(([name, value]) => {
        const given = values[name];
        if (given === undefined) return [name, value];
        return [name, typeof value === 'boolean' ? given : positiveInteger(name, given as string)];
      }),
    ) as Parsed<T>;
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}

function positiveInteger(flag: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) throw new Error(`--${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return parsed;
}
