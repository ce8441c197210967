import { canReadLot, type Principal, tagReferentAudience } from '../access/index.js';
import { badRequest, paramField } from '../errors/problem.js';
import { decodeTag, EpcSyntaxError } from '../gs1/epc-binary.js';
import type { IdentifierService } from '../identifiers/service.js';
import type { LotsRepository } from '../lots/repository.js';
import type { TagCheck } from './schemas.js';

type Deps = {
  identifiers: Pick<IdentifierService, 'parse' | 'find'>;
  lots: Pick<LotsRepository, 'involvedParties'>;
  /** RFID tag bindings: a tag bound to a lot, pack or case names it at the gates, and here. */
  tags: { findEpcBinding(value: string): Promise<{ lotCode: string; itemCode: string | null; unit: 'lot' | 'pack' } | undefined> };
  /** GS1 company prefixes registered by parties: they tell a Digital Link's prefix length. */
  prefixes: () => Promise<string[]>;
};

/** Tag checks: any tag value in all its forms, and what this service knows it as. */
export function createEpcService(deps: Deps) {
  async function prefixLengthLookup(value: string, given: number | undefined) {
    if (given !== undefined || !/^https?:/i.test(value)) return given;
    const prefixes = await deps.prefixes();
    // the longest registered prefix that starts the key
    return (digits: string) =>
      prefixes.filter((prefix) => digits.startsWith(prefix)).sort((a, b) => b.length - a.length)[0]?.length ?? null;
  }

  /**
   * What the tag's EPC is bound to (POST /rfid/tags, a commissioning station), as the gates read
   * it: a binding outranks the GS1 key the tag carries, and is found by that key whichever way the
   * tag is spelled (hex, tag URI, pure-identity URN, Digital Link). Bindings are never public; a party sees one
   * when it may read the lot, as a gate's read names the lot to it.
   */
  async function boundTo(principal: Principal | null, value: string): Promise<TagCheck['knownAs']> {
    if (principal === null) return null;
    const binding = await deps.tags.findEpcBinding(value);
    if (!binding) return null;
    const referent = await deps.identifiers.find(deps.identifiers.parse(binding.itemCode ?? binding.lotCode));
    if (!referent || referent.kind === 'product') return null;
    if (!canReadLot(principal, await deps.lots.involvedParties(referent.lotCode))) return null;
    // a tag bound as one pack of its lot, no item code of which it carries
    if (referent.kind === 'lot' && binding.unit === 'pack') return { kind: 'pack', code: referent.lotCode, lotCode: referent.lotCode };
    return referentOf(referent);
  }

  function referentOf(referent: Exclude<Awaited<ReturnType<Deps['identifiers']['find']>>, undefined>): TagCheck['knownAs'] {
    if (referent.kind === 'product') return null;
    return referent.kind === 'item'
      ? { kind: 'item', code: referent.itemCode, lotCode: referent.lotCode }
      : { kind: referent.kind, code: referent.lotCode };
  }

  async function knownAs(principal: Principal | null, uri: string): Promise<TagCheck['knownAs']> {
    const id = deps.identifiers.parse(uri);
    const referent = await deps.identifiers.find(id);
    if (!referent || referent.kind === 'product') return null;
    // the public resolver answers GS1 Digital Links of GTINs and SSCCs
    const audience = tagReferentAudience(principal, id.kind === 'gtin' || id.kind === 'sscc');
    if (audience === 'nobody') return null;
    if (audience === 'lot-readers' && !canReadLot(principal as Principal, await deps.lots.involvedParties(referent.lotCode))) return null;
    return referentOf(referent);
  }

  return {
    /** Decodes a tag value (400 naming `value` when malformed) and says what it names, as far as the caller may see. */
    async check(principal: Principal | null, value: string, options: { filter?: number; companyPrefixLength?: number }): Promise<TagCheck> {
      let tag: ReturnType<typeof decodeTag>;
      try {
        tag = decodeTag(value, {
          filter: options.filter,
          companyPrefixLength: await prefixLengthLookup(value, options.companyPrefixLength),
        });
      } catch (error) {
        if (!(error instanceof EpcSyntaxError)) throw error;
        throw badRequest(error.message, [paramField('value', error.message)]);
      }
      const bound = await boundTo(principal, value);
      return {
        value,
        ...tag,
        knownAs:
          bound ?? (await knownAs(principal, tag.kind === 'gs1' ? tag.digitalLink : tag.kind === 'gid' ? tag.pureIdentity : tag.rawUri)),
      };
    },
  };
}

export type EpcService = ReturnType<typeof createEpcService>;
