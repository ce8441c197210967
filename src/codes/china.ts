/**
 * Chinese identifiers that carry no public check algorithm (or none we verify):
 * region code shapes, livestock ear tags, food production licences.
 */

// Why 11–82: GB/T 2260 province codes run from 11 (北京) to 82 (澳门). The range
// is a plausibility check only; it admits unused values such as 19 or 80.
function plausibleProvince(two: string): boolean {
  const n = Number(two);
  return n >= 11 && n <= 82;
}

/**
 * The shape of a 6-digit administrative region code (GB/T 2260), e.g. 500236 (奉节县, 重庆).
 * New registrations check the code against the list (`isKnownRegionCode` in regions.ts); identifiers
 * issued earlier (party codes, ear tags) are read by shape, since they keep the region they were
 * issued under after the list renames or retires it.
 */
export function hasRegionCodeShape(value: string): boolean {
  return typeof value === 'string' && /^\d{6}$/.test(value) && plausibleProvince(value.slice(0, 2));
}

/**
 * 15-digit livestock ear tag (畜禽标识): species digit (1 pig, 2 cattle, 3 sheep/goat),
 * 6-digit region code, 8-digit serial. No check digit exists, so shape only.
 */
export function isValidEarTag(value: string): boolean {
  return typeof value === 'string' && /^[123]\d{14}$/.test(value) && hasRegionCodeShape(value.slice(1, 7));
}

/**
 * 食品生产许可证编号: "SC" + 14 digits = 3 food category (its first digit 1 for food, 2 for a
 * food additive), 2 province, 2 city, 2 county, 4 sequence, 1 check digit.
 * The check-digit algorithm is not published, so only the shape, the food / additive digit and a
 * plausible province are verified; a well-formed but fictitious number will pass.
 */
export function isValidScLicence(value: string): boolean {
  return typeof value === 'string' && /^SC[12]\d{13}$/.test(value) && plausibleProvince(value.slice(5, 7));
}
