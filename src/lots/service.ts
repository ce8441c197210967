import { canReadPartyData, type Principal, partyFilter, privateScope, requireLotReader } from '../access/index.js';
import { notFound } from '../errors/problem.js';
import { eventIdOfKey } from '../gs1/event-id.js';
import { encodeListPageToken, type ListPageToken, listPage } from '../http/page-token.js';
import { type MassBalance, massBalance } from './ledger.js';
import type { LotRow, LotsRepository } from './repository.js';
import { LOT_LIST_ORDER, type Lot } from './schemas.js';

// an event is named by its eventID, not the key that kept it apart from another party's (partyEventKey)
const toLot = (row: LotRow): Lot => ({
  ...row,
  kind: row.kind as Lot['kind'],
  status: row.status as Lot['status'],
  createdByEventId: eventIdOfKey(row.createdByEventId),
  voidedByEventId: row.voidedByEventId && eventIdOfKey(row.voidedByEventId),
});

/**
 * Whose books of a lot the principal keeps, once it may read the lot at all (403 otherwise): the
 * whole lot's (null) for regulators and admins. Another party's stock level and uses are its own
 * business, as in a trace: an operator, the lot's owner too, keeps the books of its own stock, and
 * only of a lot it owned, held or was sent.
 */
export async function lotBooksKeeper(
  lots: Pick<LotsRepository, 'involvedParties'>,
  principal: Principal,
  code: string,
): Promise<string | null> {
  const holder = privateScope(principal);
  if (holder !== null) requireLotReader(principal, code, await lots.involvedParties(code));
  return holder;
}

/** A lot's books as `keeper` (see lotBooksKeeper) keeps them: of the whole lot, or of its own stock. */
export async function lotBooks(lots: Pick<LotsRepository, 'ledger'>, keeper: string | null, code: string): Promise<MassBalance> {
  const ledger = await lots.ledger(code, keeper);
  return massBalance(ledger.totals, ledger.lines, ledger.of);
}

export function createLotService(deps: { lots: Pick<LotsRepository, 'findByCodes' | 'holdings' | 'ledger' | 'involvedParties' | 'list'> }) {
  return {
    async get(principal: Principal, code: string) {
      const [row] = await deps.lots.findByCodes([code]);
      if (!row) throw notFound(`no lot ${code}`);
      const keeper = await lotBooksKeeper(deps.lots, principal, code);
      // an operator sees its own holding, as it keeps the books of its own stock
      const [balance, holdings] = await Promise.all([lotBooks(deps.lots, keeper, code), deps.lots.holdings([code])]);
      return {
        ...toLot(row),
        holders: holdings
          .filter((h) => h.onHand > 0 && canReadPartyData(principal, h.partyCode))
          .map(({ partyCode, onHand }) => ({ partyCode, onHand })),
        massBalance: balance,
      };
    },
    /**
     * A page of the lots the principal may list, newest first, and the token of the next page when a
     * further lot exists. The token carries the filters as asked, never the scope read from the
     * principal: each page is scoped again by who asks for it.
     */
    async list(
      principal: Principal,
      query: { partyCode?: string; status?: string; productCode?: string; limit: number; offset: number; pageToken?: ListPageToken },
    ) {
      const { pageToken, limit, offset, ...filter } = query;
      const partyCode = partyFilter(principal, filter.partyCode, 'lots');
      const holder = privateScope(principal);
      // an operator lists the lots it holds or held, whoever owns them; asking for its own code as
      // owner (the only one it may ask for) keeps those it owns, as the filter reads for regulators
      const owner = filter.partyCode === undefined ? undefined : partyCode;
      const scoped = holder === null ? { ...filter, partyCode } : { ...filter, partyCode: owner, holderCode: holder };
      const rows = await deps.lots.list({ ...scoped, limit: limit + 1, offset, after: pageToken?.after });
      return listPage(
        rows,
        limit,
        (row) => row.code,
        (last) => encodeListPageToken(LOT_LIST_ORDER, filter, last),
        ({ sortInstant, ...row }) => toLot(row),
      );
    },
  };
}

export type LotService = ReturnType<typeof createLotService>;
