import type { Line, Scope } from '../scope.js';
import type { RuleResult } from './index.js';

/** Destroys or sells what the acting party holds: the quantity leaves the ledger for good. */
export function dispose(
  scope: Scope,
  input: { type: 'destroy' | 'sell'; lines: Line[]; reason?: string; buyer?: string | null },
): RuleResult {
  const taken = scope.take(input.lines, scope.at('lines'), input.type);
  for (const { lot, quantity } of taken) scope.draft.link(lot.code, 'subject', quantity);
  return {
    payload: {
      ...(input.type === 'destroy' ? { reason: input.reason } : { buyer: input.buyer ?? null }),
      lines: taken.map(({ lot, quantity }) => ({ lotCode: lot.code, quantity })),
    },
    disposition: input.type === 'destroy' ? 'destroyed' : 'retail_sold',
  };
}
