// Tag bindings as a spreadsheet, without I/O: a header naming the columns `epc` or `tid`, and
// `code`, then one tag per line, its fields quoted or not. Each line is checked as a binding of the
// JSON body is (tagBindingSchema), a bad one named by its line number (`/line/3/tid`).
import { badRequest, type FieldProblem, Problem, withBodyFieldsMoved } from '../errors/problem.js';
import { type TagBinding, tagBindingSchema } from './schemas.js';

const MAX_PROBLEMS = 100;

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

/** The bindings a file lists, and the line (from 1, the header's) each is on. All or none: a bad line refuses the file. */
export function parseTagCsv(text: string): { bindings: TagBinding[]; lines: number[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerCells = cellsOf(lines[0]);
  const header = typeof headerCells === 'string' ? [] : headerCells.map((cell) => cell.toLowerCase());
  const column = (name: string) => header.indexOf(name);
  const [epc, tid, code] = [column('epc'), column('tid'), column('code')];
  if (code < 0 || (epc < 0 && tid < 0)) {
    throw badRequest('the first line names the columns: epc (or tid) and code', [lineProblem(1, 'expected a header such as epc,code')]);
  }
  // which of two columns of one name a line's value is in cannot be told: one would be dropped
  const repeated = header.find((name, index) => name !== '' && header.indexOf(name) !== index);
  if (repeated)
    throw badRequest(`the first line names the column ${repeated} twice`, [lineProblem(1, `names the column ${repeated} twice`)]);
  const problems: FieldProblem[] = [];
  const bindings: TagBinding[] = [];
  const bindingLines: number[] = [];
  lines.slice(1).forEach((line, index) => {
    const lineNumber = index + 2;
    if (line.trim() === '') return;
    const cells = cellsOf(line);
    if (typeof cells === 'string') {
      problems.push(lineProblem(lineNumber, cells));
      return;
    }
    // a value past the header's columns would be dropped; empty fields there (a spreadsheet may write them) hold nothing
    if (cells.slice(header.length).some((cell) => cell !== '')) {
      problems.push(lineProblem(lineNumber, `has ${cells.length} fields where the first line names ${header.length} columns`));
      return;
    }
    // an empty field gives nothing, as a member left out of a JSON binding
    const given = Object.entries({ epc, tid, code }).flatMap(([name, at]) => (at >= 0 && cells[at] ? [[name, cells[at]]] : []));
    const parsed = tagBindingSchema.safeParse(Object.fromEntries(given));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(lineProblem(lineNumber, issue.message, issue.path));
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
