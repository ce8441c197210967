import type { NewLot } from '../draft.js';
import type { LotSpec, Scope } from '../scope.js';
import type { RuleResult } from './index.js';

/** What an event's payload says about a lot it created. */
export const createdLot = (lot: NewLot) => ({
  lotCode: lot.code,
  productCode: lot.productCode,
  lotNumber: lot.lotNumber,
  quantity: lot.quantity,
  unit: lot.unit,
  productionDate: lot.productionDate,
  expiryDate: lot.expiryDate,
  originLocationCode: lot.originLocationCode,
  attributes: lot.attributes,
});

/** New lots of the acting party: each starts its ledger with a `produce` of its quantity. */
export function commission(scope: Scope, input: { lots: LotSpec[] }, reuseCodes?: string[]): RuleResult {
  const created = scope.createLots(input.lots, (index) => scope.at('lots', index), reuseCodes);
  for (const lot of created) scope.draft.link(lot.code, 'subject', lot.quantity);
  return { payload: { lots: created.map(createdLot) } };
}
