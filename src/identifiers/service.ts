import type { Db } from '../db/client.js';
import type { ItemsRepository } from '../items/repository.js';
import type { LotsRepository } from '../lots/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import { type Identifier, parseIdentifier } from './parse.js';

/** What an identifier names: a lot or container, a pack (with its lot), or — a bare GTIN — a product. */
export type Referent =
  | { kind: 'lot' | 'container'; lotCode: string }
  | { kind: 'item'; itemCode: string; lotCode: string }
  | { kind: 'product'; productCode: string; productName: string };

/**
 * The one resolver of identifiers: trace, EPCIS capture and query, and the public resolver all
 * turn what they were given into a lot or pack here. Lookups take the caller's transaction, so a
 * capture sees the lots it created a moment earlier.
 */
export function createIdentifierService(deps: {
  lots: Pick<LotsRepository, 'findByCodes' | 'findBySscc' | 'findByLotNumber' | 'findLotCodeByIdentifier'>;
  products: Pick<ProductsRepository, 'findByGtin'>;
  items: Pick<ItemsRepository, 'findIssued'>;
  publicBaseUrl: string;
}) {
  async function liveLot(code: string, tx?: Db): Promise<Referent | undefined> {
    const [lot] = await deps.lots.findByCodes([code], tx);
    if (!lot || lot.voidedByEventId) return undefined;
    return { kind: lot.kind === 'container' ? 'container' : 'lot', lotCode: lot.code };
  }

  async function item(code: string, tx?: Db): Promise<Extract<Referent, { kind: 'item' }> | undefined> {
    const [issued] = await deps.items.findIssued([code], tx);
    return issued && { kind: 'item', itemCode: issued.code, lotCode: issued.lotCode };
  }

  async function gtin(id: Extract<Identifier, { kind: 'gtin' }>, tx?: Db): Promise<Referent | undefined> {
    const product = await deps.products.findByGtin(id.gtin, tx);
    if (!product) return undefined;
    if (id.serial) {
      // a serialized pack: the serial is one of our item codes, issued for this product (and lot)
      const pack = await item(id.serial.toUpperCase(), tx);
      if (!pack) return undefined;
      const [lot] = await deps.lots.findByCodes([pack.lotCode], tx);
      if (lot?.productCode !== product.code || (id.lot !== undefined && lot.lotNumber !== id.lot)) return undefined;
      return pack;
    }
    if (id.lot !== undefined) {
      const lot = await deps.lots.findByLotNumber(product.partyCode, id.lot, tx);
      return lot && lot.productCode === product.code ? { kind: 'lot', lotCode: lot.code } : undefined;
    }
    return { kind: 'product', productCode: product.code, productName: product.name };
  }

  /** What a parsed identifier names, or undefined when nothing by that identifier is known. */
  async function find(id: Identifier, tx?: Db): Promise<Referent | undefined> {
    switch (id.kind) {
      case 'lot':
      case 'container':
        return liveLot(id.code, tx);
      case 'item':
        return item(id.code, tx);
      case 'sscc': {
        const lot = await deps.lots.findBySscc(id.sscc, tx);
        return lot && { kind: 'container', lotCode: lot.code };
      }
      case 'ear-tag': {
        const lotCode = await deps.lots.findLotCodeByIdentifier('ear_tag', id.earTag, tx);
        return lotCode ? liveLot(lotCode, tx) : undefined;
      }
      case 'party-lot': {
        const lot = await deps.lots.findByLotNumber(id.partyCode, id.lotNumber, tx);
        return lot && { kind: lot.kind === 'container' ? 'container' : 'lot', lotCode: lot.code };
      }
      case 'gtin': {
        // identifiers captured through EPCIS come first: they were stored under exactly this URI
        const captured = await deps.lots.findLotCodeByIdentifier('epc', id.uri, tx);
        return captured ? liveLot(captured, tx) : gtin(id, tx);
      }
      case 'uri': {
        const captured = await deps.lots.findLotCodeByIdentifier('epc', id.uri, tx);
        return captured ? liveLot(captured, tx) : undefined;
      }
    }
  }

  return {
    /** Classifies a raw identifier (400 for a malformed one); see parseIdentifier. */
    parse: (raw: string): Identifier => parseIdentifier(raw, deps.publicBaseUrl),
    find,
    /** Parses and finds in one step. */
    resolve: (raw: string, tx?: Db) => find(parseIdentifier(raw, deps.publicBaseUrl), tx),
  };
}

export type IdentifierService = ReturnType<typeof createIdentifierService>;
