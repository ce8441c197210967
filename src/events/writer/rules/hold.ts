import { mayTakeOverHold, type RegulatoryActor, requireHoldOrRecallRight, requireReleaseRight } from '../../../access/index.js';
import { bodyField, conflict } from '../../../errors/problem.js';
import { hasEnded } from '../../../lots/ledger.js';
import type { Scope } from '../scope.js';
import type { LotView } from '../state.js';
import type { RuleResult } from './index.js';

/**
 * `keyId`: the API key that made the act, kept in its details beside the acting party;
 * `asRegulator`: the act is made with a regulator key (see regulatoryActor), not by a lot owner.
 */
export type HoldInput = { lotCodes: string[]; reason: string; pendingTest?: string | null; keyId?: string; asRegulator?: boolean };
/** `asAdmin`: an admin key releases, recorded under the party that put the holds on (see actorLifting). */
export type ReleaseInput = { lotCodes: string[]; reason: string; keyId?: string; asRegulator?: boolean; asAdmin?: boolean };

/** The hold in force on a lot, this event's own changes included. */
function holdOf(scope: Scope, lot: LotView) {
  return scope.draft.holds.has(lot.code) ? scope.draft.holds.get(lot.code) : lot.hold;
}

const actorOf = (scope: Scope, input: { asRegulator?: boolean; asAdmin?: boolean }): RegulatoryActor => ({
  code: scope.actor,
  regulator: input.asRegulator === true,
  admin: input.asAdmin === true,
});

/**
 * Puts lots on hold pending a test (a regulator, or the owner; of a container, only while all that
 * is packed in it is the owner's too, as for a recall): until released, nobody ships,
 * sells, transforms, packs or issues codes for them — the writer refuses those for every door.
 * A lot already held stays held as it is, unless a regulator takes over the owner's hold: its
 * hold then replaces the owner's, and the event names the holds it replaced.
 */
export function hold(scope: Scope, input: HoldInput, eventTime: Date): RuleResult {
  const lots = scope.requireLots(input.lotCodes, (index) => scope.at('lotCodes', index));
  scope.requireDistinct(input.lotCodes, (index) => scope.at('lotCodes', index));
  const replaced: string[] = [];
  for (const [index, lot] of lots.entries()) {
    requireHoldOrRecallRight(
      actorOf(scope, input),
      lot,
      'hold',
      scope.state.involvedParties(lot),
      scope.at('lotCodes', index),
      scope.packedLots(lot.code),
    );
    const current = holdOf(scope, lot);
    if (current && !mayTakeOverHold(actorOf(scope, input), lot, current.partyCode)) {
      throw conflict(`lot ${lot.code} is already on hold (by ${current.partyCode} since ${current.since})`, [
        bodyField(scope.at('lotCodes', index), 'already on hold'),
      ]);
    }
    if (current) replaced.push(current.eventId);
    scope.draft.holds.set(lot.code, {
      eventId: scope.draft.id,
      partyCode: scope.actor,
      reason: input.reason,
      since: eventTime.toISOString(),
    });
    scope.draft.link(lot.code, 'subject');
  }
  return {
    payload: {
      reason: input.reason,
      pendingTest: input.pendingTest ?? null,
      replacedHoldEventIds: [...new Set(replaced)],
      keyId: input.keyId ?? null,
    },
    disposition: 'non_sellable_other',
  };
}

/**
 * Releases held lots with a reason: a regulator or the owner for the owner's hold, the regulator
 * party that put it on (or an admin) for a regulator's. Lots named that are not on hold are left as
 * they are and listed in `notHeldLotCodes`; only when none is on hold is the release refused.
 */
export function release(scope: Scope, input: ReleaseInput): RuleResult {
  const lots = scope.requireLots(input.lotCodes, (index) => scope.at('lotCodes', index));
  scope.requireDistinct(input.lotCodes, (index) => scope.at('lotCodes', index));
  const actor = actorOf(scope, input);
  const released: string[] = [];
  const releasedLots: LotView[] = [];
  const notHeld: number[] = [];
  for (const [index, lot] of lots.entries()) {
    // who may act on the lot at all comes first, so another party learns nothing of its hold
    requireHoldOrRecallRight(actor, lot, 'release', scope.state.involvedParties(lot), scope.at('lotCodes', index), []);
    const current = holdOf(scope, lot);
    if (!current) {
      notHeld.push(index);
      continue;
    }
    requireReleaseRight(actor, lot, current.partyCode, scope.at('lotCodes', index));
    // an admin's release is recorded under the party whose holds it read before the lots were locked
    if (actor.admin && current.partyCode !== scope.actor)
      throw conflict(`the hold on lot ${lot.code} is now ${current.partyCode}'s, not ${scope.actor}'s; send the release again`, [
        bodyField(scope.at('lotCodes', index), `held by ${current.partyCode}`),
      ]);
    released.push(current.eventId);
    releasedLots.push(lot);
    scope.draft.holds.set(lot.code, null);
    scope.draft.link(lot.code, 'subject');
  }
  if (releasedLots.length === 0)
    throw conflict(
      lots.length === 1 ? `lot ${lots[0].code} is not on hold` : `none of the ${lots.length} lots is on hold`,
      notHeld.map((index) => bodyField(scope.at('lotCodes', index), 'not on hold')),
    );
  const dispositions = new Set(releasedLots.map(releasedDisposition));
  return {
    payload: {
      reason: input.reason,
      releasedHoldEventIds: [...new Set(released)],
      notHeldLotCodes: notHeld.map((index) => lots[index].code),
      keyId: input.keyId ?? null,
    },
    // lots left in different states share no disposition
    disposition: dispositions.size === 1 ? [...dispositions][0] : undefined,
  };
}

/**
 * The disposition a release gives a lot: released, a recalled lot is still recalled, not
 * sellable; a lot that has ended (consumed, sold out, destroyed) gets none, so the one its end
 * recorded (`destroyed`, `retail_sold`…) stands, as an EPCIS event without a disposition leaves it.
 */
function releasedDisposition(lot: LotView): string | undefined {
  if (hasEnded(lot.status)) return undefined;
  return lot.status === 'recalled' ? 'recalled' : 'sellable_accessible';
}
