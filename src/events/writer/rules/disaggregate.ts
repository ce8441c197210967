import { bodyField, conflict, forbidden, unprocessable } from '../../../errors/problem.js';
import { type CirculationStop, circulationProblem, circulationRefusal } from '../../../lots/ledger.js';
import type { Scope } from '../scope.js';
import type { RuleResult } from './index.js';

/**
 * Unpacks a container the acting party holds: the contents' quantities come back as loose stock,
 * and the serialized packs of the lots taken out are no longer in it (the event names them).
 */
export function disaggregate(
  scope: Scope,
  input: { parentCode: string; children?: string[]; childQuantities?: (number | null)[] },
  eventTime: Date,
): RuleResult {
  const [parent] = scope.requireLots([input.parentCode], () => scope.at('parentCode'));
  if (parent.kind !== 'container') {
    throw unprocessable('not-a-container', `${scope.nameOf(parent)} is not a container`, [
      bodyField(scope.at('parentCode'), 'not a container'),
    ]);
  }
  if (!scope.holds(parent.code)) {
    throw forbidden(`party ${scope.actor} does not hold ${scope.nameOf(parent)}; only its holder may unpack it`, [
      bodyField(scope.at('parentCode'), `not held by ${scope.actor}`),
    ]);
  }
  // a hold on the container itself binds what is in it, which unpacked would come out free of the hold
  if (parent.hold) {
    throw circulationProblem(circulationRefusal(parent, 'unpack', { name: scope.identifierOf(parent) }) as CirculationStop, [
      bodyField(scope.at('parentCode'), 'on hold'),
    ]);
  }
  // so does a hold on a container it lies in: unpacked, its contents would come out of that one too
  for (let code = scope.state.containerOf.get(parent.code); code !== undefined; code = scope.state.containerOf.get(code)) {
    const outer = scope.lot(code);
    if (!outer?.hold) continue;
    throw conflict(
      `${scope.nameOf(parent)} lies in ${scope.identifierOf(outer)}, which is on hold (${outer.hold.reason}); nobody may unpack it until the hold is released`,
      [bodyField(scope.at('parentCode'), `lies in ${scope.identifierOf(outer)}, on hold`)],
    );
  }
  scope.receivedByLater([parent], 'unpacked');
  const contents = scope.contents(parent.code);
  const children = input.children ?? [...contents.keys()];
  // named twice, a lot would be unpacked once and linked as if nothing of it had been
  scope.requireDistinct(children, (index) => scope.at('children', index));
  for (const [index, code] of children.entries()) {
    if (!contents.has(code)) {
      const child = scope.lot(code);
      throw unprocessable('not-in-container', `${child ? scope.nameOf(child) : code} is not in container ${scope.identifierOf(parent)}`, [
        bodyField(scope.at('children', index), 'not a current content'),
      ]);
    }
  }
  for (const [index, code] of children.entries()) {
    const packed = scope.balance(code, parent.code);
    const child = scope.lot(code);
    const given = input.childQuantities?.[index] ?? null;
    // as a packing books it (binary noise rounded away); a quantity too precise for the unit is a 400
    const named = given === null || !child ? null : scope.requireQuantity(given, child.unit, scope.at('children', index, 'quantity'));
    // packed after the event's time: the chronology rule names the packing (what was packed then is not known here)
    const packedLater = (scope.state.contents.get(parent.code)?.get(code)?.packedAt ?? eventTime) > eventTime;
    // the ledger can only take all of a lot out: the rest would be unpacked unsaid, or more than is there
    if (named !== null && named !== packed && !packedLater) {
      const unit = child?.unit ?? '';
      throw unprocessable(
        'partial-unpacking',
        `the unpacking names ${named} ${unit} of ${child ? scope.identifierOf(child) : code}, but ${packed} ${unit} of it are packed in container ${scope.identifierOf(parent)}; a partial unpacking is not supported`,
        [bodyField(scope.at('children', index, 'quantity'), `${packed} ${unit} packed`)],
      );
    }
    if (packed > 0) {
      scope.draft.move(code, 'unpack', -packed, parent.code);
      scope.draft.move(code, 'unpack', packed);
      if (child) scope.unpackedLater(child, parent.code, packed);
    }
    scope.draft.unpacked.push({ parentCode: parent.code, childCode: code });
    scope.draft.link(code, 'child', packed > 0 ? packed : null);
  }
  const unpackedLots = new Set(children);
  const itemCodes: string[] = [];
  for (const [itemCode, item] of scope.state.items) {
    if (item.containerCode === parent.code && unpackedLots.has(item.lotCode)) {
      scope.draft.packContainers.set(itemCode, null);
      itemCodes.push(itemCode);
    }
  }
  scope.draft.link(parent.code, 'parent');
  // the packs it took out, which a correction puts back in the container
  const packs = itemCodes.length ? { itemCodes: itemCodes.sort() } : {};
  return { payload: { parentCode: parent.code, children, ...packs }, disposition: 'container_open' };
}
