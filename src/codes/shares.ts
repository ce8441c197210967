// Shares and rates as they are shown: rounded down at the places shown, so a rate short of
// complete never reads as complete (19,999 of 20,000 is 99.99 %, not 100 %) and no rate reads
// as more than it is. A regulator reads 100 % only when nothing is missing.

/**
 * A value rounded down to `places` decimals. The scaled value's floating-point error is rounded
 * off first (0.29 × 100 is 28.999…96, which is 29), at a millionth of the last place shown.
 */
export function floorTo(value: number, places: number): number {
  const scale = 10 ** places;
  return Math.floor(Math.round(value * scale * 1e6) / 1e6) / scale;
}

/** part ÷ whole rounded down to `places` decimals; null when there is no whole to share. */
export function shareOf(part: number, whole: number, places: number): number | null {
  return whole === 0 ? null : floorTo(part / whole, places);
}
