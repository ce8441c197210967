import { bodyField, unprocessable } from '../../../errors/problem.js';
import type { Scope } from '../scope.js';
import type { RuleResult } from './index.js';

export type InspectInput = {
  lotCodes: string[];
  /** No kind: an EPCIS inspection that gives none, whose kind is the actor's (see kindOf). */
  inspection: { kind?: string; labPartyCode?: string; result: 'pass' | 'fail'; [detail: string]: unknown };
};

/** The kind of a test that names none, by who made it: a lab's own (third party), a regulator's sampling, a party's self-test. */
function kindOf(actor: string, actorKind: string | undefined): { kind: string; labPartyCode?: string } {
  if (actorKind === 'lab') return { kind: 'third_party', labPartyCode: actor };
  return { kind: actorKind === 'regulator' ? 'sampling' : 'self' };
}

/** A test of lots: by their owner or a party that held them at the test's time, or by an independent lab or regulator. */
export function inspect(scope: Scope, input: InspectInput, eventTime: Date): RuleResult {
  const lots = scope.requireLots(input.lotCodes, (index) => scope.at('lotCodes', index));
  scope.requireDistinct(input.lotCodes, (index) => scope.at('lotCodes', index));
  const actorKind = scope.state.parties.get(scope.actor)?.kind;
  const independent = actorKind === 'lab' || actorKind === 'regulator';
  for (const [index, lot] of lots.entries()) {
    if (!independent) scope.requireOwnerOrHolder(lot, scope.at('lotCodes', index), [eventTime], '; only they or a lab may inspect it');
    scope.draft.link(lot.code, 'subject');
  }
  const inspection = input.inspection.kind ? input.inspection : { ...kindOf(scope.actor, actorKind), ...input.inspection };
  const { labPartyCode } = inspection;
  if (inspection.kind === 'third_party' && !labPartyCode) {
    throw unprocessable('lab-required', 'a third-party inspection names its lab', [
      bodyField(scope.at('inspection', 'labPartyCode'), 'required for third_party'),
    ]);
  }
  if (labPartyCode && scope.state.parties.get(labPartyCode)?.kind !== 'lab') {
    throw unprocessable('unknown-reference', `${labPartyCode} is not a registered lab`, [
      bodyField(scope.at('inspection', 'labPartyCode'), 'not a lab party'),
    ]);
  }
  return { payload: { inspection }, disposition: inspection.result === 'pass' ? 'conformant' : 'non_conformant' };
}
