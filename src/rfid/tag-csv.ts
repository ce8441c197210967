// Tag bindings as a spreadsheet, without I/O: a header naming the columns `epc` or `tid`, and
// `code` (and, if wanted, `unit`), then one tag per line, its fields quoted or not. Each line is checked as a binding of the
// JSON body is (tagBindingSchema), a bad one named by its line number (`/line/3/tid`) and, for a
// person fixing the spreadsheet, by its column's letter.
import { badRequest, type FieldProblem, Problem, withBodyFieldsMoved } from '../errors/problem.js';
import { shortened } from '../web/text.js';
import { type TagBinding, tagBindingSchema } from './schemas.js';

const MAX_PROBLEMS = 100;
const COLUMNS = ['epc', 'tid', 'code', 'unit'] as const;
type Column = (typeof COLUMNS)[number];
const isColumn = (name: string): name is Column => (COLUMNS as readonly string[]).includes(name);
/** The most characters of a header's name a message quotes: a cell may be megabytes long. */
const QUOTED_CHARS = 100;

/** A column as a spreadsheet labels it: A for the first, Z for the 26th, then AA, AB… */
const columnLetter = (index: number): string =>
  (index >= 26 ? columnLetter(Math.floor(index / 26) - 1) : '') + String.fromCharCode(65 + (index % 26));

/**
 * The cells of one line, trimmed: a cell may be quoted as spreadsheets and CSV writers quote them
 * (RFC 4180: `"a,b"`, a quote inside doubled `""`). A string says why the line cannot be read.
 */
function cellsOf(line: string): string[] | string {
  const cells: string[] = [];
  let at = 0;
  for (;;) {
    while (line[at] === ' ' || line[at] === '\t') at++;
    let cell: string;
    if (line[at] === '"') {
      cell = '';
      at++;
      for (;;) {
        const quote = line.indexOf('"', at);
        if (quote < 0) return 'a quoted field is not closed by a quote';
        cell += line.slice(at, quote);
        at = quote + 1;
        if (line[at] !== '"') break;
        cell += '"';
        at++;
      }
      while (line[at] === ' ' || line[at] === '\t') at++;
      if (at < line.length && line[at] !== ',') return 'text follows the closing quote of a field (a quote inside one is written "")';
    } else {
      const comma = line.indexOf(',', at);
      const end = comma < 0 ? line.length : comma;
      cell = line.slice(at, end);
      if (cell.includes('"')) return 'a quote inside an unquoted field (quote the field and write the quote as "")';
      at = end;
    }
    cells.push(cell.trim());
    if (at >= line.length) return cells;
    at++; // the comma
  }
}

/** A problem with the file at line `line` (from 1, the header's), and within it at `path` (a column). */
const lineProblem = (line: number, detail: string, path: PropertyKey[] = []): FieldProblem => ({
  in: 'body',
  pointer: `/line/${[line, ...path].join('/')}`,
  detail,
});

/** The problems of the first line, whose cells name the columns: none when it names the columns of a binding. */
function headerProblems(names: string[]): FieldProblem[] {
  const header = names.map((name) => name.toLowerCase());
  const problems = header.flatMap((name, index) => {
    // a misspelt column would leave its values unbound; an empty name is a column a spreadsheet kept (its cells must be empty)
    if (name === '' || isColumn(name)) return [];
    const shown = shortened(names[index], QUOTED_CHARS);
    return [
      lineProblem(
        1,
        `column ${columnLetter(index)} is headed ${shown}, which is no column of a tag binding: the columns are epc, tid, code and unit`,
      ),
    ];
  });
  // which of two columns of one name a line's value is in cannot be told: one would be dropped
  const repeated = header.find((name, index) => name !== '' && header.indexOf(name) !== index);
  if (repeated) problems.push(lineProblem(1, `names the column ${shortened(repeated, QUOTED_CHARS)} twice`));
  if (!header.includes('code')) problems.push(lineProblem(1, 'names no column code, the item, lot or container each tag is bound to'));
  if (!header.includes('epc') && !header.includes('tid')) problems.push(lineProblem(1, 'names neither an epc nor a tid column'));
  return problems;
}

