import type { Scope } from '../scope.js';
import type { RuleResult } from './index.js';

/**
 * Something seen of lots without changing them (a temperature log, a pass through a gate), by their
 * owner or a party that held them when it saw them (and when the service had a gate's reads, see
 * EventAction). `ifExisting`: of the lots named, only those there are (see EventAction).
 */
export function observe(
  scope: Scope,
  input: { lotCodes: string[]; readings?: unknown[]; ifExisting?: boolean; readsReceivedAt?: Date },
  eventTime: Date,
): RuleResult {
  const seen = input.lotCodes.flatMap((code, index) => (input.ifExisting && !scope.exists(code) ? [] : [{ code, index }]));
  const pointerOf = (position: number) => scope.at('lotCodes', seen[position].index);
  const lots = scope.requireLots(
    seen.map(({ code }) => code),
    pointerOf,
  );
  scope.requireDistinct(input.lotCodes, (index) => scope.at('lotCodes', index));
  // a gate's reads the service had after the time their reader gave them (a reader whose clock runs
  // behind, a batch posted late): held then too; had before it (a reader ahead), the reader's time says it
  const { readsReceivedAt } = input;
  const times = readsReceivedAt && readsReceivedAt > eventTime ? [eventTime, readsReceivedAt] : [eventTime];
  for (const [position, lot] of lots.entries()) {
    scope.requireOwnerOrHolder(lot, pointerOf(position), times);
    scope.draft.link(lot.code, 'subject');
  }
  return { payload: { readings: input.readings ?? [] } };
}
