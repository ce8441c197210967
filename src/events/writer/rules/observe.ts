import type { Scope } from '../scope.js';
import type { RuleResult } from './index.js';

/** Something seen of lots without changing them (a temperature log, a pass through a gate), by their owner or holder. */
export function observe(scope: Scope, input: { lotCodes: string[]; readings?: unknown[] }): RuleResult {
  const lots = scope.requireLots(input.lotCodes, (index) => scope.at('lotCodes', index));
  scope.requireDistinct(input.lotCodes, (index) => scope.at('lotCodes', index));
  for (const [index, lot] of lots.entries()) {
    scope.requireOwnerOrHolder(lot, scope.at('lotCodes', index));
    scope.draft.link(lot.code, 'subject');
  }
  return { payload: { readings: input.readings ?? [] } };
}
