import { ownInspectionKind, requireInspectionClaim, testsIndependently } from '../../../access/index.js';
import { bodyField, unprocessable } from '../../../errors/problem.js';
import type { Scope } from '../scope.js';
import type { RuleResult } from './index.js';

export type InspectInput = {
  lotCodes: string[];
  /** No kind: an EPCIS inspection that gives none, whose kind is the actor's own (ownInspectionKind). */
  inspection: { kind?: string; labPartyCode?: string; result: 'pass' | 'fail'; [detail: string]: unknown };
};

/**
 * A test of lots: by their owner or a party that held them at the test's time, or by an independent
 * lab or regulator; of a kind, and naming a lab, that are the actor's own (requireInspectionClaim).
 */
export function inspect(scope: Scope, input: InspectInput, eventTime: Date): RuleResult {
  const lots = scope.requireLots(input.lotCodes, (index) => scope.at('lotCodes', index));
  scope.requireDistinct(input.lotCodes, (index) => scope.at('lotCodes', index));
  const actor = { code: scope.actor, kind: scope.state.parties.get(scope.actor)?.kind };
  for (const [index, lot] of lots.entries()) {
    if (!testsIndependently(actor.kind))
      scope.requireOwnerOrHolder(lot, scope.at('lotCodes', index), [eventTime], '; only they or a lab may inspect it');
    scope.draft.link(lot.code, 'subject');
  }
  const kind = input.inspection.kind ?? ownInspectionKind(actor.kind);
  requireInspectionClaim(actor, { kind, labPartyCode: input.inspection.labPartyCode }, (field) => scope.at('inspection', field));
  // a lab's own test names it
  const lab = kind === 'third_party' ? { labPartyCode: actor.code } : {};
  const inspection = { kind, ...lab, ...input.inspection };
  const { labPartyCode } = inspection;
  if (labPartyCode && scope.state.parties.get(labPartyCode)?.kind !== 'lab') {
    throw unprocessable('unknown-reference', `${labPartyCode} is not a registered lab`, [
      bodyField(scope.at('inspection', 'labPartyCode'), 'not a lab party'),
    ]);
  }
  return { payload: { inspection }, disposition: inspection.result === 'pass' ? 'conformant' : 'non_conformant' };
}
