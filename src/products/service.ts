import { type Principal, requireMasterDataWriter } from '../access/index.js';
import { toGtin14 } from '../codes/gs1.js';
import { newProductCode } from '../codes/service-codes.js';
import { violatedUniqueConstraint } from '../db/errors.js';
import { bodyField, conflict, notFound } from '../errors/problem.js';
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
}) {
  return {
    async register(principal: Principal, input: CreateProductInput): Promise<Product> {
      requireMasterDataWriter(principal, input.partyCode);
      if (!(await deps.partyExists(input.partyCode)))
        throw notFound(`no party ${input.partyCode}`, [bodyField(['partyCode'], 'no such party')]);
      const gtin = input.gtin ? toGtin14(input.gtin) : undefined;
      const gtinTaken = () =>
        conflict(`GTIN ${gtin} is already registered`, [{ in: 'body', pointer: '/gtin', detail: 'already registered' }]);
      if (gtin && (await deps.products.findByGtin(gtin))) throw gtinTaken();
      const row = await deps.products
        .insert({ code: newProductCode(), ...input, gtin, marks: [...new Set(input.marks ?? [])] })
        .catch((error) => {
          throw violatedUniqueConstraint(error) === 'products_gtin_key' ? gtinTaken() : error;
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
