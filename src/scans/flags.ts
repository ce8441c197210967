// Counterfeit signals for one scan. Pure: the caller supplies the previous scan.

import type { MisuseFinding } from '../brands/standing.js';

/** What regulators see flagged; `brand_misuse` (冒用) is raised from the brand standing (src/brands/standing.ts). */
export const FLAG_KINDS = ['unknown_code', 'over_scanned', 'impossible_travel', 'inactive_lot', 'brand_misuse'] as const;
type FlagKind = (typeof FLAG_KINDS)[number];

/**
 * The flags that make a code suspected counterfeit (疑似假冒), stored or raised by the scan at hand: signs of a
 * copied code. A scan of a recalled or destroyed lot (`inactive_lot`) says nothing of the code, and stops mattering
 * once the lot is active again; brand misuse is about the producer.
 */
export const COUNTERFEIT_FLAG_KINDS: readonly FlagKind[] = ['unknown_code', 'over_scanned', 'impossible_travel'];

/** Which flags a list shows: open ones, dismissed ones (a regulator looked into them and cleared them), or all. */
export const FLAG_STATUSES = ['open', 'dismissed', 'all'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];

/**
 * What a new occurrence of a dismissed flag must show to reopen it, against what the dismissal cleared:
 * - `every_occurrence`: each is a new event (a code never issued scanned again, another impossible journey);
 * - `new_finding`: a finding (a line of its detail) the dismissal did not clear (another brand misused, a recalled
 *   lot now destroyed), not the same ones rescanned, nor some of them;
 * - `doubled_evidence`: at least twice the addresses at dismissal (a copied code spreads; a display sample's trickle does not).
 * ScansRepository.raiseFlag's upsert follows this table in SQL.
 */
export const REOPENED_BY: Record<FlagKind, 'every_occurrence' | 'new_finding' | 'doubled_evidence'> = {
  unknown_code: 'every_occurrence',
  impossible_travel: 'every_occurrence',
  over_scanned: 'doubled_evidence',
  brand_misuse: 'new_finding',
  inactive_lot: 'new_finding',
};

/**
 * A flag's evidence: its detail (one line per finding, as one scan raises them: see findingsDetail), and for
 * over_scanned the number of addresses it was scanned from.
 */
export type FlagEvidence = { detail: string | null; evidence: number | null };

/** Between findings in a detail: no finding has a line break (brand names are one line). */
const FINDINGS_SEPARATOR = '\n';
const findingsOf = (detail: string | null): string[] => (detail ? detail.split(FINDINGS_SEPARATOR) : []);

/**
 * One scan's findings of a kind as one flag's detail, in one order whatever order they were found in: a scan raises
 * a kind once, so a rescan with the same findings shows the detail a dismissal cleared.
 */
