// A lot's quantity ledger, read: its status and its mass balance follow from the signed movements
// recorded against it. Pure.
import { conflict, type FieldProblem, type Problem, unprocessable } from '../errors/problem.js';

// A correction writes the negated rows of the event it reverses, under the same kinds, so totals per kind net out.
// Packing moves quantity from loose into a container (two rows of kind 'pack' that sum to zero), unpacking back.
export const MOVEMENT_KINDS = ['produce', 'consume', 'ship_out', 'receive_in', 'destroy', 'sell', 'pack', 'unpack'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

export const LOT_STATUSES = ['active', 'in_transit', 'consumed', 'sold', 'recalled', 'destroyed'] as const;
type LotStatus = (typeof LOT_STATUSES)[number];

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

/**
 * The statuses a lot ends in once nothing of it remains (nextLotStatus): a recall leaves them as
 * they are and makes every other status `recalled`.
 */
export const ENDED_STATUSES: readonly LotStatus[] = ['consumed', 'sold', 'destroyed'];

/** A lot used up, sold or destroyed: no goods of it remain (and no new packs of it can exist). */
export const hasEnded = (status: string): boolean => (ENDED_STATUSES as readonly string[]).includes(status);

export type MassBalance = {
  produced: number;
  received: number;
  consumed: number;
  shipped: number;
  destroyed: number;
  sold: number;
  onHand: number;
  inTransit: number;
  transitLoss: number;
  /**
   * Of a whole lot: produced − (consumed + destroyed + sold + on hand + in transit + transit loss).
   * Of one party's stock: produced + received − (consumed + destroyed + sold + on hand + in transit +
   * transit loss + what its shipments delivered). 0 when the books close.
   */
  unaccounted: number;
};

/** Whose books a mass balance keeps: the whole lot's, or one party's own stock of it. */
export type BalanceOf = 'lot' | 'party';

/**
 * Mass balance of one lot, from its ledger: the signed totals per movement kind and the lines of
 * the shipments that carried it. Of the whole lot (`lot`: every party's rows and shipments), what
 * was made must be used, on hand, on the road, lost in transit, destroyed or sold; shipments only
 * move it between parties. Of one party's own stock (`party`: its own rows and the shipments it
 * sent), its receipts bring stock in and what its shipments delivered took it out as well. Yield
 * loss of transformations shows in the output lots (their produced quantity), not here.
 */
export function massBalance(
  totals: { kind: string; quantity: number }[],
  shipmentLines: { quantity: number; receivedQuantity: number | null; status: string }[],
  of: BalanceOf = 'lot',
): MassBalance {
  const sum = (kind: string) => totals.filter((total) => total.kind === kind).reduce((acc, total) => acc + total.quantity, 0);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  const produced = sum('produce');
  const received = sum('receive_in');
  const consumed = -sum('consume');
  const shipped = -sum('ship_out');
  const destroyed = -sum('destroy');
  const sold = -sum('sell');
  const onHand = totals.reduce((acc, total) => acc + total.quantity, 0);
  // a shipment received in parts: its received lines have arrived, the others are still on the road
  const onTheRoad = (line: (typeof shipmentLines)[number]) => line.status === 'open' && line.receivedQuantity === null;
  const carried = shipmentLines.filter((line) => line.status !== 'cancelled');
  const inTransit = carried.filter(onTheRoad).reduce((acc, line) => acc + line.quantity, 0);
  const transitLoss = carried.reduce((acc, line) => acc + (line.quantity - (line.receivedQuantity ?? line.quantity)), 0);
  const delivered = carried.filter((line) => !onTheRoad(line)).reduce((acc, line) => acc + (line.receivedQuantity ?? line.quantity), 0);
  // within the whole lot a shipment hands stock from one party to another; one party's stock crosses its bounds
  const [cameIn, wentOut] = of === 'party' ? [received, delivered] : [0, 0];
  return {
    produced: round(produced),
    received: round(received),
    consumed: round(consumed),
    shipped: round(shipped),
    destroyed: round(destroyed),
    sold: round(sold),
    onHand: round(onHand),
    inTransit: round(inTransit),
    transitLoss: round(transitLoss),
    unaccounted: round(produced + cameIn - (consumed + destroyed + sold + onHand + inTransit + transitLoss + wentOut)),
  };
}

/** The unit of every container (a case, a pallet, an SSCC): one of it, whatever it holds. */
export const CONTAINER_UNIT = 'container';

/** Quantities are stored with three decimals; counted units (heads, pieces, cases…) take whole numbers. */
export const COUNT_UNITS = new Set(['head', 'piece', 'box', 'case', 'pallet', CONTAINER_UNIT, 'H87', 'EA', 'C62']);
const STORED_DECIMALS = 3;

export function decimalsAllowed(unit: string): number {
  return COUNT_UNITS.has(unit) ? 0 : STORED_DECIMALS;
}

/** Why a quantity cannot be booked in `unit` (negative, or finer than the unit allows), or null when it can. */
export function quantityProblem(quantity: number, unit: string): string | null {
  if (!Number.isFinite(quantity) || quantity < 0) return 'must be a positive number';
  const decimals = decimalsAllowed(unit);
  const scaled = quantity * 10 ** decimals;
  // a positive quantity finer than the stored precision (1e-300) would be booked as 0
  if (Math.abs(scaled - Math.round(scaled)) > 1e-6 || (quantity > 0 && Math.round(scaled) === 0)) {
    return decimals === 0 ? `must be a whole number of ${unit}` : `at most ${decimals} decimals for ${unit} (e.g. 12.345)`;
  }
  return null;
}

/** Rounds away binary floating-point noise at the stored precision, so sums of booked quantities compare exactly. */
export const roundQuantity = (value: number) => Math.round(value * 10 ** STORED_DECIMALS) / 10 ** STORED_DECIMALS;

/** What a hold or a recall stops: every way stock moves on towards consumers (unpacking a held container frees what is in it). */
export type CirculationAct = 'ship' | 'sell' | 'transform' | 'issue codes for' | 'pack' | 'unpack';

/** Why a lot may not be used for an act, and what stops it: a hold (409) or a recall (422). */
export type CirculationStop = { detail: string; by: 'hold' | 'recall' };

/** A lot or container as the circulation rule sees it; `recallRoot`: a container a recall named itself (see recallReturnParties). */
export type CirculatingLot = {
  code: string;
  kind?: string;
  status: string;
  hold: { reason: string } | null;
  partyCode?: string;
  recalls?: readonly string[];
  recallRoot?: boolean;
};

/**
 * The parties a recalled lot or container goes back to: a lot to its maker, a container a recall
 * named itself to its packer (with all it holds), a container recalled only through what it holds
 * to wherever the recalled lots and containers inside it go (`contents` reads what a container
 * holds; nested containers are read through). Several parties: it cannot go back whole, it is
 * unpacked first; none (nothing recalled left inside): it goes back nowhere.
 */
export function recallReturnParties(lot: CirculatingLot, contents: (containerCode: string) => CirculatingLot[]): Set<string> {
  const goesBackItself = (one: CirculatingLot) => one.kind !== 'container' || one.recallRoot === true;
  if (goesBackItself(lot)) return new Set(lot.partyCode === undefined ? [] : [lot.partyCode]);
  const parties = new Set<string>();
  const seen = new Set([lot.code]);
  const queue = [lot.code];
  for (let code = queue.shift(); code !== undefined; code = queue.shift()) {
    for (const child of contents(code)) {
      if (seen.has(child.code)) continue;
      seen.add(child.code);
      if (child.status === 'recalled' && goesBackItself(child)) {
        if (child.partyCode !== undefined) parties.add(child.partyCode);
      } else if (child.kind === 'container') queue.push(child.code);
    }
  }
  return parties;
}

/**
 * Why a lot may not be used for `act`, or null when it may. A recalled lot (the recall made it so,
 * and it stays so when the recall closes) leaves circulation: it is neither shipped, sold, used,
 * packed nor coded (a recalled container may be unpacked), except shipped back (`to`, the party a
 * shipment goes to) where recallReturnParties sends it — its maker, for a container the one party
 * it goes back to (`contents` reads what a container holds) — where a holder's reported return
 * goes; destroying it stays possible. `returning`: the lot lies in a container going back so, and
 * goes with it. A lot on hold moves nowhere until released (it may still be destroyed), except
 * that one also recalled may go back all the same. One rule for every door: the event writer, the
 * recall's return and code issuance all ask it. `name` is how the refusal names the lot (its code
 * unless given); `packedIn` names the container the lot lies in when the act is on a container
 * holding it (what is inside goes wherever the container goes); `lot.recalls` the recalls that
 * reached it, which the refusal names.
 */
export function circulationRefusal(
  lot: CirculatingLot,
  act: CirculationAct,
  {
    name: lotName = lot.code,
    packedIn,
    to,
    contents = () => [],
    returning = false,
  }: { name?: string; packedIn?: string; to?: string; contents?: (containerCode: string) => CirculatingLot[]; returning?: boolean } = {},
): CirculationStop | null {
  const name = packedIn ? `lot ${lotName} (packed in ${packedIn})` : `lot ${lotName}`;
  const recalled = lot.status === 'recalled';
  const backTo = recalled && act === 'ship' ? [...recallReturnParties(lot, contents)] : [];
  if (recalled && act === 'ship' && to !== undefined && (returning || (backTo.length === 1 && backTo[0] === to))) return null;
  if (lot.hold && recalled && act === 'ship') {
    return {
      detail: `${name} is on hold (${lot.hold.reason}) and recalled; until the hold is released it may be shipped only back to ${whereBack(lot, backTo)}`,
      by: 'hold',
    };
  }
  if (lot.hold) return { detail: `${name} is on hold (${lot.hold.reason}); nobody may ${act} it until the hold is released`, by: 'hold' };
  // what a recalled container holds is recalled with it (the recall's scope): unpacking frees nothing
  if (!recalled || act === 'unpack') return null;
  const which = lot.recalls?.length ? ` (recall ${lot.recalls.join(', ')})` : '';
  const detail =
    act !== 'ship'
      ? `${name} is recalled${which}; nobody may ${act} it`
      : backTo.length === 1
        ? `${name} is recalled${which}; it may be shipped only back to ${whereBack(lot, backTo)}, or destroyed`
        : `${name} is recalled${which}; ${backTo.length ? `it holds recalled lots of ${backTo.length} makers, each going back to its own` : 'it holds no recalled lot to go back with'}: unpack it first, or destroy it`;
  return { detail, by: 'recall' };
}

/** Where a recalled lot goes back, as a refusal says it. */
const whereBack = (lot: CirculatingLot, parties: string[]) =>
  lot.kind !== 'container'
    ? 'the party that made it'
    : lot.recallRoot
      ? 'the party that packed it'
      : parties.length === 1
        ? `${parties[0]}, which made the recalled lots in it`
        : 'the makers of the recalled lots in it, once unpacked';

/** The refusal a circulation stop answers with: 409 for a hold (until released), 422 `recalled-lot` for a recall. */
export const circulationProblem = (stop: CirculationStop, errors?: FieldProblem[]): Problem =>
  stop.by === 'hold' ? conflict(stop.detail, errors) : unprocessable('recalled-lot', stop.detail, errors);

/** The share of a transformation's input weight its outputs may weigh: cured meat keeps 50–70 % of its fresh weight. */
export type YieldAllowance = { min: number; max: number };
export const TRANSFORMATION_KINDS = ['slaughter', 'cutting', 'curing', 'smoking', 'drying', 'packing', 'other'] as const;
export type TransformationKind = (typeof TRANSFORMATION_KINDS)[number];
export type YieldAllowances = Record<TransformationKind, YieldAllowance>;

// Dressing percentage of pigs (live → carcass), trimming in cutting, weight lost in curing (30–50 %),
// smoking and drying; packing adds or loses next to nothing. A transformation of no stated kind may
// lose anything but gain nothing.
export const DEFAULT_YIELD_ALLOWANCES: YieldAllowances = {
  slaughter: { min: 0.6, max: 0.8 },
  cutting: { min: 0.85, max: 1 },
  curing: { min: 0.5, max: 0.7 },
  smoking: { min: 0.6, max: 0.95 },
  drying: { min: 0.4, max: 0.8 },
  packing: { min: 0.95, max: 1.02 },
  other: { min: 0, max: 1 },
};

export type TransformationYield = {
  kind: TransformationKind;
  unit: string;
  input: number;
  output: number;
  /** output ÷ input */
  yield: number;
  allowance: YieldAllowance;
  /** Output beyond the allowance (positive: more made than the inputs can give) or short of it (negative: input gone missing); 0 within it. */
  gap: number;
};

/**
 * How much a transformation made of what it used, against the allowance of its kind. Null when
 * inputs and outputs are not all booked in one unit (heads in, kilograms out): weights cannot be
 * compared then.
 */
export function transformationYield(
  kind: string | null,
  inputs: { quantity: number; unit: string }[],
  outputs: { quantity: number; unit: string }[],
  allowances: YieldAllowances = DEFAULT_YIELD_ALLOWANCES,
): TransformationYield | null {
  const units = new Set([...inputs, ...outputs].map((line) => line.unit));
  if (units.size !== 1 || inputs.length === 0 || outputs.length === 0) return null;
  const known = (TRANSFORMATION_KINDS as readonly string[]).includes(kind ?? '') ? (kind as TransformationKind) : 'other';
  const allowance = allowances[known];
  const input = roundQuantity(inputs.reduce((acc, line) => acc + line.quantity, 0));
  const output = roundQuantity(outputs.reduce((acc, line) => acc + line.quantity, 0));
  const above = output - input * allowance.max;
  const below = output - input * allowance.min;
  return {
    kind: known,
    unit: [...units][0],
    input,
    output,
    yield: input > 0 ? Math.round((output / input) * 10_000) / 10_000 : 0,
    allowance,
    gap: roundQuantity(above > 1e-9 ? above : below < -1e-9 ? below : 0),
  };
}

/**
 * A lot's gap: what its ledger leaves unaccounted, plus its share (by quantity) of the gap of the
 * transformation that made it. 0 when its books close.
 */
export function lotGap(balance: MassBalance, madeBy: { yield: TransformationYield; share: number } | null): number {
  return roundQuantity(balance.unaccounted + (madeBy ? madeBy.yield.gap * madeBy.share : 0));
}

/** Yield allowances from `kind=min-max` pairs, e.g. `curing=0.5-0.7,smoking=0.6-0.95`; unnamed kinds keep their defaults. */
export function parseYieldAllowances(text: string): YieldAllowances {
  const allowances = { ...DEFAULT_YIELD_ALLOWANCES };
  for (const pair of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([a-z]+)=(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(pair);
    if (!match || !(TRANSFORMATION_KINDS as readonly string[]).includes(match[1])) {
      throw new Error(`"${pair}" is not kind=min-max with kind one of ${TRANSFORMATION_KINDS.join(', ')}`);
    }
    const [min, max] = [Number(match[2]), Number(match[3])];
    if (min > max) throw new Error(`"${pair}": the lower yield exceeds the upper`);
    allowances[match[1] as TransformationKind] = { min, max };
  }
  return allowances;
}
