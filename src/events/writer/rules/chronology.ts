import { bodyField, unprocessable } from '../../../errors/problem.js';
import type { EventLotRole } from '../draft.js';
import type { Scope } from '../scope.js';
import { type LotView, makes } from '../state.js';
import type { EventAction } from './index.js';

/**
 * The lots each event type uses, by the roles its rule linked them in: what it moves, packs,
 * unpacks, inspects, sells, destroys or transforms (a container's contents included). A commission
 * or an observation uses nothing (EPCIS may see or commission an identifier it first met later);
 * a receipt is held to its shipment, whose lots were held to it when shipped.
 */
const USED_AS: Partial<Record<EventAction['type'], readonly EventLotRole[]>> = {
  transform: ['input'],
  aggregate: ['parent', 'child'],
  disaggregate: ['parent', 'child'],
  ship: ['subject'],
  inspect: ['subject'],
  destroy: ['subject'],
  sell: ['subject'],
};

/**
 * An event comes after what it depends on: refused (422) when dated before a lot it uses came into
 * being, or a receipt before its shipment was shipped. Instants are compared (offsets apart), equal
 * ones allowed: events captured late or out of order are fine as long as their times agree. Runs
 * after the event type's own rules, so it tells the time of nothing the party may not use. Notes
 * the lots the event uses in its draft, new ones too (their links carry its time: see usesLink).
 */
export function requireChronology(scope: Scope, action: EventAction, eventTime: Date) {
  const pointer = scope.at('eventTime');
  if (action.type === 'receive') {
    const shipment = scope.state.shipments.get(action.shipmentId);
    if (shipment && shipment.shippedAt > eventTime) {
      const earliest = shipment.shippedAt.toISOString();
      throw unprocessable(
        'event-time-before-shipment',
        `shipment ${shipment.id} was shipped at ${earliest}; it cannot be received before that`,
        [bodyField(pointer, `at the earliest ${earliest}`)],
      );
    }
    return;
  }
  const roles = USED_AS[action.type];
  if (!roles) return;
  // the lot that began last bounds the event: naming it names the earliest time allowed
  let latest: { lot: LotView; madeAt: Date } | undefined;
  for (const link of scope.draft.links.values()) {
    if (!roles.includes(link.role)) continue;
    scope.draft.uses.add(link.lotCode);
    if (scope.draft.newLot(link.lotCode)) continue;
    const lot = scope.state.lots.get(link.lotCode);
    const madeAt = lot?.madeAt;
    if (lot && madeAt && madeAt > eventTime && (!latest || madeAt > latest.madeAt)) latest = { lot, madeAt };
  }
  if (latest) {
    const earliest = latest.madeAt.toISOString();
    throw unprocessable(
      'event-time-before-lot',
      `${scope.nameOf(latest.lot)} came into being at ${earliest}; an event using it cannot be dated before that`,
      [bodyField(pointer, `at the earliest ${earliest}`)],
    );
  }
  if (action.type === 'disaggregate') requireUnpackedAfterPacking(scope, eventTime);
}

/**
 * An unpacking ends every packing of each lot it takes out that is still in force in the container:
 * refused (422) when dated before the latest of them, which would leave the lot in the container at
 * no time (the cold chain reads a packing's time to its unpacking's). Names the lot, the container
 * and that packing's time. Reads the batch's state, which still holds what the unpacking takes out.
 */
function requireUnpackedAfterPacking(scope: Scope, eventTime: Date) {
  let latest: { parentCode: string; childCode: string; packedAt: Date } | undefined;
  for (const { parentCode, childCode } of scope.draft.unpacked) {
    const packedAt = scope.state.contents.get(parentCode)?.get(childCode)?.packedAt;
    if (packedAt && packedAt > eventTime && (!latest || packedAt > latest.packedAt)) latest = { parentCode, childCode, packedAt };
  }
  if (!latest) return;
  const earliest = latest.packedAt.toISOString();
  const child = scope.lot(latest.childCode);
  throw unprocessable(
    'event-time-before-packing',
    `${child ? scope.nameOf(child) : latest.childCode} was packed into container ${scope.identifierOfCode(latest.parentCode)} at ${earliest}; it cannot be unpacked before that`,
    [bodyField(scope.at('eventTime'), `at the earliest ${earliest}`)],
  );
}

/**
 * The other way round: a lot does not come into being after an event used it. An event making a
 * lot that nothing made yet (see `makes`: a lot EPCIS named before commissioning it, one whose
 * making was declared in error, or a replacement remaking a voided lot under its code) is refused
 * (422) when dated after the earliest live event that used the lot (a packing, then, only where it
 * creates the container). A lot made already keeps its beginning, or gets an earlier one: neither
 * moves it after a use. Reads the links as the event stores them (an EPCIS event's own), by the
 * type it is recorded as, which is what `madeAt` reads.
 */
export function requireBeginningBeforeUse(scope: Scope, eventType: string, eventTime: Date) {
  let earliest: { lot: LotView; firstUsedAt: Date } | undefined;
  for (const link of scope.draft.links.values()) {
    if (!makes(eventType, link, scope.draft)) continue;
    const lot = scope.lot(link.lotCode);
    const firstUsedAt = lot?.firstUsedAt;
    if (!lot || lot.madeAt || !firstUsedAt || firstUsedAt >= eventTime) continue;
    if (!earliest || firstUsedAt < earliest.firstUsedAt) earliest = { lot, firstUsedAt };
  }
  if (!earliest) return;
  const latest = earliest.firstUsedAt.toISOString();
  throw unprocessable(
    'lot-begins-after-use',
    `${scope.nameOf(earliest.lot)} was already used at ${latest}; it cannot come into being after that`,
    [bodyField(scope.at('eventTime'), `at the latest ${latest}`)],
  );
}