export const findingsDetail = (findings: readonly string[]): string =>
  [...new Set(findings)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(FINDINGS_SEPARATOR);

/** A scan's brand misuse findings as its flag stores them: their lines as its detail, and the brands they are about. */
export const misuseFlag = (findings: readonly MisuseFinding[]): { detail: string; brandCodes: string[] } => ({
  detail: findingsDetail(findings.map((finding) => finding.line)),
  brandCodes: findings.map((finding) => finding.brandCode),
});

/** Whether an occurrence of a dismissed flag reopens it: only new evidence does (see REOPENED_BY). */
export function reopensDismissed(kind: string, dismissed: FlagEvidence, occurrence: FlagEvidence): boolean {
  switch (REOPENED_BY[kind as FlagKind] ?? 'every_occurrence') {
    case 'new_finding': {
      const cleared = new Set(findingsOf(dismissed.detail));
      return findingsOf(occurrence.detail).some((finding) => !cleared.has(finding));
    }
    case 'doubled_evidence':
      // a dismissal that recorded no count (none before the counts were kept) reopens on any occurrence
      return (occurrence.evidence ?? 0) >= 2 * (dismissed.evidence ?? 0);
    default:
      return true;
  }
}

export const marksCounterfeit = (kind: string): boolean => (COUNTERFEIT_FLAG_KINDS as readonly string[]).includes(kind);

// Approximate provincial capitals (GB/T 2260 province prefix → lat, lon): coarse regions are
// all a scan carries, so distance is measured between provinces.
const PROVINCE_CENTRES: Record<string, [number, number]> = {
  '11': [39.9, 116.4],
  '12': [39.1, 117.2],
  '13': [38.0, 114.5],
  '14': [37.9, 112.5],
  '15': [40.8, 111.7],
  '21': [41.8, 123.4],
  '22': [43.9, 125.3],
  '23': [45.8, 126.5],
  '31': [31.2, 121.5],
  '32': [32.1, 118.8],
  '33': [30.3, 120.2],
  '34': [31.9, 117.3],
  '35': [26.1, 119.3],
  '36': [28.7, 115.9],
  '37': [36.7, 117.0],
  '41': [34.8, 113.7],
  '42': [30.6, 114.3],
  '43': [28.2, 113.0],
  '44': [23.1, 113.3],
  '45': [22.8, 108.3],
  '46': [20.0, 110.3],
  '50': [29.6, 106.5],
  '51': [30.7, 104.1],
  '52': [26.6, 106.7],
  '53': [25.0, 102.7],
  '54': [29.7, 91.1],
  '61': [34.3, 108.9],
  '62': [36.1, 103.8],
  '63': [36.6, 101.8],
  '64': [38.5, 106.3],
  '65': [43.8, 87.6],
  '71': [25.0, 121.5],
  '81': [22.3, 114.2],
  '82': [22.2, 113.5],
};

/** Great-circle distance between the provinces of two region codes; null when either is unknown. */
function regionDistanceKm(a: string, b: string): number | null {
  const from = PROVINCE_CENTRES[a.slice(0, 2)];
  const to = PROVINCE_CENTRES[b.slice(0, 2)];
  if (!from || !to) return null;
  const rad = Math.PI / 180;
  const dLat = (to[0] - from[0]) * rad;
  const dLon = (to[1] - from[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(from[0] * rad) * Math.cos(to[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

export type FlagPolicy = { overScanThreshold: number; maxTravelKmh: number };
export const DEFAULT_FLAG_POLICY: FlagPolicy = { overScanThreshold: 20, maxTravelKmh: 800 };

/**
 * The flags of a scan. One person has one address (however many user agents it sends), so the checks count
 * addresses, never a client's user agent: `scanners` is how many addresses (hashed) scanned the code, this scan's
 * among them, and a scan is never travel from one its own address made.
 */
export function scanFlags(
  scan: {
    scanners: number;
    region: string | null;
    ipHash: string;
    previousRegion: string | null;
    previousScanAt: Date | null;
    previousIpHash: string | null;
    at: Date;
    lotStatus: string;
    /** Whether a container the pack lies in, at any level, was destroyed (taking the pack with it, not its lot). */
    containerDestroyed?: boolean;
  },
  policy: FlagPolicy = DEFAULT_FLAG_POLICY,
): { kind: FlagKind; detail: string; evidence?: number }[] {
  const flags: { kind: FlagKind; detail: string; evidence?: number }[] = [];
  if (scan.scanners > policy.overScanThreshold) {
    flags.push({
      kind: 'over_scanned',
      detail: `scanned from ${scan.scanners} addresses (threshold ${policy.overScanThreshold})`,
      evidence: scan.scanners,
    });
  }
  if (
    scan.region &&
    scan.previousRegion &&
    scan.previousScanAt &&
    scan.region !== scan.previousRegion &&
    scan.ipHash !== scan.previousIpHash
  ) {
    const km = regionDistanceKm(scan.previousRegion, scan.region);
    const hours = Math.max((scan.at.getTime() - scan.previousScanAt.getTime()) / 3_600_000, 1 / 60);
    if (km !== null && km > 0 && km / hours > policy.maxTravelKmh) {
      flags.push({
        kind: 'impossible_travel',
        detail: `${scan.previousRegion} → ${scan.region}: ${Math.round(km)} km in ${hours.toFixed(2)} h`,
      });
    }
  }
  if (scan.lotStatus === 'recalled' || scan.lotStatus === 'destroyed') {
    flags.push({ kind: 'inactive_lot', detail: `scanned while its lot is ${scan.lotStatus}` });
  } else if (scan.containerDestroyed) {
    flags.push({ kind: 'inactive_lot', detail: 'scanned while a container it lies in is destroyed' });
  }
  return flags;
}
