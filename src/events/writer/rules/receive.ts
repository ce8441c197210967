import { bodyField, conflict, forbidden, unprocessable } from '../../../errors/problem.js';
import type { Scope } from '../scope.js';
import { lineKey } from '../state.js';
import type { RuleResult } from './index.js';

export type ReceiveInput = { shipmentId: string; lines?: { lotCode: string; quantity: number }[] };

/**
 * Receives an open shipment addressed to the acting party: what arrives enters its stock, loose
 * or still packed in its container. Quantities below those shipped are losses in transit.
 */
export function receive(scope: Scope, input: ReceiveInput): RuleResult {
  const shipment = scope.state.shipments.get(input.shipmentId);
  if (!shipment) {
    throw unprocessable('unknown-shipment', `no shipment ${input.shipmentId}`, [bodyField(scope.at('shipmentId'), 'unknown shipment')]);
  }
  if (shipment.toPartyCode !== scope.actor)
    throw forbidden(`shipment ${shipment.id} is addressed to ${shipment.toPartyCode}, not ${scope.actor}`);
  if (shipment.status !== 'open') {
    throw conflict(`shipment ${shipment.id} is ${shipment.status}, not open`, [
      bodyField(scope.at('shipmentId'), `shipment is ${shipment.status}`),
    ]);
  }
  const received = new Map(shipment.lines.map((line) => [lineKey(line), line.quantity]));
  for (const [index, line] of (input.lines ?? []).entries()) {
    // a received quantity names a lot shipped loose, or a container shipped itself
    const shipped = shipment.lines.find((candidate) => candidate.lotCode === line.lotCode && candidate.containerCode === null);
    if (!shipped) {
      throw unprocessable('not-in-shipment', `${line.lotCode} is not in shipment ${shipment.id}`, [
        bodyField(scope.at('lines', index, 'lotCode'), 'not in the shipment'),
      ]);
    }
    const unit = scope.lot(line.lotCode)?.unit ?? 'piece';
    scope.requireQuantity(line.quantity, unit, scope.at('lines', index, 'quantity'));
    if (line.quantity > shipped.quantity) {
      throw unprocessable('exceeds-shipped', `received ${line.quantity} of ${line.lotCode} but ${shipped.quantity} were shipped`, [
        bodyField(scope.at('lines', index, 'quantity'), `at most ${shipped.quantity}`),
      ]);
    }
    received.set(lineKey(shipped), line.quantity);
  }
  for (const line of shipment.lines) {
    const quantity = received.get(lineKey(line)) ?? 0;
    if (quantity > 0) scope.draft.move(line.lotCode, 'receive_in', quantity, line.containerCode);
    scope.draft.link(line.lotCode, 'subject', quantity);
  }
  scope.draft.receipts.push({ shipmentId: shipment.id, received });
  return {
    payload: {
      shipmentId: shipment.id,
      fromPartyCode: shipment.fromPartyCode,
      lines: shipment.lines.map((line) => ({
        lotCode: line.lotCode,
        shipped: line.quantity,
        quantity: received.get(lineKey(line)) ?? 0,
        ...(line.containerCode ? { containerCode: line.containerCode } : {}),
      })),
    },
    bizLocation: shipment.toLocationCode,
    shipmentId: shipment.id,
  };
}
