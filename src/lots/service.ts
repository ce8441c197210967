import type { Principal } from '../auth/principal.js';
import { forbidden, notFound } from '../http/problem.js';
import { massBalance } from '../lineage/graph.js';
import type { ShipmentsRepository } from '../shipments/repository.js';
import type { LotRow, LotsRepository } from './repository.js';
import type { Lot } from './schemas.js';

export const toLot = (row: LotRow): Lot => ({ ...row, kind: row.kind as Lot['kind'], status: row.status as Lot['status'] });

export function createLotService(deps: {
  lots: Pick<LotsRepository, 'findByCodes' | 'holdings' | 'movementTotals' | 'involvedParties' | 'list'>;
  shipments: Pick<ShipmentsRepository, 'forLots'>;
}) {
  /** Operators read lots they own, hold or held, or were sent; admins and regulators read all. */
  async function assertCanRead(principal: Principal, lot: LotRow) {
    if (principal.role !== 'operator') return;
    if (!(await deps.lots.involvedParties(lot.code)).has(principal.partyCode as string)) {
      throw forbidden(`party ${principal.partyCode} has never owned or held lot ${lot.code}`);
    }
  }

  return {
    assertCanRead,
    async get(principal: Principal, code: string) {
      const [row] = await deps.lots.findByCodes([code]);
      if (!row) throw notFound(`no lot ${code}`);
      await assertCanRead(principal, row);
      const [holdings, totals, shipments] = await Promise.all([
        deps.lots.holdings([code]),
        deps.lots.movementTotals(code),
        deps.shipments.forLots([code]),
      ]);
      const lines = shipments.flatMap((shipment) =>
        shipment.lines.filter((line) => line.lotCode === code).map((line) => ({ ...line, status: shipment.status })),
      );
      return {
        ...toLot(row),
        holders: holdings.filter((h) => h.onHand > 0).map(({ partyCode, onHand }) => ({ partyCode, onHand })),
        massBalance: massBalance(totals, lines),
      };
    },
    async list(principal: Principal, filter: Parameters<LotsRepository['list']>[0]) {
      const scoped =
        principal.role === 'operator' ? { ...filter, partyCode: undefined, holderCode: principal.partyCode as string } : filter;
      if (principal.role === 'operator' && filter.partyCode && filter.partyCode !== principal.partyCode) {
        throw forbidden(`party ${principal.partyCode} may not list lots of ${filter.partyCode}`);
      }
      return (await deps.lots.list(scoped)).map(toLot);
    },
  };
}

export type LotService = ReturnType<typeof createLotService>;
