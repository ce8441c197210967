import { canSeePrivateDetails, type Principal, privateScope } from '../access/index.js';
import { newPartyCode, type PartyKind } from '../codes/service-codes.js';
import type { Db } from '../db/client.js';
import { conflict, notFound } from '../errors/problem.js';
import type { PartiesRepository, PartyRow } from './repository.js';
import type { CreatePartyInput, Party } from './schemas.js';

export const toParty = (row: PartyRow): Party => ({
  ...row,
  kind: row.kind as PartyKind,
  licences: row.licences as Record<string, string>,
  details: 'full',
});

export function createPartyService(deps: {
  parties: Pick<PartiesRepository, 'insert' | 'findByCode' | 'findByUscc' | 'list'>;
  tradingPartners: (partyCode: string) => Promise<Set<string>>;
}) {
  /** How parties look to the principal: another party's contacts, licences and address only to those who trade with it. */
  async function viewFor(principal: Principal): Promise<(row: PartyRow) => Party> {
    const scope = privateScope(principal);
    const partners = scope === null ? new Set<string>() : await deps.tradingPartners(scope);
    return (row) =>
      canSeePrivateDetails(principal, row.code, partners)
        ? toParty(row)
        : { ...toParty(row), address: null, contact: {}, licences: {}, details: 'public' };
  }

  return {
    /** Registers a party (inside the caller's transaction when given one). */
    async register(input: CreatePartyInput, tx?: Db): Promise<Party> {
      if (input.uscc) {
        const existing = await deps.parties.findByUscc(input.uscc, tx);
        if (existing) {
          throw conflict(`USCC ${input.uscc} is already registered as party ${existing.code}`, [
            { in: 'body', pointer: '/uscc', detail: 'already registered' },
          ]);
        }
      }
      const row = await deps.parties.insert(
        {
          code: newPartyCode(input.kind, input.regionCode),
          kind: input.kind,
          name: input.name,
          uscc: input.uscc ?? null,
          regionCode: input.regionCode,
          address: input.address ?? null,
          contact: input.contact ?? {},
          licences: input.licences ?? {},
          gln: input.gln ?? null,
          gs1CompanyPrefix: input.gs1CompanyPrefix ?? null,
        },
        tx,
      );
      return toParty(row);
    },

    async get(principal: Principal, code: string): Promise<Party> {
      const row = await deps.parties.findByCode(code);
      if (!row) throw notFound(`no party ${code}`);
      return (await viewFor(principal))(row);
    },

    async list(principal: Principal, filter: Parameters<PartiesRepository['list']>[0]): Promise<Party[]> {
      const view = await viewFor(principal);
      return (await deps.parties.list(filter)).map(view);
    },
  };
}

export type PartyService = ReturnType<typeof createPartyService>;
