import { randomUUID } from 'node:crypto';
import { bodyField, unprocessable } from '../../../errors/problem.js';
import type { Pointer, ShipmentLine } from '../draft.js';
import type { Line, PackedLine, Scope } from '../scope.js';
import type { LotView } from '../state.js';
import type { RuleResult } from './index.js';

export type ShipInput = {
  toPartyCode: string;
  toLocationCode?: string;
  fromLocationCode?: string;
  lines: Line[];
  /** A return a holder reported to this recall (the recall service's alone): kept in the payload, it is not corrected. */
  recallId?: string;
};

/**
 * Sends lots or containers to another party: each leaves the sender's stock (a container with
 * everything packed in it, nested containers included) and is in transit until received. The
 * shipment keeps a line for each place a lot lies (loose, or in each container); the event links
 * each lot once, with all that was shipped of it. A line that moves none of its lot (an EPCIS
 * event naming what the party no longer holds, or a quantity of 0) is no line of the shipment,
 * nor takes what is packed in it. An event that moves nothing at all opens no shipment: an EPCIS
 * event that names only objects the party already sent on is recorded as a sighting of them;
 * any other is refused (422 nothing-shipped) rather than send the addressee a shipment of nothing.
 * Nor does a container with nothing packed in it leave (422 empty-container; see emptyContainer).
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

  const listed = scope.linesApartFromParent(input.lines);
  const taken = scope.take(listed, scope.at('lines'), 'ship_out', destination.code);
  const moving = taken.flatMap(({ lot, quantity }, position) => (quantity > 0 ? [{ lot, quantity, position }] : []));
  if (moving.length === 0 && listed.length > 0 && listed.every((line) => line.ifHeld)) {
    // an EPCIS event naming only what the party already sent on (shipping, then departing, of one
    // pallet): recorded as a sighting of it, opening no second shipment, as a repeated receipt is
    for (const { lot } of taken) scope.draft.link(lot.code, 'subject');
    return {
      payload: {
        toPartyCode: destination.code,
        toLocationCode: input.toLocationCode ?? null,
        fromLocationCode: input.fromLocationCode ?? null,
        lines: [],
      },
    };
  }
  if (moving.length === 0) throw nothingShipped(scope, listed, destination.code);
  const lines: ShipmentLine[] = moving.map(({ lot, quantity }) => ({ lotCode: lot.code, containerCode: null, quantity }));
  const packed: PackedLine[] = [];
  for (const { lot, position } of moving) {
    if (lot.kind !== 'container') continue;
    const contents = scope.takeContents(lot.code, 'ship_out', scope.at('lines', listed[position].index), shippedAt);
    const pointer = scope.at('lines', listed[position].index, 'lotCode');
    if (contents.length === 0) throw emptyContainer(scope, lot, pointer);
    // a container packed in it goes too, so one with nothing packed in it is as empty a thing to ship
    const holders = new Set(contents.map((line) => line.containerCode));
    for (const line of contents) {
      const inner = scope.lot(line.lotCode);
      if (inner?.kind === 'container' && !holders.has(inner.code)) throw emptyContainer(scope, inner, pointer, line.containerCode);
    }
    for (const line of contents) packed.push(line);
  }
  scope.requirePackedHeldThen(packed, 'ship_out');
  lines.push(...packed);
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
      ...(input.recallId ? { recallId: input.recallId } : {}),
    },
    disposition: 'in_transit',
    shipmentId,
  };
}

/** Refused (422): every line moves none of its lot — a quantity of 0, or nothing left — or there is no line at all. */
function nothingShipped(scope: Scope, listed: Line[], destinationCode: string) {
  if (listed.length === 0) {
    return unprocessable('nothing-shipped', `the event ships nothing to ${destinationCode}: it names nothing to ship`, [
      bodyField(scope.at('lines'), 'names nothing'),
    ]);
  }
  const codes = listed.map((line) => line.lotCode);
  const named = codes.length > 3 ? `${codes.slice(0, 3).join(', ')} and ${codes.length - 3} more` : codes.join(', ');
  return unprocessable(
    'nothing-shipped',
    `the event ships nothing to ${destinationCode}: it moves none of ${named} (a quantity of 0, or none left with ${scope.actor})`,
    listed.map((line, position) =>
      line.quantity === 0
        ? bodyField(scope.at('lines', line.index ?? position, 'quantity'), 'a quantity of 0')
        : bodyField(scope.at('lines', line.index ?? position), `none left with ${scope.actor}`),
    ),
  );
}

/**
 * Refused (422): a container shipped with nothing packed in it (never packed, or everything unpacked
 * from it), alone or packed in the container shipped (`outerCode`: the one it lies in), would be in
 * transit to the addressee empty, and whatever was packed into it later refused as shipped away.
 * Only the holder of what is shipped gets here (taking it refused anyone else first), and it holds
 * what is packed in it, so naming them tells no one what they may not read.
 */
function emptyContainer(scope: Scope, container: LotView, pointer: Pointer, outerCode?: string) {
  // one inside, not named by the event, is named by its SSCC too: an EPCIS client knows it by that
  const sscc = outerCode && container.sscc ? ` (SSCC ${container.sscc})` : '';
  const name = `${scope.identifierOf(container)}${sscc}`;
  const within = outerCode ? `, packed in container ${scope.identifierOfCode(outerCode)},` : '';
  return unprocessable(
    'empty-container',
    `container ${name}${within} holds nothing yet: nothing is packed in it, so it cannot be shipped. Pack it first (POST /events with type aggregate, or an EPCIS AggregationEvent ADD; in an EPCIS document, send the packing before this event), then ship it`,
    [bodyField(pointer, outerCode ? `holds an empty container: nothing packed in ${name}` : 'an empty container: nothing packed in it')],
  );
}
