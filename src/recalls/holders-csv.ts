// A recall's outcome as a county office files it: a CSV line per holder and lot of what the recall
// asked of it, when it acknowledged, what it returned and destroyed, and what is still outstanding;
// then a line per party stock was returned to and lot, of what was sent back to it, received, lost in
// transit and destroyed, and what it still has to destroy (GET /recalls/{id}/holders). Read off the
// recall as its reader sees it. Pure.
import { shanghaiIso } from '../codes/timestamp.js';
import type { CsvColumn } from '../http/csv.js';
import { UNIT_NAMES_ZH } from '../products/unit-names-zh.js';
import { stillToDestroy } from './deadlines.js';
import type { RecallView } from './schemas.js';

type Holder = RecallView['holderDetails'][number];
type Returned = RecallView['returns'][number];

/** A holder's line (`line` null for a holder with no lot line), or returned stock at the party it went back to. */
export type HolderCsvRow =
  | { record: 'holding'; holder: Holder; line: Holder['lines'][number] | null }
  | { record: 'returned'; returned: Returned };

/** Quantities as the ledger keeps them, three decimals: the difference of two of them without binary noise. */
const rounded = (quantity: number) => Math.round(quantity * 1000) / 1000;

/** Outstanding: of a holder's line, what is neither returned nor destroyed; of returned stock, what is neither lost nor destroyed. */
const outstanding = (row: HolderCsvRow) => {
  if (row.record === 'returned') return stillToDestroy(row.returned);
  return row.line ? rounded(row.line.affected - row.line.returned - row.line.destroyed) : null;
};

const partyOf = (row: HolderCsvRow) => (row.record === 'holding' ? row.holder : row.returned);
const lineOf = (row: HolderCsvRow) => (row.record === 'holding' ? row.line : null);
const returnedOf = (row: HolderCsvRow) => (row.record === 'returned' ? row.returned : null);
const contactOf = (row: HolderCsvRow) => (row.record === 'holding' ? row.holder.contact : null);

export const HOLDER_CSV_COLUMNS: readonly CsvColumn<HolderCsvRow>[] = [
  { header: 'holder', zh: '持有方代码', value: (row) => partyOf(row).partyCode },
  { header: 'holder_name', zh: '持有方', value: (row) => partyOf(row).name },
  { header: 'contact_person', zh: '联系人', value: (row) => contactOf(row)?.person },
  { header: 'contact_phone', zh: '联系电话', value: (row) => contactOf(row)?.phone },
  { header: 'lot_code', zh: '批次码', value: (row) => (row.record === 'holding' ? row.line?.lotCode : row.returned.lotCode) },
  {
    header: 'unit',
    zh: '单位',
    value: (row) => (row.record === 'holding' ? row.line?.unit : row.returned.unit),
    zhValues: UNIT_NAMES_ZH,
  },
  { header: 'affected', zh: '涉及数量', value: (row) => lineOf(row)?.affected, reads: 'number' },
  {
    header: 'acknowledged_at',
    zh: '确认时间',
    value: (row) => (row.record === 'holding' && row.holder.acknowledgedAt ? shanghaiIso(row.holder.acknowledgedAt) : null),
  },
  { header: 'returned', zh: '退回', value: (row) => lineOf(row)?.returned, reads: 'number' },
  {
    header: 'destroyed',
    zh: '销毁',
    value: (row) => (row.record === 'holding' ? row.line?.destroyed : row.returned.destroyed),
    reads: 'number',
  },
  { header: 'outstanding', zh: '未处置', value: outstanding, reads: 'number' },
  { header: 'record', zh: '记录类型', value: (row) => row.record, zhValues: { holding: '持有', returned: '退回处置' } },
  { header: 'returned_sent', zh: '退回发出', value: (row) => returnedOf(row)?.sent, reads: 'number' },
  { header: 'returned_received', zh: '退回已收到', value: (row) => returnedOf(row)?.received, reads: 'number' },
  { header: 'lost_in_transit', zh: '途中损失', value: (row) => returnedOf(row)?.lost, reads: 'number' },
];

/** A row per holder and lot, in the recall's order (a holder with no lot line has a row of its own), then a row per returns line. */
export const holderCsvRows = (recall: RecallView): HolderCsvRow[] => [
  ...recall.holderDetails.flatMap((holder) =>
    (holder.lines.length ? holder.lines : [null]).map((line) => ({ record: 'holding' as const, holder, line })),
  ),
  ...recall.returns.map((returned) => ({ record: 'returned' as const, returned })),
];
