import { type Principal, requireMasterDataWriter } from '../access/index.js';
import { toGtin14 } from '../codes/gs1.js';
import { newProductCode } from '../codes/service-codes.js';
import type { Db, Transact } from '../db/client.js';
import { violatedUniqueConstraint } from '../db/errors.js';
import { bodyField, conflict, notFound } from '../errors/problem.js';
import type { PartiesRepository } from '../parties/repository.js';
import type { ProductRow, ProductsRepository } from './repository.js';
import type { CreateProductInput, Product } from './schemas.js';

export const toProduct = (row: ProductRow): Product => ({
  ...row,
  category: row.category as Product['category'],
  unit: row.unit as Product['unit'],
  marks: row.marks as Product['marks'],
});

export function createProductService(deps: {
  products: Pick<ProductsRepository, 'insert' | 'findByCode' | 'findByGtin' | 'list'>;
  partyExists: (code: string) => Promise<boolean>;
  /** The company prefixes: their lock, and those of the party and of whoever owns the prefix a GTIN-14 carries. */
  parties: Pick<PartiesRepository, 'lockCompanyPrefixes' | 'companyPrefixesFor'>;
  transaction: Transact;
}) {
  /**
   * A GTIN under a company prefix registered to another party is that party's; a party that
   * registered a company prefix registers only GTINs under it (one without any, any GTIN no party owns).
   */
  async function requireGtinOfParty(partyCode: string, gtin14: string, tx: Db): Promise<void> {
    const prefixes = await deps.parties.companyPrefixesFor(partyCode, gtin14, tx);
    const carried = prefixes.find((row) => gtin14.slice(1).startsWith(row.prefix));
    if (carried && carried.code !== partyCode) {
      throw conflict(`GTIN ${gtin14} is under GS1 company prefix ${carried.prefix}, registered to party ${carried.code}`, [
        { in: 'body', pointer: '/gtin', detail: `under the company prefix of party ${carried.code}` },
      ]);
    }
    const own = prefixes.filter((row) => row.code === partyCode).map((row) => row.prefix);
    if (!carried && own.length > 0) {
      throw conflict(`GTIN ${gtin14} is not under the GS1 company prefix of party ${partyCode} (${own.join(', ')})`, [
        { in: 'body', pointer: '/gtin', detail: `not under company prefix ${own.join(', ')}` },
      ]);
    }
  }

  return {
    async register(principal: Principal, input: CreateProductInput): Promise<Product> {
      requireMasterDataWriter(principal, input.partyCode);
      if (!(await deps.partyExists(input.partyCode)))
        throw notFound(`no party ${input.partyCode}`, [bodyField(['partyCode'], 'no such party')]);
      const gtin = input.gtin ? toGtin14(input.gtin) : undefined;
      const gtinTaken = () =>
        conflict(`GTIN ${gtin} is already registered`, [{ in: 'body', pointer: '/gtin', detail: 'already registered' }]);
      const row = await deps.transaction(async (tx) => {
        if (gtin) {
          // under the lock of prefix registrations, so a prefix registered alongside sees this GTIN, or this GTIN that prefix
          await deps.parties.lockCompanyPrefixes(tx);
          await requireGtinOfParty(input.partyCode, gtin, tx);
          if (await deps.products.findByGtin(gtin, tx)) throw gtinTaken();
        }
        return deps.products
          .insert({ code: newProductCode(), ...input, gtin, marks: [...new Set(input.marks ?? [])] }, tx)
          .catch((error) => {
            throw violatedUniqueConstraint(error) === 'products_gtin_key' ? gtinTaken() : error;
          });
      });
      return toProduct(row);
    },
    async get(code: string): Promise<Product> {
      const row = await deps.products.findByCode(code);
      if (!row) throw notFound(`no product ${code}`);
      return toProduct(row);
    },
    async list(partyCode?: string): Promise<Product[]> {
      return (await deps.products.list(partyCode)).map(toProduct);
    },
  };
}

export type ProductService = ReturnType<typeof createProductService>;
