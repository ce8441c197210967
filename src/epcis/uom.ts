// How an EPCIS quantity line's `uom` (a UN/CEFACT Rec. 20 code) reads against the unit of the lot it
// names: the lot's own unit code as it is, a mass converted exactly, anything else refused. Pure.
import { CONTAINER_UNIT } from '../lots/ledger.js';

/** The UN/CEFACT code of each native unit, as EPCIS writes a quantity of a lot counted in it. */
export const UOM: Record<string, string> = { kg: 'KGM', head: 'H87', piece: 'H87', box: 'BX', case: 'CS', pallet: 'PX' };

/** UN/CEFACT codes a count of single pieces is written in: piece (as exported), one, each. */
const PIECE_UOMS = new Set(['H87', 'C62', 'EA']);

/** Grams in one of each mass unit: a lot counted in kg (or, captured without a product, in a mass code) and the codes a line may name. */
const GRAMS: Record<string, number> = { kg: 1000, KGM: 1000, GRM: 1, TNE: 1_000_000 };

/** The ledger keeps three decimals of a lot's unit, up to a trillion (numeric(18, 3)). */
const STORED_DECIMALS = 3;
/** The largest quantity the ledger stores (numeric(18, 3)). */
export const MAX_QUANTITY = 1e12;

/** The decimals a line's quantity may carry in its uom: the ledger's three, six in tonnes (three of the kilograms). */
export const lineDecimals = (uom: unknown) => (uom === 'TNE' ? 6 : 3);

/**
 * A line's quantity at the decimals its uom allows, when binary noise is all that lies beyond them
 * (0.30000000000000004 TNE is 0.3 TNE): validation admits such a number (within a millionth of a
 * step), and the exact conversion must read it as the decimal it stands for.
 */
function withoutBinaryNoise(quantity: number, uom: string): number {
  const scale = 10 ** lineDecimals(uom);
  const steps = Math.round(quantity * scale);
  return Math.abs(quantity * scale - steps) > 1e-6 ? quantity : steps / scale;
}

/**
 * The code a quantity of a lot counted in `unit` is written in: a native unit's (kg → KGM), a unit
 * captured as a code (a lot of no product, counted in the `uom` that made it) as it is.
 */
export function uomOfUnit(unit: string): string {
  return UOM[unit] ?? (/^[A-Z0-9]{1,3}$/.test(unit) ? unit : 'H87');
}

/**
 * Whether `uom` is the code of `unit` itself: that unit, its code, for a count of pieces or heads any
 * code of one piece, and for a container (one of itself) that or a box's, case's or pallet's.
 */
function isUnitsOwn(uom: string, unit: string): boolean {
  const pieces = (unit === 'piece' || unit === 'head' || unit === CONTAINER_UNIT || PIECE_UOMS.has(unit)) && PIECE_UOMS.has(uom);
  const packs = unit === CONTAINER_UNIT && ['BX', 'CS', 'PX'].includes(uom);
  return uom === unit || uom === UOM[unit] || pieces || packs;
}

/**
 * The native unit a captured `uom` names for a product counted in `unit`: that unit when the uom is
 * its code (a head or a piece: any code for one piece) or a mass the line converts to it (see
 * quantityInUnit), else the uom as written (which the writer refuses for a lot of the product: a
 * lot is counted in its product's unit).
 */
export function unitOfUom(uom: string, unit: string): string {
  return isUnitsOwn(uom, unit) || (GRAMS[uom] !== undefined && GRAMS[unit] !== undefined) ? unit : uom;
}

/**
 * The unit a lot a capture makes is counted in: its product's (a line naming another is the writer's
 * to refuse), else the uom of the line that made it, else (made without one) a piece.
 */
export function unitOfNewLot(uom: string | null, productUnit: string | undefined): string {
  return productUnit ?? uom ?? 'piece';
}

/**
 * The unit a quantity line naming a lot is read in, and whether it binds the line (a uom it cannot be
 * read in refuses the event): the lot's as stored, else as an earlier event of the document that
 * makes it counts it (`planned`: see unitOfNewLot), both binding; else, a lot the line's own event
 * makes, its product's, which the writer holds it to. None: the line makes the lot in its own uom.
 */
export function unitLineIsReadIn(
  stored: string | undefined,
  planned: string | undefined,
  productUnit: string | undefined,
): { unit: string; binding: boolean } | undefined {
  const known = stored ?? planned;
  if (known !== undefined) return { unit: known, binding: true };
  return productUnit === undefined ? undefined : { unit: productUnit, binding: false };
}

/** A line's quantity in the lot's unit, or why the line cannot name the lot so (the field refused: `uom` or `quantity`). */
export type LineQuantity =
  | { ok: true; quantity: number | null }
  | { ok: false; field: 'uom' | 'quantity'; detail: string; fieldDetail: string };

