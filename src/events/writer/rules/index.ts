// The rules of each event type, one module each. A rule reads the batch's world through its
// scope, fills the event's draft (lots, movements, edges, shipments) and returns what the event
// row records; it throws a Problem when the event breaks a rule.
import type { Line, LotSpec, Scope } from '../scope.js';
import { type AggregateInput, aggregate, newParentSpec } from './aggregate.js';
import { requireChronology } from './chronology.js';
import { commission } from './commission.js';
import { disaggregate } from './disaggregate.js';
import { dispose } from './dispose.js';
import { type HoldInput, hold, type ReleaseInput, release } from './hold.js';
import { type InspectInput, inspect } from './inspect.js';
import { observe } from './observe.js';
import { type RecallInput, recall } from './recall.js';
import { type ReceiveInput, receive } from './receive.js';
import { type ShipInput, ship } from './ship.js';
import { type TransformInput, transform } from './transform.js';

export type RuleResult = {
  payload: Record<string, unknown>;
  /** The disposition the event implies when it gives none (e.g. in_transit for a shipment). */
  disposition?: string;
  /** Where the goods are afterwards when the event does not say (e.g. the shipment's destination). */
  bizLocation?: string | null;
  shipmentId?: string;
};

/** What happened, by event type: the native API's event bodies, and what EPCIS events map to. */
export type EventAction =
  | { type: 'commission'; lots: LotSpec[] }
  | ({ type: 'transform' } & TransformInput)
  | ({ type: 'aggregate' } & AggregateInput)
  | {
      type: 'disaggregate';
      parentCode: string;
      children?: string[];
      /**
       * EPCIS: the quantity the event gives each of `children` (null: none given). An unpacking takes
       * the whole of what is packed of a lot out, so a quantity other than that is refused, not widened.
       */
      childQuantities?: (number | null)[];
      /**
       * EPCIS: the container an earlier packing of the same document brought into being, which may
       * have been rejected (proceed) and stored nothing. With no such container there when the event
       * is checked, it is a sighting of these lots instead, as the unpacking of one never seen is.
       */
      orSightingOf?: string[];
    }
  | ({ type: 'ship' } & ShipInput)
  | ({ type: 'receive' } & ReceiveInput)
  | ({ type: 'inspect' } & InspectInput)
  | {
      type: 'observe';
      lotCodes: string[];
      readings?: unknown[];
      /**
       * EPCIS TransactionEvent DELETE: sees only the lots there are, passing over, not refusing, one
       * an earlier event of its document named first and was rejected (it stored nothing).
       */
      ifExisting?: boolean;
      /**
       * RFID gates: when the service first had the reads (by its own clock, whatever the reader's
       * said): the party must have held the lots then too when that is after the time the reader
       * gave them, not only at that time.
       */
      readsReceivedAt?: Date;
    }
  /** recallId: a destruction a holder reported to this recall (the recall service's alone), which is not corrected. */
  | { type: 'destroy'; reason: string; lines: Line[]; recallId?: string }
  | { type: 'sell'; buyer?: string | null; lines: Line[] }
  | ({ type: 'hold' } & HoldInput)
  | ({ type: 'release' } & ReleaseInput)
  | ({ type: 'recall' } & RecallInput);

/** The action as the world the event is checked against has it (see the disaggregate action's orSightingOf). */
export function actionAsFound(scope: Scope, action: EventAction): EventAction {
  if (action.type !== 'disaggregate' || !action.orSightingOf || scope.exists(action.parentCode)) return action;
  return { type: 'observe', lotCodes: action.orSightingOf };
}

/** The event type's rules, then the one rule of time every event type shares. */
export function applyRules(scope: Scope, action: EventAction, eventTime: Date, reuseCodes?: string[]): RuleResult {
  const result = typeRules(scope, action, eventTime, reuseCodes);
  // a correction's replacement: the coded lots it replaces are made again, or their packs turn into copies
  if (reuseCodes) scope.requireCodedMadeAgain(reuseCodes, scope.at(...madeListOf(action)));
  requireChronology(scope, action, eventTime);
  return result;
}

/** Where an action lists the lots it makes (the request itself when it makes none of them again). */
const madeListOf = (action: EventAction): string[] =>
  action.type === 'commission' ? ['lots'] : action.type === 'transform' ? ['outputs'] : [];

