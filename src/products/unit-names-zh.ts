// The unit a lot's quantity is counted in, named in Chinese for a person reading an export in Excel or a
// printed report: one table, which every such export and page reads (here, above every folder that writes
// one: brands, lots, recalls, trace). Pure.
import type { UNITS } from './schemas.js';

/** A product's units, and a container's (one of itself: the unit `container`, CONTAINER_UNIT in src/lots/ledger.ts). */
const NATIVE_UNIT_NAMES_ZH = {
  head: '头',
  kg: '千克',
  piece: '件',
  box: '盒',
  case: '箱',
  pallet: '托盘',
  container: '箱/托盘',
} satisfies Record<(typeof UNITS)[number] | 'container', string>;

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