/**
 * What a quantity line books of a lot of no product that earlier events of its document make, in
 * `units` (one for each way they make it): the line as it is when its uom is the own unit of every one
 * of them (KGM of a lot made in KGM; H87 or C62 of one made in pieces), else refused at its uom. Which
 * of those events makes the lot is known only as they are written (one may be refused, the line's own
 * event may make it instead), so a line that would need converting could be read in a unit the lot is
 * not counted in: it names the lot in a later document.
 */
export function inDocumentUnitReading(quantity: number | null, uom: string, units: ReadonlySet<string>): LineQuantity {
  const made = [...units];
  if (made.every((unit) => isUnitsOwn(uom, unit))) return { ok: true, quantity };
  const listed = made.map(uomOfUnit).join(' and ');
  return {
    ok: false,
    field: 'uom',
    detail: `an earlier event of this document makes the lot in ${listed}: name it in that unit in this document, or in another unit in a later one`,
    fieldDetail: `not ${listed}, the unit this document makes the lot in`,
  };
}

/**
 * What a quantity line giving `quantity` in `uom` books of a lot counted in `unit`. A line with no
 * uom, or the lot's own unit code, is taken as it is; a mass of a lot counted in a mass is converted
 * exactly (80000 GRM of a kg lot is 80 kg, 1 TNE 1000 kg), and refused at its quantity when it is
 * finer than the three decimals the ledger keeps of the lot's unit (0.5 GRM of a kg lot); any other
 * uom is refused at the uom, naming the lot's unit. A line without a quantity (the lot as far as it is
 * held) has its uom judged alike.
 */
export function quantityInUnit(quantity: number | null, uom: string | null, unit: string): LineQuantity {
  if (uom === null || isUnitsOwn(uom, unit)) return { ok: true, quantity };
  const code = uomOfUnit(unit);
  const from = GRAMS[uom];
  const to = GRAMS[unit];
  if (from === undefined || to === undefined) {
    const codes = code === 'H87' ? 'H87, C62 or EA' : to === undefined ? code : `${code}, GRM or TNE`;
    return {
      ok: false,
      field: 'uom',
      detail: `${uom} is not the lot's unit: the lot is counted in ${unit === code ? code : `${unit} (${codes})`}`,
      fieldDetail: `not ${codes}: the lot is counted in ${unit}`,
    };
  }
  if (quantity === null) return { ok: true, quantity };
  const written = withoutBinaryNoise(quantity, uom);
  // in exact decimals (the number as written, its shortest decimal): the line in thousandths of the
  // lot's unit, as the ledger keeps it, is a whole number, or the line is finer than that
  const { digits, exponent } = decimalOf(written);
  const shift = exponent + Math.round(Math.log10(from / to));
  const inUnit = decimalString(digits, shift);
  if (shift + STORED_DECIMALS < 0 && digits % 10n ** BigInt(-(shift + STORED_DECIMALS)) !== 0n) {
    const finest = `${decimalString(1n, Math.round(Math.log10(to / from)) - STORED_DECIMALS)} ${uom}`;
    return {
      ok: false,
      field: 'quantity',
      detail: `${written} ${uom} is ${inUnit} ${code}, and the ledger keeps ${STORED_DECIMALS} decimals of ${code}: name a whole multiple of ${finest}`,
      fieldDetail: `not a whole multiple of ${finest} (0.001 ${code})`,
    };
  }
  // an exact decimal of at most three places: the double nearest it
  const converted = Number(inUnit);
  if (converted > MAX_QUANTITY) {
    return {
      ok: false,
      field: 'quantity',
      detail: `${written} ${uom} is ${converted} ${code}, more than the ${MAX_QUANTITY} ${code} the ledger stores`,
      fieldDetail: `more than ${MAX_QUANTITY} ${code}`,
    };
  }
  return { ok: true, quantity: converted };
}

/** A finite number as its shortest decimal, exactly: digits × 10^exponent (1.5e-7 is 15 × 10^-8, 0.001 1 × 10^-3). */
function decimalOf(value: number): { digits: bigint; exponent: number } {
  const [mantissa, power = '0'] = String(value).split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  return { digits: BigInt(whole + fraction), exponent: Number(power) - fraction.length };
}

/** digits × 10^exponent written as a plain decimal, without trailing zeros (15, -8 → 0.00000015). */
function decimalString(digits: bigint, exponent: number): string {
  if (exponent >= 0) return (digits * 10n ** BigInt(exponent)).toString();
  const sign = digits < 0n ? '-' : '';
  const written = (digits < 0n ? -digits : digits).toString().padStart(1 - exponent, '0');
  const point = written.length + exponent;
  const fraction = written.slice(point).replace(/0+$/, '');
  return `${sign}${written.slice(0, point)}${fraction ? `.${fraction}` : ''}`;
}
