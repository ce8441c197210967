// A brand office's report over a period: per member, the lots it made that carry the brand's badge, with their
// packs and scans, and the totals. Pure: the service picks the lots (badgesOf) and hands them here.
import type { FieldProblem } from '../errors/problem.js';
import type { CsvColumn, CsvDialect } from '../http/csv.js';
import { UNIT_NAMES_ZH } from '../products/unit-names-zh.js';
import type { ReportLotRow } from './repository.js';
import { addDays, type MemberState } from './standing.js';

/** The longest period a report covers, in days (from and to included): any calendar year fits. */
export const REPORT_MAX_DAYS = 366;

/**
 * Why a period (two valid days) is refused, at its query parameter, or null when a report may cover it. Its
 * last day is at most 9999-12-31, as every date (addDays): the year after it is no date the service takes.
 */
export function periodRefusal(from: string, to: string): FieldProblem | null {
  if (to < from) return { in: 'querystring', pointer: '/to', detail: `must not be before from (${from})` };
  const last = addDays(from, REPORT_MAX_DAYS - 1);
  if (to > last)
    return { in: 'querystring', pointer: '/to', detail: `a report covers at most ${REPORT_MAX_DAYS} days: no later than ${last}` };
  return null;
}

export type ReportLot = {
  lotCode: string;
  lotNumber: string | null;
  productCode: string;
  productName: string;
  producedOn: string;
  quantity: number;
  unit: string;
  packsIssued: number;
  packsScanned: number;
  scans: number;
};

export type ReportTotals = {
  lots: number;
  quantities: { unit: string; quantity: number }[];
  packsIssued: number;
  packsScanned: number;
  scans: number;
};

export type ReportMember = { partyCode: string; partyName: string; state: MemberState; lots: ReportLot[]; totals: ReportTotals };

/** Sums of lots; quantities per unit (kg and pieces do not add up), the units in order. */
export function totalsOf(lots: readonly Pick<ReportLot, 'quantity' | 'unit' | 'packsIssued' | 'packsScanned' | 'scans'>[]): ReportTotals {
  const byUnit = new Map<string, number>();
  // quantities have three decimals: summed in thousandths, so that 0.1 + 0.2 is 0.3
  for (const lot of lots) byUnit.set(lot.unit, (byUnit.get(lot.unit) ?? 0) + Math.round(lot.quantity * 1000));
  return {
    lots: lots.length,
    quantities: [...byUnit]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([unit, thousandths]) => ({ unit, quantity: thousandths / 1000 })),
    packsIssued: lots.reduce((sum, lot) => sum + lot.packsIssued, 0),
    packsScanned: lots.reduce((sum, lot) => sum + lot.packsScanned, 0),
    scans: lots.reduce((sum, lot) => sum + lot.scans, 0),
  };
}

/**
 * The members, in the order given (by party code), each with its badged lots (none if it made none) and their
 * totals; a party with a lot but not given (which standing.ts's rules should not leave) is listed after them.
 */
export function membersOf(
  lots: readonly (ReportLotRow & { producedOn: string })[],
  members: ReadonlyMap<string, { partyName: string; state: MemberState }>,
): ReportMember[] {
  const byParty = new Map<string, ReportLot[]>([...members.keys()].map((partyCode) => [partyCode, []]));
  for (const row of lots) {
    const { lotCode, lotNumber, productCode, productName, producedOn, quantity, unit, packsIssued, packsScanned, scans } = row;
    byParty.set(row.partyCode, [
      ...(byParty.get(row.partyCode) ?? []),
      { lotCode, lotNumber, productCode, productName, producedOn, quantity, unit, packsIssued, packsScanned, scans },
    ]);
  }
  return [...byParty].map(([partyCode, memberLots]) => ({
    partyCode,
    partyName: members.get(partyCode)?.partyName ?? partyCode,
    state: members.get(partyCode)?.state ?? 'exited',
    lots: memberLots,
    totals: totalsOf(memberLots),
  }));
}

