// Tag bindings as a spreadsheet, without I/O: a header naming the columns `epc` or `tid`, and
// `code`, then one tag per line. A bad line is named by its line number.
import { badRequest, type FieldProblem, Problem, withBodyFieldsMoved } from '../errors/problem.js';

type TagBinding = { epc?: string; tid?: string; code: string };

const MAX_PROBLEMS = 100;

/** The bindings a file lists, and the line (from 1, the header's) each is on. */
export function parseTagCsv(text: string): { bindings: TagBinding[]; lines: number[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0].split(',').map((cell) => cell.trim().toLowerCase());
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
    const cells = line.split(',').map((cell) => cell.trim());
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
