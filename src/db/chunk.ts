/** PostgreSQL caps one statement at 65,535 bind parameters; multi-row inserts are split to stay under it. */
export function chunkForInsert<T extends object>(rows: T[], maxParams = 60_000): T[][] {
  if (rows.length === 0) return [];
  const perRow = rows.reduce((widest, row) => Math.max(widest, Object.keys(row).length), 1);
  const size = Math.max(1, Math.floor(maxParams / perRow));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/** Runs a `where x = any(...)`-style select over a long list in slices that each stay under the bind limit. */
export async function selectInChunks<V, R>(values: V[], select: (slice: V[]) => Promise<R[]>, size = 10_000): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < values.length; i += size) results.push(...(await select(values.slice(i, i + size))));
  return results;
}
