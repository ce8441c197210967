// Shares and rates as they are shown: rounded down at the places shown, so a rate short of
// complete never reads as complete (19,999 of 20,000 is 99.99 %, not 100 %), and no more than
// that: a share of something never reads as nothing (1 of 20,000 is 0.01 %, not 0 %). A regulator
// reads 100 % only when nothing is missing, and 0 % only when nothing is there.

/**
 * A value rounded down to `places` decimals. The scaled value's floating-point error is rounded
 * off first (0.29 × 100 is 28.999…96, which is 29), at a millionth of the last place shown.
 */
export function floorTo(value: number, places: number): number {
  const scale = 10 ** places;
  return Math.floor(Math.round(value * scale * 1e6) / 1e6) / scale;
}

/** A share (0 to 1) at `places` decimals: rounded down, but above 0 the least it shows is one unit of the last place. */
export function shownShare(share: number, places: number): number {
  const shown = floorTo(share, places);
  return shown === 0 && share > 0 ? 1 / 10 ** places : shown;
}

/** part ÷ whole as shown at `places` decimals (shownShare); null when there is no whole to share. */
export function shareOf(part: number, whole: number, places: number): number | null {
  return whole === 0 ? null : shownShare(part / whole, places);
}
