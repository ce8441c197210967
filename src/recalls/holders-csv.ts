// A recall's outcome as a county office files it: a CSV line per holder and lot of what the recall
// asked of it, when it acknowledged, what it returned and destroyed, and what is still outstanding
// (GET /recalls/{id}/holders). Read off the recall as its reader sees it. Pure.
import { shanghaiIso } from '../codes/timestamp.js';
import type { CsvColumn } from '../http/csv.js';
import { UNIT_NAMES_ZH } from '../lots/names-zh.js';
import type { RecallView } from './schemas.js';

type Holder = RecallView['holderDetails'][number];

export type HolderCsvRow = { holder: Holder; line: Holder['lines'][number] | null };

/** Quantities as the ledger keeps them, three decimals: the difference of two of them without binary noise. */
const outstanding = ({ affected, returned, destroyed }: Holder['lines'][number]) =>
  Math.round((affected - returned - destroyed) * 1000) / 1000;

export const HOLDER_CSV_COLUMNS: readonly CsvColumn<HolderCsvRow>[] = [
  { header: 'holder', zh: '持有方代码', value: (row) => row.holder.partyCode },
  { header: 'holder_name', zh: '持有方', value: (row) => row.holder.name },
  { header: 'contact_person', zh: '联系人', value: (row) => row.holder.contact?.person },
  { header: 'contact_phone', zh: '联系电话', value: (row) => row.holder.contact?.phone },
  { header: 'lot_code', zh: '批次码', value: (row) => row.line?.lotCode },
  { header: 'unit', zh: '单位', value: (row) => row.line?.unit, zhValues: UNIT_NAMES_ZH },
  { header: 'affected', zh: '涉及数量', value: (row) => row.line?.affected, reads: 'number' },
  {
    header: 'acknowledged_at',
    zh: '确认时间',
    value: (row) => (row.holder.acknowledgedAt ? shanghaiIso(row.holder.acknowledgedAt) : null),
  },
  { header: 'returned', zh: '退回', value: (row) => row.line?.returned, reads: 'number' },
  { header: 'destroyed', zh: '销毁', value: (row) => row.line?.destroyed, reads: 'number' },
  { header: 'outstanding', zh: '未处置', value: (row) => (row.line ? outstanding(row.line) : null), reads: 'number' },
];

/** A row per holder and lot, in the recall's order; a holder with no lot line has a row of its own. */
export const holderCsvRows = (recall: RecallView): HolderCsvRow[] =>
  recall.holderDetails.flatMap((holder) => (holder.lines.length ? holder.lines : [null]).map((line) => ({ holder, line })));
