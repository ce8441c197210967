import { newContainerCode } from '../../../codes/service-codes.js';
import { bodyField, conflict, unprocessable } from '../../../errors/problem.js';
import { CONTAINER_UNIT, circulationProblem } from '../../../lots/ledger.js';
import type { Pointer } from '../draft.js';
import type { Line, LotSpec, Scope } from '../scope.js';
import type { LotView } from '../state.js';
import type { RuleResult } from './index.js';

export type AggregateInput = {
  /**
   * An existing container, one by its SSCC (created when new), or — neither given — a new
   * container; EPCIS names a new one by the code and EPC it is to get, and the product its GTIN names.
   */
  parent: { containerCode?: string; sscc?: string; epc?: string; newCode?: string; productCode?: string };
  children: Line[];
  itemCodes?: string[];
};

/**
 * Packs lots, containers or serialized packs into a container the acting party holds (or makes).
 * Packing moves the quantity from loose stock into the container, so it is used like any other
 * use: what is packed can no longer be shipped or consumed loose. A lot on hold (or recalled) is
 * not packed, nor a container with one inside: the container could otherwise be sold with it. Nor
 * is anything packed into a container on hold or recalled, or lying in one (see requirePackable).
 */
export function aggregate(scope: Scope, input: AggregateInput): RuleResult {
  const parent = resolveParent(scope, input.parent);
  const packs = packLines(scope, input.itemCodes ?? []);
  const lines = [...input.children, ...packs.lines];
  if (lines.length === 0)
    throw unprocessable('empty-aggregation', 'pack at least one lot, container or item', [bodyField(scope.at('children'), 'empty')]);
  /** Where a packed lot was named: its line among the children, or the first of its serialized packs. */
  const pointerOf = (index: number) => lines[index].at ?? scope.at('children', lines[index].index ?? index, 'lotCode');
  const children = scope.take(lines, scope.at('children'), null);
  // an existing container packed into (EPCIS may report one again with what it holds, which packs nothing)
  if (!scope.draft.newLot(parent.code) && children.some(({ quantity }) => quantity > 0)) {
    requirePackable(
      scope,
      parent,
      scope.at('parent', ...(input.parent.containerCode ? ['containerCode'] : input.parent.sscc ? ['sscc'] : [])),
    );
    const container = scope.lot(parent.code);
    if (container) scope.receivedByLater([container], 'packed into');
  }
  // before anything is packed, while the event's own edges do not yet lengthen every contents look-up;
  // a child that packs nothing (EPCIS names one the party no longer holds) is not stopped
  for (const [index, { lot, quantity }] of children.entries()) {
    const stopped = quantity > 0 ? scope.circulationStop(lot, 'pack') : null;
    if (stopped) throw circulationProblem(stopped.refusal, [bodyField(pointerOf(index), stopped.reason)]);
  }
  for (const [index, { lot, quantity }] of children.entries()) {
    if (lot.code === parent.code || (lot.kind === 'container' && scope.packedWithin(lot.code, parent.code))) {
      throw conflict(`packing ${scope.identifierOf(lot)} into ${scope.identifierOfCode(parent.code)} would create a lineage cycle`, [
        bodyField(pointerOf(index), 'already contains (or is) the parent container'),
      ]);
    }
    scope.draft.move(lot.code, 'pack', -quantity);
    scope.draft.move(lot.code, 'pack', quantity, parent.code);
    scope.draft.edges.push({
      upstreamCode: lot.code,
      downstreamCode: parent.code,
      kind: 'aggregate',
      quantity,
      unit: lot.unit,
      eventId: scope.draft.id,
      partyCode: scope.actor,
    });
    scope.draft.link(lot.code, 'child', quantity);
  }
  scope.draft.link(parent.code, 'parent');
  for (const code of packs.codes) scope.draft.packContainers.set(code, parent.code);
  return {
    payload: {
      parentCode: parent.code,
      sscc: parent.sscc,
      children: children.map(({ lot, quantity }) => ({ lotCode: lot.code, quantity })),
      ...(packs.codes.length ? { itemCodes: packs.codes } : {}),
    },
    disposition: 'container_closed',
  };
}

