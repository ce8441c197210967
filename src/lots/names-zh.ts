// A lot's status named in Chinese for a person reading an export in Excel or a printed report: one table,
// which every such export and page reads (the units' names are src/products/unit-names-zh.ts). Pure.
import type { LOT_STATUSES } from './ledger.js';

export const LOT_STATUS_NAMES_ZH = {
  active: '在库',
  in_transit: '在途',
  consumed: '已用于加工',
  sold: '已售出',
  recalled: '已召回',
  destroyed: '已销毁',
} satisfies Record<(typeof LOT_STATUSES)[number], string>;