/** The bindings a file lists, and the line (from 1, the header's) each is on. All or none: a bad line refuses the file. */
export function parseTagCsv(text: string): { bindings: TagBinding[]; lines: number[] } {
  // CR alone ends the lines of Excel for Mac's "CSV (Macintosh)"
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
  const headerCells = cellsOf(lines[0]);
  const names = typeof headerCells === 'string' ? [] : headerCells;
  const header = names.map((name) => name.toLowerCase());
  // a first line naming no column at all is a line of tags, or of another separator than the comma
  if (!header.some(isColumn)) {
    throw badRequest('the first line names the columns, separated by commas: epc (or tid) and code', [
      lineProblem(1, 'expected a header such as epc,code'),
    ]);
  }
  const refusedHeader = headerProblems(names);
  if (refusedHeader.length > 0)
    throw badRequest(`the first line is refused (${refusedHeader[0].detail}); nothing was bound`, refusedHeader);
  const columnOf = (name: Column) => header.indexOf(name);
  const problems: FieldProblem[] = [];
  const bindings: TagBinding[] = [];
  const bindingLines: number[] = [];
  lines.slice(1).forEach((line, index) => {
    const lineNumber = index + 2;
    const cells = cellsOf(line);
    if (typeof cells === 'string') {
      problems.push(lineProblem(lineNumber, cells));
      return;
    }
    // a blank line, or a row of empty cells as a spreadsheet writes one within its used range
    if (cells.every((cell) => cell === '')) return;
    // a cell past the header's columns is refused even when empty: the line is not laid out as the header says
    if (cells.length > header.length) {
      const dropped = cells.findIndex((cell, at) => at >= header.length && cell !== '');
      const why =
        dropped < 0
          ? `remove what follows column ${columnLetter(header.length - 1)} (an empty cell is a comma too many)`
          : `its value in column ${columnLetter(dropped)} would be dropped`;
      problems.push(
        lineProblem(lineNumber, `line ${lineNumber} has ${cells.length} cells where the first line has ${header.length}: ${why}`),
      );
      return;
    }
    const unnamed = cells.findIndex((cell, at) => header[at] === '' && cell !== '');
    if (unnamed >= 0) {
      problems.push(
        lineProblem(
          lineNumber,
          `line ${lineNumber} has a value in column ${columnLetter(unnamed)}, which has no name in the first line: it would be dropped (clear the cell or delete the column)`,
        ),
      );
      return;
    }
    // an empty cell (or one the line ends before) gives nothing, as a member left out of a JSON binding
    const given = Object.fromEntries(COLUMNS.flatMap((name) => (cells[columnOf(name)] ? [[name, cells[columnOf(name)]]] : [])));
    const parsed = tagBindingSchema.safeParse(given);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [name] = issue.path;
        // a required column left empty, in the spreadsheet's terms rather than the JSON schema's
        const detail =
          typeof name === 'string' && isColumn(name) && !(name in given)
            ? `line ${lineNumber} has no ${name}: its column ${columnLetter(columnOf(name))} (${name}) is empty`
            : issue.message;
        problems.push(lineProblem(lineNumber, detail, issue.path));
      }
      return;
    }
    bindings.push(parsed.data);
    bindingLines.push(lineNumber);
  });
  if (problems.length > 0) {
    const refused = new Set(problems.map((problem) => problem.pointer.split('/')[2])).size;
    throw badRequest(
      `${refused} line(s) are refused (${problems[0].pointer}: ${problems[0].detail}); nothing was bound`,
      problems.slice(0, MAX_PROBLEMS),
    );
  }
  if (bindings.length === 0) throw badRequest('the file lists no tags', [lineProblem(2, 'no tags')]);
  return { bindings, lines: bindingLines };
}

/**
 * A refusal of the bindings a file listed, naming each by its line (`/line/4/code`) as the file's own
 * problems are, not by where it would sit in a JSON body (`/tags/2/code`) the client never sent.
 */
export function asCsvProblem(error: unknown, lines: number[]): unknown {
  if (!(error instanceof Problem)) return error;
  const lineOf = (index: string | number) => lines[Number(index)] ?? index;
  const moved = withBodyFieldsMoved(error, ([first, index, ...rest]) =>
    first === 'tags' ? ['line', lineOf(index), ...rest] : [first, index, ...rest],
  );
  const detail = error.detail?.replace(/\/tags\/(\d+)/g, (_match, index: string) => `/line/${lineOf(index)}`);
  return new Problem(moved.status, moved.slug, moved.title, detail, moved.errors);
}
