// CSV for spreadsheets: RFC 4180 quoting, CRLF line ends, and a UTF-8 byte order mark so that Excel
// reads Chinese text as UTF-8 rather than the system code page. Text that a spreadsheet would take
// for a formula (= + - @ at the start) is prefixed with an apostrophe. Pure.
//
// The default CSV is machine-exact: every cell is its value as it is. The Excel flavour
// (`?dialect=excel`) is for a person opening the file in Excel (or WPS): the headers are in Chinese, a
// column's values too where it has them in Chinese (zhValues), and a text cell that Excel would read
// as a number or a date (a GTIN 06901234567892 losing its 0, an 18-digit SSCC rounded to 1.23E+17, a
// lot number 2026-03 turned into a month) is written as the formula ="06901234567892", which Excel
// shows as that text. Such a cell holds digits, signs and separators alone, so the formula is a string
// and nothing else; a column whose values Excel should read as numbers or dates (quantity, local time)
// says so (`reads`) and is written as it is.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { takingTurns } from '../db/turns.js';
import { preferredType } from './negotiate.js';

export const CSV_TYPE = 'text/csv; charset=utf-8';
const BOM = '\uFEFF';

export type CsvValue = string | number | null | undefined;

/** `excel`: the Excel flavour (see above); the default is machine-exact RFC 4180. */
export type CsvDialect = 'excel';

/** A column of a CSV export. */
export type CsvColumn<T> = {
  header: string;
  /** The header in Chinese, as the Excel flavour writes it. */
  zh: string;
  value: (row: T) => CsvValue;
  /** A column Excel should read as numbers or dates: written as it is in the Excel flavour too. Others are text. */
  reads?: 'number' | 'date';
  /**
   * The column's values in Chinese, as the Excel flavour writes them: a table (a value not listed is
   * written as it is), or a function for a cell that lists several (documents, each by its type).
   */
  zhValues?: Readonly<Record<string, string>> | ((value: string) => string);
};

/** The query parameter every CSV export takes, declared the same way on each. */
export const csvDialectQuery = z
  .enum(['excel'])
  .optional()
  .describe(
    'excel: CSV for a person opening it in Excel or WPS (also without format=csv): headers in Chinese, and a code or other text Excel would read as a number or date (a GTIN 06901234567892, an 18-digit SSCC, a lot number 00012) written as ="06901234567892" so that Excel shows it exactly; numbers stay numbers. Without it the CSV is machine-exact (RFC 4180), headers in English',
  );

/** The Content-Disposition a CSV download is sent with, as an OpenAPI document declares it on that answer. */
export const CSV_ATTACHMENT_DECLARED = {
  'Content-Disposition': { type: 'string', description: 'on a CSV answer: attachment; filename="…csv", for the browser to save it' },
} as const;

/**
 * Text Excel would read as a number or a date rather than as it is written: digits with signs, a
 * decimal point or exponent, thousands separators, a percent sign, accounting parentheses, date and
 * time separators. Taking more than Excel would is harmless (the cell shows the same text).
 */
const NUMBER_LIKE = /^[0-9+\-.,/:%() eE]+$/;
const DIGIT = /[0-9]/;
/** The longest string an Excel formula may hold. */
const FORMULA_STRING_MAX = 255;

const quoted = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

export function csvCell(value: CsvValue, dialect?: CsvDialect): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (dialect === 'excel' && value.length <= FORMULA_STRING_MAX && NUMBER_LIKE.test(value) && DIGIT.test(value))
    return quoted(`="${value}"`);
  return quoted(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

export const csvLine = (cells: CsvValue[], lineEnd = '\r\n') => `${cells.map((cell) => csvCell(cell)).join(',')}${lineEnd}`;

export type CsvOptions = {
  dialect?: CsvDialect;
  /** Default true: a UTF-8 byte order mark first, for Excel. */
  byteOrderMark?: boolean;
  /** Default CRLF, as RFC 4180 has it. */
  lineEnd?: '\r\n' | '\n';
};

function inChinese(zhValues: CsvColumn<unknown>['zhValues'], value: string): string {
  if (typeof zhValues === 'function') return zhValues(value);
  return zhValues && Object.hasOwn(zhValues, value) ? zhValues[value] : value;
}

/** A row's cells as the dialect writes them. */
function cellsOf<T>(columns: readonly CsvColumn<T>[], row: T, dialect: CsvDialect | undefined): string[] {
  if (dialect !== 'excel') return columns.map((column) => csvCell(column.value(row)));
  return columns.map((column) => {
    const value = column.value(row);
    if (column.reads) return csvCell(value);
    return csvCell(typeof value === 'string' ? inChinese(column.zhValues, value) : value, 'excel');
  });
}

/**
 * A streamed CSV document: BOM and header first, then the rows page by page as they come, the event
 * loop taking a turn between pages (see takingTurns) so other requests are answered meanwhile.
 */
export function csvStream<T>(
  columns: readonly CsvColumn<T>[],
  pages: AsyncIterable<T[]> | Iterable<T[]>,
  options: CsvOptions = {},
): Readable {
  const { dialect, byteOrderMark = true, lineEnd = '\r\n' } = options;
  const headers = columns.map((column) => (dialect === 'excel' ? column.zh : column.header));
  async function* lines() {
    yield (byteOrderMark ? BOM : '') + csvLine(headers, lineEnd);
    for await (const page of takingTurns(pages)) yield page.map((row) => cellsOf(columns, row, dialect).join(',') + lineEnd).join('');
  }
  return Readable.from(lines());
}

/**
 * Whether a request asks for CSV: `?format=csv`, the Excel flavour (`?dialect=excel`) without a
 * format, or an Accept header that prefers text/csv to JSON.
 */
export function wantsCsv(format: string | undefined, accept: string | undefined, dialect?: CsvDialect): boolean {
  if (format !== undefined) return format === 'csv';
  if (dialect === 'excel') return true;
  return preferredType(accept, ['application/json', 'text/csv']) === 'text/csv';
}