function typeRules(scope: Scope, action: EventAction, eventTime: Date, reuseCodes?: string[]): RuleResult {
  switch (action.type) {
    case 'commission':
      return commission(scope, action, reuseCodes);
    case 'transform':
      return transform(scope, action, eventTime, reuseCodes);
    case 'aggregate':
      return aggregate(scope, action);
    case 'disaggregate':
      return disaggregate(scope, action, eventTime);
    case 'ship':
      return ship(scope, action, eventTime);
    case 'receive':
      return receive(scope, action);
    case 'inspect':
      return inspect(scope, action, eventTime);
    case 'observe':
      return observe(scope, action, eventTime);
    case 'destroy':
    case 'sell':
      return dispose(scope, action, eventTime);
    case 'hold':
      return hold(scope, action, eventTime);
    case 'release':
      return release(scope, action);
    case 'recall':
      return recall(scope, action);
  }
}

/**
 * The lots an action takes from what its party holds (see Scope.take), by the codes it names them
 * by or those of the packs it names (`items`: issued pack codes → their lot): each judged by what
 * the party held at the event's time, and the least it holds from then on, too.
 */
export function lotsTakenBy(action: EventAction, items: ReadonlyMap<string, { lotCode: string }>): string[] {
  const codes = (lines: Line[]) => lines.map((line) => line.lotCode);
  switch (action.type) {
    case 'transform':
      return codes(action.inputs);
    case 'aggregate':
      return [...codes(action.children), ...(action.itemCodes ?? []).flatMap((code) => items.get(code)?.lotCode ?? [])];
    case 'ship':
    case 'destroy':
    case 'sell':
      return codes(action.lines);
    default:
      return [];
  }
}

/** The lots, parties, locations, products, shipments and packs an action names (what the writer loads up front). */
/** Pushes every item of a list of any length (a spread's arguments overflow the stack at some 100,000). */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

export function referencesOf(action: EventAction) {
  const lots: string[] = [];
  const parties: string[] = [];
  const locations: string[] = [];
  const products: string[] = [];
  const shipments: string[] = [];
  const items: string[] = [];
  const specs: LotSpec[] = [];
  const unpacking: string[] = [];
  const ssccs: string[] = [];
  const lines = (list: Line[]) => {
    for (const line of list) lots.push(line.lotCode);
  };
  switch (action.type) {
    case 'commission':
      append(specs, action.lots);
      break;
    case 'transform':
      lines(action.inputs);
      for (const output of action.outputs) {
        if ('lotCode' in output) lots.push(output.lotCode);
        else specs.push(output);
      }
      break;
    case 'aggregate':
      lines(action.children);
      if (action.parent.containerCode) lots.push(action.parent.containerCode);
      // a container an earlier part of the same capture already made, else made here as its spec says
      if (action.parent.newCode) specs.push(newParentSpec(action.parent));
      if (action.parent.sscc) ssccs.push(action.parent.sscc);
      append(items, action.itemCodes ?? []);
      break;
    case 'disaggregate':
      lots.push(action.parentCode, ...(action.children ?? []), ...(action.orSightingOf ?? []));
      unpacking.push(action.parentCode);
      break;
    case 'ship':
      lines(action.lines);
      parties.push(action.toPartyCode);
      append(
        locations,
        [action.toLocationCode, action.fromLocationCode].filter((code): code is string => Boolean(code)),
      );
      break;
    case 'receive':
      shipments.push(action.shipmentId);
      break;
    case 'inspect':
      append(lots, action.lotCodes);
      if (action.inspection.labPartyCode) parties.push(action.inspection.labPartyCode);
      break;
    case 'observe':
    case 'hold':
    case 'release':
      append(lots, action.lotCodes);
      break;
    case 'recall':
      // only the roots: the rest of an opening's scope is marked unloaded (see the recall rule)
      append(lots, action.rootLotCodes);
      break;
    case 'destroy':
    case 'sell':
      lines(action.lines);
      break;
  }
  for (const spec of specs) {
    // a lot an EPCIS event creates under a code chosen in advance may exist already (an earlier event made it)
    if (spec.code) lots.push(spec.code);
    if (spec.productCode) products.push(spec.productCode);
    if (spec.originLocationCode) locations.push(spec.originLocationCode);
  }
  return { lots, parties, locations, products, shipments, items, specs, unpacking, ssccs };
}
