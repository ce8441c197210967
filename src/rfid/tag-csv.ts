// Tag bindings as a spreadsheet, without I/O: a header naming the columns `epc` or `tid`, and
// `code`, then one tag per line. A bad line is named by its line number.
import { badRequest, type FieldProblem } from '../errors/problem.js';

type TagBinding = { epc?: string; tid?: string; code: string };

const MAX_PROBLEMS = 100;

export function parseTagCsv(text: string): TagBinding[] {
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
    } else bindings.push(binding);
  });
  if (problems.length > 0)
    throw badRequest(`${problems.length} line(s) cannot be read; nothing was bound`, problems.slice(0, MAX_PROBLEMS));
  if (bindings.length === 0) throw badRequest('the file lists no tags', [{ in: 'body', pointer: '/line/2', detail: 'no tags' }]);
  return bindings;
}