/** A CSV line: a lot with its member, a member with no lot (its lot columns empty), or a totals line. */
type CsvRow = { partyCode: string; partyName: string; state: MemberState | null } & { [K in keyof ReportLot]: ReportLot[K] | null };

const NO_LOT = {
  lotCode: null,
  lotNumber: null,
  productCode: null,
  productName: null,
  producedOn: null,
  quantity: null,
  unit: null,
  packsIssued: null,
  packsScanned: null,
  scans: null,
};

/** The report's members as CSV lines: one per lot with its member, one with empty lot columns for a member with none (see reportCsvTotalRows for its totals). */
export const reportCsvRows = (members: readonly ReportMember[]): CsvRow[] =>
  members.flatMap(({ partyCode, partyName, state, lots }): CsvRow[] =>
    lots.length === 0 ? [{ partyCode, partyName, state, ...NO_LOT }] : lots.map((lot) => ({ partyCode, partyName, state, ...lot })),
  );

/**
 * The report's totals as the CSV's last lines, labelled in its language (`total`, or 合计 in the Excel flavour) in the
 * party column, the members and lots counted in the name column: one line per unit (kg and pieces do not add up),
 * each summing the quantities, packs and scans of that unit's lots and counting the members with lots of it, in the
 * order of the JSON totals' quantities; a report of no lots has one line of zeros. With one unit (or none) the line
 * is the JSON report's totals, counting every member of the period, those with no lot too.
 */
export function reportCsvTotalRows(members: readonly ReportMember[], dialect?: CsvDialect): CsvRow[] {
  const lots = members.flatMap((member) => member.lots);
  const units = [...new Set(lots.map((lot) => lot.unit))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const label = dialect === 'excel' ? '合计' : 'total';
  const counted = (memberCount: number, lotCount: number) =>
    dialect === 'excel' ? `成员 ${memberCount} 个；批次 ${lotCount} 个` : `members: ${memberCount}; lots: ${lotCount}`;
  const line = (unitLots: readonly ReportLot[], unit: string): CsvRow => {
    const totals = totalsOf(unitLots);
    const memberCount = members.filter((member) => member.lots.some((lot) => lot.unit === unit)).length;
    return {
      partyCode: label,
      partyName: counted(units.length > 1 ? memberCount : members.length, totals.lots),
      ...NO_LOT,
      state: null,
      quantity: totals.quantities[0]?.quantity ?? 0,
      unit,
      packsIssued: totals.packsIssued,
      packsScanned: totals.packsScanned,
      scans: totals.scans,
    };
  };
  if (units.length === 0) return [line([], '')];
  return units.map((unit) =>
    line(
      lots.filter((lot) => lot.unit === unit),
      unit,
    ),
  );
}

const STATES_ZH = { admitted: '已准入', suspended: '已暂停', exited: '已退出', expired: '已过期' };

export const REPORT_CSV_COLUMNS: readonly CsvColumn<CsvRow>[] = [
  { header: 'party_code', zh: '主体代码', value: (row) => row.partyCode },
  { header: 'party_name', zh: '主体名称', value: (row) => row.partyName },
  { header: 'member_state', zh: '成员状态', value: (row) => row.state, zhValues: STATES_ZH },
  { header: 'lot_code', zh: '批次', value: (row) => row.lotCode },
  { header: 'lot_number', zh: '批号', value: (row) => row.lotNumber },
  { header: 'product_code', zh: '产品代码', value: (row) => row.productCode },
  { header: 'product_name', zh: '产品名称', value: (row) => row.productName },
  { header: 'produced_on', zh: '生产日期', value: (row) => row.producedOn, reads: 'date' },
  { header: 'quantity', zh: '数量', value: (row) => row.quantity, reads: 'number' },
  { header: 'unit', zh: '单位', value: (row) => row.unit, zhValues: UNIT_NAMES_ZH },
  { header: 'packs_issued', zh: '已发码数', value: (row) => row.packsIssued, reads: 'number' },
  { header: 'packs_scanned', zh: '已扫码包数', value: (row) => row.packsScanned, reads: 'number' },
  { header: 'scans', zh: '扫码次数', value: (row) => row.scans, reads: 'number' },
];
