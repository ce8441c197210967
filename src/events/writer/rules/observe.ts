import type { Scope } from '../scope.js';
import type { RuleResult } from './index.js';

/**
 * Something seen of lots without changing them (a temperature log, a pass through a gate), by their
 * owner or holder. `ifExisting`: of the lots named, only those there are (see EventAction).
 */
export function observe(scope: Scope, input: { lotCodes: string[]; readings?: unknown[]; ifExisting?: boolean }): RuleResult {
  const seen = input.lotCodes.flatMap((code, index) => (input.ifExisting && !scope.exists(code) ? [] : [{ code, index }]));
  const pointerOf = (position: number) => scope.at('lotCodes', seen[position].index);
  const lots = scope.requireLots(
    seen.map(({ code }) => code),
    pointerOf,
  );
  scope.requireDistinct(input.lotCodes, (index) => scope.at('lotCodes', index));
  for (const [position, lot] of lots.entries()) {
    scope.requireOwnerOrHolder(lot, pointerOf(position));
    scope.draft.link(lot.code, 'subject');
  }
  return { payload: { readings: input.readings ?? [] } };
}
