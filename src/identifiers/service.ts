import type { Db } from '../db/client.js';
import type { ItemsRepository } from '../items/repository.js';
import type { LotRow, LotsRepository } from '../lots/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import { type FieldOf, type Identifier, parseIdentifier } from './parse.js';

/** What an identifier names: a lot or container, a pack (with its lot), or — a bare GTIN — a product. */
type Referent =
  | { kind: 'lot' | 'container'; lotCode: string }
  | { kind: 'item'; itemCode: string; lotCode: string }
  | { kind: 'product'; productCode: string; productName: string; partyCode: string };

type Deps = {
  lots: Pick<LotsRepository, 'findByCodes' | 'findBySsccs' | 'findByLotNumbers' | 'findLotCodesByIdentifiers'>;
  products: Pick<ProductsRepository, 'findByGtins'>;
  items: Pick<ItemsRepository, 'findIssued'>;
  publicBaseUrl: string;
};

const distinct = <T>(values: T[]) => [...new Set(values)];
const lotNumberKey = (partyCode: string, lotNumber: string) => `${partyCode}|${lotNumber}`;

/**
 * The one resolver of identifiers: trace, EPCIS capture and query, and the public resolver turn
 * what they were given into a lot or pack here. Many identifiers are looked up in a constant
 * number of queries (one per kind of key), inside the caller's transaction when one is given, so
 * a capture sees the lots it created a moment earlier.
 */
export function createIdentifierService(deps: Deps) {
  async function findMany(ids: Identifier[], tx?: Db): Promise<(Referent | undefined)[]> {
    const of = <K extends Identifier['kind']>(kind: K) => ids.filter((id): id is Extract<Identifier, { kind: K }> => id.kind === kind);
    const gtins = of('gtin');
    const uris = [...of('uri').map((id) => id.uri), ...gtins.map((id) => id.uri)];
    // one after the other: inside a transaction they share one connection (empty lists cost nothing)
    const captured = await deps.lots.findLotCodesByIdentifiers('epc', distinct(uris), tx);
    const earTags = await deps.lots.findLotCodesByIdentifiers('ear_tag', distinct(of('ear-tag').map((id) => id.earTag)), tx);
    const ssccLots = await deps.lots.findBySsccs(distinct(of('sscc').map((id) => id.sscc)), tx);
    const partyLots = await deps.lots.findByLotNumbers(
      of('party-lot').map(({ partyCode, lotNumber }) => ({ partyCode, lotNumber })),
      tx,
    );
    const products = await deps.products.findByGtins(distinct(gtins.map((id) => id.gtin)), tx);
    // AI (21) is case-sensitive: a serial names a pack only as written, and this service's item codes are upper case
    const issued = await deps.items.findIssued(
      distinct([...of('item').map((id) => id.code), ...gtins.flatMap((id) => id.serial ?? [])]),
      tx,
    );
    const productByGtin = new Map(products.map((product) => [product.gtin as string, product]));
    const itemLots = new Map(issued.map((item) => [item.code, item.lotCode]));
    // a GTIN with a lot number names the product owner's lot of that number
    const gtinLots = await deps.lots.findByLotNumbers(
      gtins.flatMap((id) => {
        const product = productByGtin.get(id.gtin);
        return product && id.lot !== undefined && !id.serial ? [{ partyCode: product.partyCode, lotNumber: id.lot }] : [];
      }),
      tx,
    );
    const lotByNumber = new Map([...partyLots, ...gtinLots].map((lot) => [lotNumberKey(lot.partyCode, lot.lotNumber as string), lot]));
    // every lot code found so far, checked once: voided lots name nothing any more
    const lotCodes = distinct([
      ...of('lot').map((id) => id.code),
      ...of('container').map((id) => id.code),
      ...captured.values(),
      ...earTags.values(),
      ...itemLots.values(),
    ]);
    const lots = new Map<string, LotRow>(
      [...(await deps.lots.findByCodes(lotCodes, tx)), ...ssccLots, ...partyLots, ...gtinLots].map((lot) => [lot.code, lot]),
    );
    const live = (code: string | undefined): Referent | undefined => {
      const lot = code ? lots.get(code) : undefined;
      return lot && !lot.voidedByEventId ? { kind: lot.kind === 'container' ? 'container' : 'lot', lotCode: lot.code } : undefined;
    };
    // a pack of a voided lot names nothing either: the lot, and so the pack, never existed
    const pack = (code: string): Extract<Referent, { kind: 'item' }> | undefined => {
      const lotCode = itemLots.get(code);
      return lotCode && live(lotCode) ? { kind: 'item', itemCode: code, lotCode } : undefined;
    };

    const referentOf = (id: Identifier): Referent | undefined => {
      switch (id.kind) {
        case 'lot':
        case 'container':
          return live(id.code);
        case 'item':
          return pack(id.code);
        case 'sscc':
          return live(ssccLots.find((lot) => lot.sscc === id.sscc)?.code);
        case 'ear-tag':
          return live(earTags.get(id.earTag));
        case 'party-lot':
          return live(lotByNumber.get(lotNumberKey(id.partyCode, id.lotNumber))?.code);
        case 'uri':
          return live(captured.get(id.uri));
        case 'gtin': {
          const product = productByGtin.get(id.gtin);
          // identifiers captured through EPCIS come first: they were stored under exactly this URI;
          // but a lot another party captured under the owner's GTIN (before capture refused that)
          // gives way to the owner's own lot of that number
          const capturedLot = captured.get(id.uri);
          if (capturedLot) {
            const ownLot =
              product && id.lot !== undefined && !id.serial ? lotByNumber.get(lotNumberKey(product.partyCode, id.lot)) : undefined;
            const foreign = product && lots.get(capturedLot)?.partyCode !== product.partyCode;
            if (foreign && ownLot?.productCode === product.code && live(ownLot.code)) return live(ownLot.code);
            return live(capturedLot);
          }
          if (!product) return undefined;
          if (id.serial) {
            // a serialized pack: the serial is one of our item codes, issued for this product (and lot), and under
            // no consumer product variant (22), which no pack's code carries
            const found = pack(id.serial);
            const lot = found && lots.get(found.lotCode);
            const matches = lot?.productCode === product.code && (id.lot === undefined || lot.lotNumber === id.lot) && id.cpv === undefined;
            return matches ? found : undefined;
          }
          if (id.lot !== undefined) {
            const lot = lotByNumber.get(lotNumberKey(product.partyCode, id.lot));
            return lot?.productCode === product.code ? live(lot.code) : undefined;
          }
          return { kind: 'product', productCode: product.code, productName: product.name, partyCode: product.partyCode };
        }
      }
    };
    return ids.map(referentOf);
  }

  return {
    /** Classifies a raw identifier (400 for a malformed one, about the field `fieldOf` names); see parseIdentifier. */
    parse: (raw: string, fieldOf?: FieldOf): Identifier => parseIdentifier(raw, deps.publicBaseUrl, fieldOf),
    findMany,
    find: async (id: Identifier, tx?: Db) => (await findMany([id], tx))[0],
    /** Parses and finds in one step. */
    resolve: async (raw: string, fieldOf?: FieldOf, tx?: Db) =>
      (await findMany([parseIdentifier(raw, deps.publicBaseUrl, fieldOf)], tx))[0],
  };
}

export type IdentifierService = ReturnType<typeof createIdentifierService>;
