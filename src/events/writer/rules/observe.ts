import type { Scope } from '../scope.js';
import type { RuleResult } from './index.js';

/** Something seen of lots without changing them (a temperature log, a pass through a gate), by their owner or holder. */
export function observe(scope: Scope, input: { lotCodes: string[]; readings?: unknown[] }): RuleResult {
  for (const lot of scope.requireLots(input.lotCodes, (index) => scope.at('lotCodes', index))) {
    scope.requireOwnerOrHolder(lot, '');
    scope.draft.link(lot.code, 'subject');
  }
  return { payload: { readings: input.readings ?? [] } };
}
