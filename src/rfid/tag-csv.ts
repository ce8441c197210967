// Tag bindings as a spreadsheet, without I/O: a header naming the columns `epc` or `tid`, and
// `code`, then one tag per line, its fields quoted or not. A bad line is named by its line number.
import { badRequest, type FieldProblem, Problem, withBodyFieldsMoved } from '../errors/problem.js';

type TagBinding = { epc?: string; tid?: string; code: string };

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

/** The bindings a file lists, and the line (from 1, the header's) each is on. */
export function parseTagCsv(text: string): { bindings: TagBinding[]; lines: number[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerCells = cellsOf(lines[0]);
  const header = typeof headerCells === 'string' ? [] : headerCells.map((cell) => cell.toLowerCase());
  const column = (name: string) => header.indexOf(name);
  const [epc, tid, code] = [column('epc'), column('tid'), column('code')];
  if (code < 0 || (epc < 0 && tid < 0)) {
    throw badRequest('the first line names the columns: epc (or tid) and code', [
      { in: 'body', pointer: '/line/1', detail: 'expected a header such as epc,code' },
    ]);
  }
  const problems: FieldProblem[] = [];
  const bindings: TagBinding[] = [];
  const bindingLines: number[] = [];
  lines.slice(1).forEach((line, index) => {
    if (line.trim() === '') return;
    const cells = cellsOf(line);
    if (typeof cells === 'string') {
      problems.push({ in: 'body', pointer: `/line/${index + 2}`, detail: cells });
      return;
    }
    const binding: TagBinding = {
      code: cells[code] ?? '',
      ...(epc >= 0 && cells[epc] ? { epc: cells[epc] } : {}),
      ...(tid >= 0 && cells[tid] ? { tid: cells[tid] } : {}),
    };
    if (!binding.code || (!binding.epc && !binding.tid)) {
      problems.push({ in: 'body', pointer: `/line/${index + 2}`, detail: 'needs a code and an epc or tid' });
    } else {
      bindings.push(binding);
      bindingLines.push(index + 2);
    }
  });
  if (problems.length > 0)
    throw badRequest(`${problems.length} line(s) cannot be read; nothing was bound`, problems.slice(0, MAX_PROBLEMS));
  if (bindings.length === 0) throw badRequest('the file lists no tags', [{ in: 'body', pointer: '/line/2', detail: 'no tags' }]);
  return { bindings, lines: bindingLines };
}

/**
 * A refusal of the bindings a file listed, naming each by its line (`/line/4`) as the file's own
 * problems are, not by where it would sit in a JSON body (`/tags/2/code`) the client never sent.
 */
export function asCsvProblem(error: unknown, lines: number[]): unknown {
  if (!(error instanceof Problem)) return error;
  const lineOf = (index: string | number) => lines[Number(index)] ?? index;
  const moved = withBodyFieldsMoved(error, ([first, index, ...rest]) =>
    first === 'tags' ? ['line', lineOf(index)] : [first, index, ...rest],
  );
  const detail = error.detail?.replace(/\/tags\/(\d+)(?:\/[a-z]+)?/g, (_match, index: string) => `/line/${lineOf(index)}`);
  return new Problem(moved.status, moved.slug, moved.title, detail, moved.errors);
}
