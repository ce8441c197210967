// A lot's status and the unit its quantity is counted in, named in Chinese for a person reading an
// export in Excel or a printed report: one table each, which every such export and page reads. Pure.
import type { UNITS } from '../products/schemas.js';
import { CONTAINER_UNIT, type LOT_STATUSES } from './ledger.js';

export const LOT_STATUS_NAMES_ZH = {
  active: '在库',
  in_transit: '在途',
  consumed: '已用于加工',
  sold: '已售出',
  recalled: '已召回',
  destroyed: '已销毁',
} satisfies Record<(typeof LOT_STATUSES)[number], string>;

/** A product's units and a container's (one of itself). */
const NATIVE_UNIT_NAMES_ZH = {
  head: '头',
  kg: '千克',
  piece: '件',
  box: '盒',
  case: '箱',
  pallet: '托盘',
  [CONTAINER_UNIT]: '箱/托盘',
} satisfies Record<(typeof UNITS)[number] | typeof CONTAINER_UNIT, string>;

/**
 * Every unit a lot may be counted in: the native units, and the UN/CEFACT codes of a lot captured
 * by EPCIS without a product (counted in its line's uom, see src/epcis/uom.ts). A code not named
 * here is written as it is.
 */
export const UNIT_NAMES_ZH: Readonly<Record<string, string>> = {
  ...NATIVE_UNIT_NAMES_ZH,
  H87: '件',
  EA: '个',
  C62: '个',
  KGM: '千克',
  GRM: '克',
  TNE: '吨',
  BX: '盒',
  CS: '箱',
  PX: '托盘',
};
