import { requireHoldOrRecallRight } from '../../../access/index.js';
import type { Scope } from '../scope.js';
import type { RuleResult } from './index.js';

/**
 * A recall's acts in the log. Opening names the root lots (the regulator's or the owner's) and
 * every lot and container its scope reached, all with disposition `recalled`, so each becomes
 * recalled while any quantity of it remains. Closing names the root lots again.
 *
 * The scope's lots come from the recall's own walk in the same transaction (live lots, roots
 * among them): only the roots are loaded and checked; the others are linked and marked unloaded.
 */
export type RecallInput =
  | {
      phase: 'open';
      recallId: string;
      level: number;
      reason: string;
      hazard: string;
      rootLotCodes: string[];
      lotCodes: string[];
      keyId?: string;
      /** made with a regulator key (see regulatoryActor), not by a lot owner */
      asRegulator?: boolean;
    }
  | { phase: 'close'; recallId: string; rootLotCodes: string[]; overrideReason: string | null; keyId?: string };

export function recall(scope: Scope, input: RecallInput): RuleResult {
  const roots = scope.requireLots(input.rootLotCodes, (index) => scope.at('rootLotCodes', index));
  const actor = { code: scope.actor, regulator: input.phase === 'open' && input.asRegulator === true };
  if (input.phase === 'close') {
    for (const lot of roots) scope.draft.link(lot.code, 'subject');
    return { payload: { recallId: input.recallId, phase: 'close', overrideReason: input.overrideReason, keyId: input.keyId ?? null } };
  }
  // the roots are the lots the request named, in its order: POST /recalls names them `lotCodes`; a root
  // container's contents are read as the writer loaded them, under its locks
  for (const [index, lot] of roots.entries())
    requireHoldOrRecallRight(
      actor,
      lot,
      'recall',
      scope.state.involvedParties(lot),
      scope.at('lotCodes', index),
      scope.packedLots(lot.code),
    );
  for (const lot of roots) scope.draft.link(lot.code, 'subject');
  const rootCodes = new Set(input.rootLotCodes);
  scope.draft.recallUnloaded(input.lotCodes.filter((code) => !rootCodes.has(code)));
  return {
    payload: {
      recallId: input.recallId,
      phase: 'open',
      level: input.level,
      reason: input.reason,
      hazard: input.hazard,
      rootLotCodes: input.rootLotCodes,
      lotCount: input.lotCodes.length,
      keyId: input.keyId ?? null,
    },
    disposition: 'recalled',
  };
}
