import { randomUUID } from 'node:crypto';
import { bodyField, unprocessable } from '../../../errors/problem.js';
import type { ShipmentLine } from '../draft.js';
import type { Line, Scope } from '../scope.js';
import type { RuleResult } from './index.js';

export type ShipInput = { toPartyCode: string; toLocationCode?: string; fromLocationCode?: string; lines: Line[] };

/**
 * Sends lots or containers to another party: each leaves the sender's stock (a container with
 * everything packed in it, nested containers included) and is in transit until received. The
 * shipment keeps a line for each place a lot lies (loose, or in each container); the event links
 * each lot once, with all that was shipped of it.
 */
export function ship(scope: Scope, input: ShipInput, shippedAt: Date): RuleResult {
  const destination = scope.state.parties.get(input.toPartyCode);
  if (!destination)
    throw unprocessable('unknown-reference', `no party ${input.toPartyCode}`, [bodyField(scope.at('toPartyCode'), 'unknown party')]);
  if (destination.code === scope.actor) {
    throw unprocessable('ship-to-self', 'a shipment goes to another party', [bodyField(scope.at('toPartyCode'), 'is the acting party')]);
  }
  if (input.toLocationCode) scope.requireLocation(input.toLocationCode, scope.at('toLocationCode'), destination.code);
  if (input.fromLocationCode) scope.requireLocation(input.fromLocationCode, scope.at('fromLocationCode'), scope.actor);

  const lines: ShipmentLine[] = scope.take(input.lines, scope.at('lines'), 'ship_out').map(({ lot, quantity }) => ({
    lotCode: lot.code,
    containerCode: null,
    quantity,
  }));
  // a container goes with its contents only when it goes: a line that moved none of it (none left
  // to an EPCIS event naming it without a quantity, or a quantity of 0) leaves them where they are
  for (const [index, line] of [...lines].entries()) {
    if (scope.lot(line.lotCode)?.kind === 'container' && line.quantity > 0)
      lines.push(...scope.takeContents(line.lotCode, 'ship_out', scope.at('lines', input.lines[index].index ?? index)));
  }
  scope.draft.linkTotals(lines, 'subject');
  const shipmentId = randomUUID();
  scope.draft.shipments.push({
    id: shipmentId,
    fromPartyCode: scope.actor,
    fromLocationCode: input.fromLocationCode ?? null,
    toPartyCode: destination.code,
    toLocationCode: input.toLocationCode ?? null,
    shippedAt,
    lines,
  });
  return {
    payload: {
      shipmentId,
      toPartyCode: destination.code,
      toLocationCode: input.toLocationCode ?? null,
      fromLocationCode: input.fromLocationCode ?? null,
      lines: lines.map((line) => ({
        lotCode: line.lotCode,
        quantity: line.quantity,
        ...(line.containerCode ? { containerCode: line.containerCode } : {}),
      })),
    },
    disposition: 'in_transit',
    shipmentId,
  };
}
