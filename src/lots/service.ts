import { canReadPartyData, type Principal, partyFilter, privateScope, requireLotReader } from '../access/index.js';
import { notFound } from '../errors/problem.js';
import { massBalance } from './ledger.js';
import type { LotRow, LotsRepository } from './repository.js';
import type { Lot } from './schemas.js';

export const toLot = (row: LotRow): Lot => ({ ...row, kind: row.kind as Lot['kind'], status: row.status as Lot['status'] });

export function createLotService(deps: { lots: Pick<LotsRepository, 'findByCodes' | 'holdings' | 'ledger' | 'involvedParties' | 'list'> }) {
  return {
    async get(principal: Principal, code: string) {
      const [row] = await deps.lots.findByCodes([code]);
      if (!row) throw notFound(`no lot ${code}`);
      // another party's stock level and uses are its own business, as in a trace: an operator, the
      // lot's owner too, sees its own holding and the books of its own stock
      const holder = privateScope(principal);
      if (holder !== null) requireLotReader(principal, code, await deps.lots.involvedParties(code));
      const [holdings, ledger] = await Promise.all([deps.lots.holdings([code]), deps.lots.ledger(code, holder)]);
      return {
        ...toLot(row),
        holders: holdings
          .filter((h) => h.onHand > 0 && canReadPartyData(principal, h.partyCode))
          .map(({ partyCode, onHand }) => ({ partyCode, onHand })),
        massBalance: massBalance(ledger.totals, ledger.lines, ledger.of),
      };
    },
    async list(principal: Principal, filter: Parameters<LotsRepository['list']>[0]) {
      const partyCode = partyFilter(principal, filter.partyCode, 'lots');
      const holder = privateScope(principal);
      // an operator lists the lots it holds or held, whoever owns them
      const scoped = holder === null ? { ...filter, partyCode } : { ...filter, partyCode: undefined, holderCode: holder };
      return (await deps.lots.list(scoped)).map(toLot);
    },
  };
}

export type LotService = ReturnType<typeof createLotService>;
