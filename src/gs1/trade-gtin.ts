// Which GTINs may identify a trade item in an open supply chain. Pure: no I/O.
//
// GS1 General Specifications §1.4.4 (the GS1 Prefix table, Figure 1.4.4-1, and the GS1-8 Prefix
// table, Figure 1.4.4-2), with the restricted circulation numbers (RCN-8, RCN-12, RCN-13) defined in
// §2.1.13 of Release 18: a number under GS1 prefix 02, 04 or 20–29 (U.P.C. prefix 2 or 4 for a
// GTIN-12), a GTIN-8 under GS1-8 prefix 0 or 2, a refund receipt (980) or a coupon (981–984, 99) is
// for use within a company or a region only: any company may issue the same one, so it names no one
// trade item once it leaves there.

/** The prefix ranges of a GTIN-13 (the GTIN-14 without its indicator digit) that are no trade item's. */
const RESTRICTED_PREFIXES: { test: RegExp; what: string }[] = [
  // a GTIN-8 sits in the GTIN-13 space behind five zeros; its GS1-8 prefix is its first digit
  { test: /^00000[02]/, what: 'a GTIN-8 under GS1-8 prefix 0 or 2, a restricted circulation number for use within a company' },
  { test: /^02/, what: 'under GS1 prefix 02 (U.P.C. prefix 2), a restricted circulation number for use within a region' },
  { test: /^04/, what: 'under GS1 prefix 04 (U.P.C. prefix 4), a restricted circulation number for use within a company' },
  { test: /^2/, what: 'under GS1 prefix 200–299, a restricted circulation number for use within a region' },
  { test: /^980/, what: 'under GS1 prefix 980, a refund receipt' },
  { test: /^98[1-4]/, what: 'under GS1 prefix 981–984, a coupon' },
  { test: /^99/, what: 'under GS1 prefix 99, a coupon' },
];

/**
 * Why a GTIN (8, 12, 13 or 14 digits, its check digit already checked) may not identify a trade
 * item in an open supply chain, or null when it may. The prefix is read after the GTIN-14's
 * indicator digit (packaging levels and variable measure items keep the prefix of the item they
 * hold), with the zeros that pad a GTIN-8, -12 or -13 to 14 digits left aside as the spec does.
 */
export function restrictedGtinProblem(gtin: string): string | null {
  const gtin14 = gtin.padStart(14, '0');
  if (/^0+$/.test(gtin14)) return `GTIN ${gtin} is all zeros, which names no trade item`;
  const restricted = RESTRICTED_PREFIXES.find(({ test }) => test.test(gtin14.slice(1)));
  return restricted ? `GTIN ${gtin} is ${restricted.what}, not a trade item's GTIN in an open supply chain` : null;
}
