import type { Line, PackedLine, Scope } from '../scope.js';
import type { RuleResult } from './index.js';

/**
 * Destroys or sells what the acting party holds: the quantity leaves the ledger for good. A
 * container goes with everything packed in it (nested containers included), as it does when
 * shipped: a sold case's lots are sold, not left on hand, and an EPCIS transaction's lot listed
 * under its parentID that lies packed in it goes with it, not as a line of its own.
 */
export function dispose(
  scope: Scope,
  input: { type: 'destroy' | 'sell'; lines: Line[]; reason?: string; buyer?: string | null; recallId?: string },
  eventTime: Date,
): RuleResult {
  const lines: { lotCode: string; quantity: number; containerCode?: string }[] = [];
  const listed = scope.linesApartFromParent(input.lines);
  const taken = scope.take(listed, scope.at('lines'), input.type);
  const packed: PackedLine[] = [];
  for (const [position, { lot, quantity }] of taken.entries()) {
    lines.push({ lotCode: lot.code, quantity });
    if (lot.kind === 'container' && quantity > 0) {
      for (const line of scope.takeContents(lot.code, input.type, scope.at('lines', listed[position].index), eventTime)) {
        lines.push(line);
        packed.push(line);
      }
    }
  }
  scope.requirePackedHeldThen(packed, input.type);
  scope.draft.linkTotals(lines, 'subject');
  return {
    payload: {
      ...(input.type === 'destroy' ? { reason: input.reason } : { buyer: input.buyer ?? null }),
      lines,
      ...(input.recallId ? { recallId: input.recallId } : {}),
    },
    disposition: input.type === 'destroy' ? 'destroyed' : 'retail_sold',
  };
}
