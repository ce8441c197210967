import { mayTakeOverHold, type RegulatoryActor } from '../access/index.js';
import type { DownstreamLot } from './repository.js';

/** What a hold with `downstream` does with each lot it reaches (see downstreamHoldPlan). */
export type DownstreamHoldPlan = {
  /** Put on hold by this act (a regulator's taking over an owner's hold among them). */
  held: string[];
  /** On hold already, left as they are. */
  alreadyOnHold: string[];
  /** Ended, recalled or voided: nothing of them is sold or moved on, so nothing to hold. */
  notInCirculation: string[];
  /** For an owner: lots in circulation downstream that another party owns, not held by it (counted, not named). */
  othersInCirculation: number;
};

const inCirculation = (lot: DownstreamLot) => (lot.status === 'active' || lot.status === 'in_transit') && !lot.voided;

/**
 * Which of the lots a downstream hold reaches it puts on hold: the named lots and containers, and the
 * lots (not the containers) downstream of them in circulation — a container carrying one is stopped by
 * the hold of the lot, as the writer stops it, and holding the container itself would stop the other
 * parties' lots packed with it. A lot on hold stays as it is unless the actor, a regulator, takes over
 * its owner's hold (mayTakeOverHold, as a plain hold does). An owner holds only its own lots: another
 * party's lots downstream are counted, not named (it may not read them), for it to ask a regulator or
 * open a recall. A regulator holds every one.
 */
export function downstreamHoldPlan(
  actor: RegulatoryActor,
  named: readonly string[],
  reached: readonly DownstreamLot[],
): DownstreamHoldPlan {
  const plan: DownstreamHoldPlan = { held: [], alreadyOnHold: [], notInCirculation: [], othersInCirculation: 0 };
  const roots = new Set(named);
  for (const lot of reached) {
    if (lot.kind !== 'lot' && !roots.has(lot.code)) continue;
    const circulating = inCirculation(lot);
    if (!actor.regulator && lot.partyCode !== actor.code) {
      if (circulating && lot.heldBy === null) plan.othersInCirculation++;
      continue;
    }
    if (!circulating) plan.notInCirculation.push(lot.code);
    else if (lot.heldBy !== null && !mayTakeOverHold(actor, lot, lot.heldBy)) plan.alreadyOnHold.push(lot.code);
    else plan.held.push(lot.code);
  }
  return plan;
}
