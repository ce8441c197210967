// How the scripts print figures.

/** 12,345 — or with `digits`, 1,234.57 */
export const formatNumber = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const formatMs = (value: number, digits = 1) => `${value.toFixed(digits)} ms`;

/** Per second, from a count and the milliseconds it took. */
export const formatRate = (count: number, elapsedMs: number) => formatNumber(count / (elapsedMs / 1000));

export const formatRatio = (value: number, digits = 2) => `${value.toFixed(digits)}×`;

/** Columns padded to their widest cell, a rule under the header; the first `textColumns` align left, the rest right. */
export function printTable(header: string[], rows: string[][], textColumns = 1): void {
  const lines = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...lines.map((line) => line[c].length)));
  const pad = (line: string[]) => line.map((cell, c) => (c < textColumns ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(pad(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(pad(row));
}
