import { type Principal, requireMasterDataWriter } from '../access/index.js';
import { type AuditRecorder, chainOf } from '../audit/service.js';
import { toGtin14 } from '../codes/gs1.js';
import { newProductCode } from '../codes/service-codes.js';
import type { Db, Transact } from '../db/client.js';
import { violatedUniqueConstraint } from '../db/errors.js';
import { type Answered, type IdempotentRequest, once, written } from '../db/idempotency.js';
import { badRequest, bodyField, conflict, notFound } from '../errors/problem.js';
import { restrictedGtinProblem } from '../gs1/trade-gtin.js';
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
  /** Records the registration on the chain of the key that made it (an admin's: `system`), in its transaction. */
  audit: AuditRecorder;
  /** The clock keys are dated by (unset: the system's). */
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  /**
   * A GTIN under a company prefix registered to another party is that party's; a party that
   * registered a company prefix registers only GTINs under it (one without any, any GTIN no party owns).
   */
  async function requireGtinOfParty(partyCode: string, gtin14: string, tx: Db): Promise<string | undefined> {
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
    return carried?.prefix;
  }

  /**
   * A GTIN another party holds: when it is under this party's own prefix, that party registered it
   * before the prefix was this party's (the checks refuse it since), and the regulator's conflicts
   * list shows it, so the prefix owner learns why it cannot register its own GTIN and where it is settled.
   */
  function gtinTaken(gtin14: string, partyCode: string, holder: string | undefined, ownPrefix: string | undefined) {
    if (holder && holder !== partyCode && ownPrefix) {
      return conflict(
        `GTIN ${gtin14} is under GS1 company prefix ${ownPrefix} of party ${partyCode}, but party ${holder} registered it first; it is listed at GET /regulator/company-prefix-conflicts for a regulator to settle`,
        [{ in: 'body', pointer: '/gtin', detail: `registered by party ${holder}, under the company prefix of party ${partyCode}` }],
      );
    }
    const by = holder ? ` by party ${holder}` : '';
    return conflict(`GTIN ${gtin14} is already registered${by}`, [{ in: 'body', pointer: '/gtin', detail: `already registered${by}` }]);
  }

  const service = {
    /**
     * Registers a product under a new code. Under a key (see src/db/idempotency.ts), once: the key is
     * the party's whose product it is (an admin registering one for a party writes under that party's
     * keys, as a code job for its lot does), claimed first in the registration's transaction; nothing
     * else makes a retry safe, as a product's code is new each time and its GTIN optional (a retry
     * with one would be refused as already registered, its code never learned).
     */
    async registerOnce(
      principal: Principal,
      input: CreateProductInput,
      idempotent: IdempotentRequest<Product> | undefined,
    ): Promise<Answered<Product>> {
      // a restricted circulation number or coupon names no one trade item outside the company or region
      // that issued it: refused first, as the request's schema refuses a malformed GTIN before who asks is looked at
      const restricted = input.gtin ? restrictedGtinProblem(input.gtin) : null;
      if (restricted) throw badRequest(restricted, [bodyField(['gtin'], restricted)]);
      requireMasterDataWriter(principal, input.partyCode);
      if (!(await deps.partyExists(input.partyCode)))
        throw notFound(`no party ${input.partyCode}`, [bodyField(['partyCode'], 'no such party')]);
      const gtin = input.gtin ? toGtin14(input.gtin) : undefined;
      return deps.transaction((tx) =>
        once(tx, idempotent, input.partyCode, now(), async () => {
          let ownPrefix: string | undefined;
          if (gtin) {
            // under the lock of prefix registrations, so a prefix registered alongside sees this GTIN, or this GTIN that prefix
            await deps.parties.lockCompanyPrefixes(tx);
            ownPrefix = await requireGtinOfParty(input.partyCode, gtin, tx);
            const holder = await deps.products.findByGtin(gtin, tx);
            if (holder) throw gtinTaken(gtin, input.partyCode, holder.partyCode, ownPrefix);
          }
          const inserted = await deps.products
            .insert({ code: newProductCode(), ...input, gtin, marks: [...new Set(input.marks ?? [])] }, tx)
            .catch((error) => {
              // a registration alongside took it first: its party is not known here
              if (violatedUniqueConstraint(error) === 'products_gtin_key')
                throw gtinTaken(gtin as string, input.partyCode, undefined, ownPrefix);
              throw error;
            });
          await deps.audit.record(tx, {
            chain: chainOf(principal),
            kind: 'product.create',
            subjectId: inserted.code,
            keyId: principal.keyId,
          });
          return toProduct(inserted);
        }),
      );
    },
    /** Registers a product (see registerOnce), with no key. */
    async register(principal: Principal, input: CreateProductInput): Promise<Product> {
      return written(await service.registerOnce(principal, input, undefined));
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
  return service;
}

export type ProductService = ReturnType<typeof createProductService>;
