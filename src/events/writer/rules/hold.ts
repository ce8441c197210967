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
export type ReleaseInput = { lotCodes: string[]; reason: string; keyId?: string; asRegulator?: boolean };

/** The hold in force on a lot, this event's own changes included. */
function holdOf(scope: Scope, lot: LotView) {
  return scope.draft.holds.has(lot.code) ? scope.draft.holds.get(lot.code) : lot.hold;
}

const actorOf = (scope: Scope, input: { asRegulator?: boolean }): RegulatoryActor => ({
  code: scope.actor,
  regulator: input.asRegulator === true,
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

/** Releases held lots with a reason: a regulator, or the owner for a hold the owner put on. */
export function release(scope: Scope, input: ReleaseInput): RuleResult {
  const lots = scope.requireLots(input.lotCodes, (index) => scope.at('lotCodes', index));
  scope.requireDistinct(input.lotCodes, (index) => scope.at('lotCodes', index));
  const released: string[] = [];
  for (const [index, lot] of lots.entries()) {
    // who may act on the lot at all comes first, so another party learns nothing of its hold
    requireHoldOrRecallRight(actorOf(scope, input), lot, 'release', scope.state.involvedParties(lot), scope.at('lotCodes', index), []);
    const current = holdOf(scope, lot);
    if (!current) throw conflict(`lot ${lot.code} is not on hold`, [bodyField(scope.at('lotCodes', index), 'not on hold')]);
    requireReleaseRight(actorOf(scope, input), lot, current.partyCode, scope.at('lotCodes', index));
    released.push(current.eventId);
    scope.draft.holds.set(lot.code, null);
    scope.draft.link(lot.code, 'subject');
  }
  const dispositions = new Set(lots.map(releasedDisposition));
  return {
    payload: { reason: input.reason, releasedHoldEventIds: [...new Set(released)], keyId: input.keyId ?? null },
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
