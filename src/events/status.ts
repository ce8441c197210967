export const LOT_STATUSES = ['active', 'in_transit', 'consumed', 'sold', 'recalled', 'destroyed'] as const;
export type LotStatus = (typeof LOT_STATUSES)[number];

/**
 * A lot's status follows from its ledger: quantity somewhere (on hand or on the road) keeps
 * it alive, and once nothing is left the last kind of outflow names how it ended. A recall
 * sticks while any quantity remains.
 */
export function nextLotStatus(state: { onHand: number; inTransit: number; lastDrain?: string; recalled: boolean }): LotStatus {
  const remaining = state.onHand > 1e-9 || state.inTransit > 1e-9;
  if (remaining) return state.recalled ? 'recalled' : state.onHand > 1e-9 ? 'active' : 'in_transit';
  if (state.lastDrain === 'consume') return 'consumed';
  if (state.lastDrain === 'sell') return 'sold';
  if (state.lastDrain === 'destroy') return 'destroyed';
  return state.recalled ? 'recalled' : 'active';
}
