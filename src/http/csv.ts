// CSV for spreadsheets: RFC 4180 quoting, CRLF line ends, and a UTF-8 byte order mark so that Excel
// reads Chinese text as UTF-8 rather than the system code page. Text that a spreadsheet would take
// for a formula (= + - @ at the start) is prefixed with an apostrophe. Pure.
import { Readable } from 'node:stream';
import { takingTurns } from '../db/turns.js';
import { preferredType } from './negotiate.js';

export const CSV_TYPE = 'text/csv; charset=utf-8';
const BOM = '\uFEFF';

export type CsvValue = string | number | null | undefined;

/** The Content-Disposition a CSV download is sent with, as an OpenAPI document declares it on that answer. */
export const CSV_ATTACHMENT_DECLARED = {
  'Content-Disposition': { type: 'string', description: 'on a CSV answer: attachment; filename="…csv", for the browser to save it' },
} as const;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: CsvValue[]) => `${cells.map(csvCell).join(',')}\r\n`;

/**
 * A streamed CSV document: BOM and header first, then the rows page by page as they come, the event
 * loop taking a turn between pages (see takingTurns) so other requests are answered meanwhile.
 */
export function csvStream<T>(
  columns: readonly { header: string; value: (row: T) => CsvValue }[],
  pages: AsyncIterable<T[]> | Iterable<T[]>,
): Readable {
  async function* lines() {
    yield BOM + csvLine(columns.map((column) => column.header));
    for await (const page of takingTurns(pages)) yield page.map((row) => csvLine(columns.map((column) => column.value(row)))).join('');
  }
  return Readable.from(lines());
}

/** Whether a request asks for CSV: `?format=csv`, or an Accept header that prefers text/csv to JSON. */
export function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  return preferredType(accept, ['application/json', 'text/csv']) === 'text/csv';
}
