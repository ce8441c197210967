// How a native event may name a lot or container: by its code, by an SSCC (bare, `00`-prefixed or as
// a GS1 Digital Link) or as PARTYCODE:LOTNUMBER, as /trace/{code} takes them. No I/O: the one
// resolver of identifiers (src/identifiers/service.ts) finds what they name.
import { normalizeCode, serviceCodeKind } from '../codes/service-codes.js';
import { badRequest, bodyField, type FieldProblem, Problem } from '../errors/problem.js';
import type { Identifier } from '../identifiers/parse.js';

type Path = (string | number)[];
type LotNaming = { lotCode?: unknown; containerCode?: unknown } | null | undefined;

/**
 * The native event `input` with each field that names a lot or container mapped by `map` (its value
 * and its path in the event): lines, inputs, children, parents and lotCodes.
 */
export function mapLotFields<T>(input: T, map: (value: string, path: Path) => string): T {
  const event = input as Record<string, unknown>;
  const one = (value: unknown, path: Path) => (typeof value === 'string' ? map(value, path) : value);
  const each = (name: string, key?: 'lotCode') => {
    const list = event[name];
    if (!Array.isArray(list)) return list;
    return list.map((entry: unknown, index) =>
      key === undefined
        ? one(entry, [name, index])
        : entry && typeof entry === 'object'
          ? { ...entry, [key]: one((entry as LotNaming)?.[key], [name, index, key]) }
          : entry,
    );
  };
  const mapped: Record<string, unknown> = { ...event };
  switch (event.type) {
    case 'transform':
      mapped.inputs = each('inputs', 'lotCode');
      break;
    case 'aggregate': {
      const parent = event.parent as LotNaming;
      if (parent && typeof parent === 'object' && parent.containerCode !== undefined)
        mapped.parent = { ...parent, containerCode: one(parent.containerCode, ['parent', 'containerCode']) };
      mapped.children = each('children', 'lotCode');
      break;
    }
    case 'disaggregate':
      mapped.parentCode = one(event.parentCode, ['parentCode']);
      mapped.children = each('children');
      break;
    case 'ship':
    case 'receive':
    case 'destroy':
    case 'sell':
      mapped.lines = each('lines', 'lotCode');
      break;
    case 'inspect':
    case 'observe':
      mapped.lotCodes = each('lotCodes');
      break;
    default:
      return input;
  }
  return mapped as T;
}

/** Is this (as a request field reads it) a lot or container code, looked up as it is? */
export const isLotCode = (value: string): boolean => {
  const kind = serviceCodeKind(value);
  return kind === 'lot' || kind === 'container';
};

/** What a native event says of a value that names no lot or container in a form it takes. */
export const NOT_A_LOT_NAME = 'not a code of this service: lines take a lot or container code, an SSCC or PARTYCODE:LOTNUMBER';

/**
 * The identifier a native event's lot field names, as `parse` (the resolver's parseIdentifier) reads
 * it: a lot or container code, an SSCC or a party's lot number. An SSCC or PARTYCODE:LOTNUMBER
 * written wrong is refused as parse refuses it (a wrong check digit is a typo); anything else is no
 * name of a lot here (400 at `pointer`).
 */
export function lotIdentifier(
  raw: string,
  parse: (raw: string, fieldOf: (detail: string) => FieldProblem) => Identifier,
  pointer: Path,
): Identifier {
  const notALot = () =>
    badRequest(`${raw}: ${NOT_A_LOT_NAME}`, [bodyField(pointer, 'not a lot or container code, SSCC or PARTYCODE:LOTNUMBER')]);
  let id: Identifier;
  try {
    id = parse(raw, (detail) => bodyField(pointer, detail));
  } catch (error) {
    // an SSCC, a party's lot number or a Digital Link with something wrong in it: say what
    const named = /^\d{18}$/.test(normalizeCode(raw)) || raw.includes(':');
    if (error instanceof Problem && named) throw error;
    if (error instanceof Problem) throw notALot();
    throw error;
  }
  if (id.kind === 'lot' || id.kind === 'container' || id.kind === 'sscc' || id.kind === 'party-lot') return id;
  throw notALot();
}
