import { type Column, type SQL, sql } from 'drizzle-orm';

/** PostgreSQL caps one statement at 65,535 bind parameters; multi-row inserts are split to stay under it. */
export function chunkForInsert<T extends object>(rows: T[], maxParams = 60_000): T[][] {
  if (rows.length === 0) return [];
  const perRow = rows.reduce((widest, row) => Math.max(widest, Object.keys(row).length), 1);
  const size = Math.max(1, Math.floor(maxParams / perRow));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/**
 * `column = any($1)`: the whole list travels as one array parameter, so no list is too long for
 * the bind limit, and the statement has one shape (one plan) whatever the list's length.
 */
export function anyOf(column: Column | SQL, values: readonly string[]): SQL {
  return sql`${column} = any(${sql.param(textArray(values))}::text[])`;
}

/** Literals of frozen lists, which cannot change: a trace hands one list of 40,000 codes to each of its five reads. */
const frozenLiterals = new WeakMap<readonly string[], string | readonly string[]>();

/**
 * The list as PostgreSQL's array literal, every element quoted: joined once, where the drivers
 * escape element by element. A list holding a quote or a backslash, which would need escaping,
 * goes to the driver. A frozen list is joined once for all the statements it is sent with.
 */
export function textArray(values: readonly string[]): string | readonly string[] {
  if (values.length === 0) return '{}';
  const known = frozenLiterals.get(values);
  if (known !== undefined) return known;
  const literal = values.some((value) => value.includes('"') || value.includes('\\')) ? values : `{"${values.join('","')}"}`;
  if (Object.isFrozen(values)) frozenLiterals.set(values, literal);
  return literal;
}