function resolveParent(scope: Scope, parent: AggregateInput['parent']): { code: string; sscc: string | null } {
  const existing = parent.containerCode
    ? scope.requireLots([parent.containerCode], () => scope.at('parent', 'containerCode'))[0]
    : parent.newCode && scope.lot(parent.newCode)
      ? scope.lot(parent.newCode)
      : parent.sscc
        ? scope.lotWithSscc(parent.sscc)
        : undefined;
  if (existing) {
    if (existing.kind !== 'container') {
      throw unprocessable('not-a-container', `${scope.nameOf(existing)} is not a container`, [
        bodyField(scope.at('parent'), 'not a container'),
      ]);
    }
    if (parent.sscc && existing.sscc === parent.sscc) scope.nameAs(existing.code, parent.sscc);
    // a container may take more goods while it is itself packed (a case on a pallet)
    if (!scope.holds(existing.code)) scope.requireHolder(existing, scope.at('parent'), true);
    return existing;
  }
  const [created] = scope.createLots([newParentSpec(parent)], () => scope.at('parent'));
  scope.draft.packedNew.add(created.code);
  return created;
}

/**
 * The container a packing makes when its parent is new. One EPCIS names by an SGTIN is a pack of
 * the product its GTIN names: created as any lot under an identifier is (the GTIN's owner alone,
 * and a serial of a branded product only by a member), which the writer reads ahead as for any lot spec.
 */
export const newParentSpec = (parent: AggregateInput['parent']): LotSpec => ({
  code: parent.newCode ?? newContainerCode(),
  kind: 'container',
  productCode: parent.productCode ?? null,
  sscc: parent.sscc ?? null,
  quantity: 1,
  unit: CONTAINER_UNIT,
  epc: parent.epc,
});

/**
 * Nothing is packed into a container on hold (409 until released) or recalled (422 `recalled-lot`,
 * naming its recalls; it stays recalled once they close), nor into one lying in such a container at
 * any level (a case on a recalled pallet): what is packed would leave circulation with it unrecalled,
 * going back where the recall sends the container. As for a lot, a hold is named before a recall.
 * The writer locks the container and those it lies in, which a hold locks and a recall opening marks:
 * a packing meeting either waits for it and is refused, or is stored first and the recall takes it in.
 */
function requirePackable(scope: Scope, { code: containerCode }: { code: string }, pointer: Pointer) {
  const container = scope.lot(containerCode);
  if (!container) return;
  const chain = [container];
  for (let code = scope.state.containerOf.get(container.code); code !== undefined; code = scope.state.containerOf.get(code)) {
    const above = scope.lot(code);
    if (above) chain.push(above);
  }
  const stop = packingStop(chain);
  if (!stop) return;
  const name = `container ${scope.identifierOf(container)}`;
  const inner = stop.lot === container;
  const where = inner ? name : `${name} lies in container ${scope.identifierOf(stop.lot)}, which`;
  const until = stop.by === 'hold' ? ' until the hold is released' : '';
  throw circulationProblem({ by: stop.by, detail: `${where} ${stop.state}; nobody may pack into it${until}` }, [
    bodyField(pointer, `${inner ? '' : `lies in ${scope.identifierOf(stop.lot)}, `}${stop.label}`),
  ]);
}

/**
 * The first of a container and the containers it lies in (innermost first) that stops anything
 * being packed into it, a hold named before a recall at each level: which, why, and how problems
 * say it. Packings and corrections of unpackings (which pack back) are refused by it alike.
 */
export function packingStop(chain: LotView[]): { lot: LotView; by: 'hold' | 'recall'; state: string; label: string } | undefined {
  for (const lot of chain) {
    if (lot.hold) return { lot, by: 'hold', state: `is on hold (${lot.hold.reason})`, label: 'on hold' };
    if (lot.status === 'recalled') {
      const which = lot.recalls.length ? ` (recall ${lot.recalls.join(', ')})` : '';
      return { lot, by: 'recall', state: `is recalled${which}`, label: 'recalled' };
    }
  }
  return undefined;
}

/** Serialized packs to aggregate, counted per lot so lineage stays at lot level; a lot's line is named at its first pack. */
function packLines(scope: Scope, codes: string[]): { codes: string[]; lines: Line[] } {
  const perLot = new Map<string, Line>();
  const seen = new Set<string>();
  for (const [index, code] of codes.entries()) {
    const item = scope.state.items.get(code);
    const at = scope.at('itemCodes', index);
    if (!item) throw unprocessable('unknown-item', `item code ${code} is not issued`, [bodyField(at, 'unknown item code')]);
    if (seen.has(code)) throw unprocessable('duplicate-item', `${code} is listed twice`, [bodyField(at, 'listed twice')]);
    // the container's code is its holder's business: the pack's own code says enough
    if (item.containerCode) throw conflict(`pack ${code} is already packed in a container`, [bodyField(at, 'already packed')]);
    seen.add(code);
    scope.nameAs(item.lotCode, code);
    const line = perLot.get(item.lotCode);
    if (line) line.quantity = (line.quantity ?? 0) + 1;
    else perLot.set(item.lotCode, { lotCode: item.lotCode, quantity: 1, at });
  }
  return { codes, lines: [...perLot.values()] };
}
