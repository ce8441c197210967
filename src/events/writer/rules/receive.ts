import { requireShipmentAddressee } from '../../../access/index.js';
import { bodyField, conflict, unprocessable } from '../../../errors/problem.js';
import type { Scope } from '../scope.js';
import type { ShipmentView } from '../state.js';
import { lineKey } from '../state.js';
import type { RuleResult } from './index.js';

export type ReceiveInput = { shipmentId: string; lines?: { lotCode: string; quantity: number }[]; partial?: boolean };

/**
 * Receives an open shipment addressed to the acting party: what arrives enters its stock, loose
 * or still packed in its container. Another party's shipment (neither from nor to the actor) is as
 * unknown as a wrong id. Quantities below those shipped are losses in transit.
 *
 * A whole receipt takes every line not yet received (those not named, at the quantity shipped).
 * A partial one takes only the lines named — a container with everything packed in it — and
 * leaves the rest in transit; the shipment is received once every line is. A container received
 * at 0 was lost on the way with everything packed in it: its contents are received at 0 too.
 *
 * A line of 0 (stored before the writer refused ships that move nothing) sent nothing: it is no
 * line to receive, and its lot, never sent, is named as one not in the shipment. A shipment of
 * nothing else is as unknown as a wrong id: it is none to its addressee (see shipmentLinesShownTo).
 */
export function receive(scope: Scope, input: ReceiveInput): RuleResult {
  const unknown = () =>
    unprocessable('unknown-shipment', `no shipment ${input.shipmentId}`, [bodyField(scope.at('shipmentId'), 'unknown shipment')]);
  const shipment = scope.state.shipments.get(input.shipmentId);
  const carried = shipment?.lines.filter((line) => line.quantity > 0) ?? [];
  if (!shipment || carried.length === 0) throw unknown();
  requireShipmentAddressee(scope.actor, shipment, unknown, scope.at('shipmentId'));
  if (shipment.status !== 'open') {
    throw conflict(`shipment ${shipment.id} is ${shipment.status}, not open`, [
      bodyField(scope.at('shipmentId'), `shipment is ${shipment.status}`),
    ]);
  }
  if (input.partial && !input.lines?.length) {
    throw unprocessable('nothing-received', 'a partial receipt names the lines that arrived', [
      bodyField(scope.at('lines'), 'name at least one line'),
    ]);
  }
  const lines = input.lines ?? [];
  scope.requireDistinct(
    lines.map((line) => line.lotCode),
    (index) => scope.at('lines', index, 'lotCode'),
  );
  const waiting = carried.filter((line) => line.receivedQuantity === null);
  const received = new Map(input.partial ? [] : waiting.map((line) => [lineKey(line), line.quantity]));
  for (const [index, line] of lines.entries()) {
    // a received quantity names a lot shipped loose, or a container shipped itself
    const shipped = carried.find((candidate) => candidate.lotCode === line.lotCode && candidate.containerCode === null);
    if (!shipped) {
      throw unprocessable('not-in-shipment', `${line.lotCode} is not in shipment ${shipment.id}`, [
        bodyField(scope.at('lines', index, 'lotCode'), 'not in the shipment'),
      ]);
    }
    if (shipped.receivedQuantity !== null) {
      throw conflict(`${line.lotCode} of shipment ${shipment.id} was already received`, [
        bodyField(scope.at('lines', index, 'lotCode'), 'already received'),
      ]);
    }
    const unit = scope.lot(line.lotCode)?.unit ?? 'piece';
    const quantity = scope.requireQuantity(line.quantity, unit, scope.at('lines', index, 'quantity'));
    if (quantity > shipped.quantity) {
      throw unprocessable('exceeds-shipped', `received ${quantity} of ${line.lotCode} but ${shipped.quantity} were shipped`, [
        bodyField(scope.at('lines', index, 'quantity'), `at most ${shipped.quantity}`),
      ]);
    }
    received.set(lineKey(shipped), quantity);
    // what is packed in a container arrives with it: all of it, or (a container received at 0, lost on the way) none
    for (const packed of packedIn(carried, line.lotCode)) received.set(lineKey(packed), quantity > 0 ? packed.quantity : 0);
  }
  const arrived: { lotCode: string; quantity: number }[] = [];
  for (const line of waiting) {
    const quantity = received.get(lineKey(line));
    if (quantity === undefined) continue;
    if (quantity > 0) scope.draft.move(line.lotCode, 'receive_in', quantity, line.containerCode);
    arrived.push({ lotCode: line.lotCode, quantity });
  }
  scope.draft.linkTotals(arrived, 'subject');
  scope.draft.receipts.push({ shipmentId: shipment.id, received });
  const remaining = waiting.filter((line) => !received.has(lineKey(line))).length;
  return {
    payload: {
      shipmentId: shipment.id,
      fromPartyCode: shipment.fromPartyCode,
      lines: waiting
        .filter((line) => received.has(lineKey(line)))
        .map((line) => ({
          lotCode: line.lotCode,
          shipped: line.quantity,
          quantity: received.get(lineKey(line)),
          ...(line.containerCode ? { containerCode: line.containerCode } : {}),
        })),
      ...(input.partial ? { partial: true, linesInTransit: remaining } : {}),
    },
    bizLocation: shipment.toLocationCode,
    shipmentId: shipment.id,
  };
}

/**
 * The lots a receipt books in and restates, read from its shipment before it is checked: the lines
 * still waiting, all of them or (partial) those named with what travels packed in them. The writer
 * locks these; a line received before, one of 0 or one a partial receipt leaves in transit is not
 * written, and locking its lot too (a 5,000-line shipment's every lot at each part) only made
 * lots the writer took after the shipments were chosen, for nothing.
 */
export function lotsBookedIn(shipment: ShipmentView, input: ReceiveInput): string[] {
  return linesBookedIn(shipment, input).map((line) => line.lotCode);
}

/** The lines a receipt books in (see lotsBookedIn): each lot loose, or packed in the container it travels in. */
export function linesBookedIn(shipment: ShipmentView, input: ReceiveInput): ShipmentView['lines'] {
  const waiting = shipment.lines.filter((line) => line.quantity > 0 && line.receivedQuantity === null);
  if (!input.partial) return waiting;
  const named = new Set((input.lines ?? []).map((line) => line.lotCode));
  const loose = waiting.filter((line) => line.containerCode === null && named.has(line.lotCode));
  return loose.flatMap((line) => [line, ...packedIn(waiting, line.lotCode)]);
}

/** The lines of what travels packed in a container (and in containers inside it). */
function packedIn(lines: ShipmentView['lines'], containerCode: string): ShipmentView['lines'] {
  const inside = lines.filter((line) => line.containerCode === containerCode);
  return inside.flatMap((line) => [line, ...packedIn(lines, line.lotCode)]);
}
