import { canSeePrivateDetails, type Principal, privateScope, requireRole } from '../access/index.js';
import { type AuditRecorder, chainOf } from '../audit/service.js';
import { isListedRegion } from '../codes/regions.js';
import { newPartyCode, type PartyKind } from '../codes/service-codes.js';
import type { Db, Transact } from '../db/client.js';
import { violatedUniqueConstraint } from '../db/errors.js';
import { conflict, notFound, Problem } from '../errors/problem.js';
import { glnRefusal } from './gln.js';
import type { Page, PartiesRepository, PartyRow } from './repository.js';
import type { CreatePartyInput, Party, PrefixConflicts } from './schemas.js';

export const toParty = (row: PartyRow): Party => ({
  ...row,
  kind: row.kind as PartyKind,
  licences: row.licences as Record<string, string | string[]>,
  details: 'full',
});

const alreadyRegistered = (pointer: string) => ({ in: 'body', pointer, detail: 'already registered' });

/** A region a filter may name: listed in GB/T 2260 or held by a party, as a code or a prefix. */
const REGION_UNKNOWN =
  'must be a region GB/T 2260 lists or a registered party holds, by its code or prefix: 2 (province), 4 (city) or 6 (county) digits';

/**
 * The check every region filter passes past its schema, which checks its form: the region is one
 * GB/T 2260 lists (a code or a prefix of one), or one a registered party's region code starts with
 * (a party keeps the code it registered under after GB/T 2260 retires it: 500234, 开县). Any other
 * (500263 for 500236) is a 400 naming the field, as the schema's are, never a filter matching nothing.
 */
export function createRegionCheck(parties: Pick<PartiesRepository, 'holdsRegion'>) {
  return async (region: string | undefined, field = 'region'): Promise<void> => {
    if (region === undefined || isListedRegion(region) || (await parties.holdsRegion(region))) return;
    throw new Problem(400, 'validation', 'Request validation failed', `querystring /${field}: ${REGION_UNKNOWN}`, [
      { in: 'querystring', pointer: `/${field}`, detail: REGION_UNKNOWN },
    ]);
  };
}
export type RegionCheck = ReturnType<typeof createRegionCheck>;

export function createPartyService(deps: {
  parties: Pick<
    PartiesRepository,
    | 'insert'
    | 'findByCode'
    | 'findByUscc'
    | 'list'
    | 'lockCompanyPrefixes'
    | 'findOverlappingCompanyPrefixes'
    | 'findProductUnderCompanyPrefix'
    | 'findGlnUnderCompanyPrefix'
    | 'glnHolders'
    | 'overlappingCompanyPrefixes'
    | 'gtinsUnderAnotherPartysPrefix'
    | 'glnsUnderAnotherPartysPrefix'
    | 'locationGlnsOfAnotherParty'
    | 'lotsUnderAnotherPartysGtin'
    | 'holdsRegion'
  >;
  tradingPartners: (partyCode: string) => Promise<Set<string>>;
  transaction: Transact;
  audit: AuditRecorder;
}) {
  const knownRegion = createRegionCheck(deps.parties);

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
    /**
     * Registers a party and records it on the audit chain of whoever registered it (inside the
     * caller's transaction when given one).
     */
    async register(input: CreatePartyInput, options: { by?: Principal; tx?: Db } = {}): Promise<Party> {
      const work = async (tx: Db) => {
        if (input.uscc) {
          const existing = await deps.parties.findByUscc(input.uscc, tx);
          if (existing) {
            throw conflict(`USCC ${input.uscc} is already registered as party ${existing.code}`, [alreadyRegistered('/uscc')]);
          }
        }
        // the lock orders registrations of prefixes, GTINs and GLNs running alongside
        if (input.gs1CompanyPrefix || input.gln) await deps.parties.lockCompanyPrefixes(tx);
        if (input.gs1CompanyPrefix) {
          // one party per prefix, and none the start of another's, so a GTIN or SSCC names one party
          // and an EPC URN says where its company prefix ends
          const [overlapping] = await deps.parties.findOverlappingCompanyPrefixes(input.gs1CompanyPrefix, tx);
          if (overlapping) {
            const prefix = overlapping.gs1CompanyPrefix as string;
            const how = prefix === input.gs1CompanyPrefix ? 'is registered to' : `overlaps ${prefix}, registered to`;
            throw conflict(`GS1 company prefix ${input.gs1CompanyPrefix} ${how} party ${overlapping.code}`, [
              { in: 'body', pointer: '/gs1CompanyPrefix', detail: `overlaps the company prefix of party ${overlapping.code}` },
            ]);
          }
          // the party is new, so a GTIN under its prefix is another party's: the prefix would take it from that party
          const covered = await deps.parties.findProductUnderCompanyPrefix(input.gs1CompanyPrefix, tx);
          if (covered) {
            throw conflict(
              `GS1 company prefix ${input.gs1CompanyPrefix} covers GTIN ${covered.gtin}, registered by party ${covered.partyCode}`,
              [{ in: 'body', pointer: '/gs1CompanyPrefix', detail: `covers a GTIN registered by party ${covered.partyCode}` }],
            );
          }
          // so is a GLN under it, another party's own or its site's: the prefix would take that party's GLN
          const coveredGln = await deps.parties.findGlnUnderCompanyPrefix(input.gs1CompanyPrefix, tx);
          if (coveredGln) {
            throw conflict(
              `GS1 company prefix ${input.gs1CompanyPrefix} covers GLN ${coveredGln.gln}, a GLN of party ${coveredGln.partyCode}`,
              [{ in: 'body', pointer: '/gs1CompanyPrefix', detail: `covers a GLN of party ${coveredGln.partyCode}` }],
            );
          }
        }
        if (input.gln) {
          // the party's own GLN is checked as a site's (see locations): the party is new, so every holder is another
          const holders = await deps.parties.glnHolders(null, input.gln, tx);
          const named = holders.find((holder) => holder.locationCode === null && holder.gln === input.gln);
          if (named) throw conflict(`GLN ${input.gln} is already registered as party ${named.code}`, [alreadyRegistered('/gln')]);
          const ownPrefixes = input.gs1CompanyPrefix ? [input.gs1CompanyPrefix] : [];
          const refusal = glnRefusal(input.gln, { code: null, ownPrefixes }, holders);
          if (refusal) throw refusal;
        }
        const row = await deps.parties
          .insert(
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
          )
          .catch((error) => {
            // the unique indexes decide between requests running alongside each other
            const constraint = violatedUniqueConstraint(error);
            if (constraint === 'parties_gln_key') throw conflict(`GLN ${input.gln} is already registered`, [alreadyRegistered('/gln')]);
            if (constraint === 'parties_uscc_key') throw conflict(`USCC ${input.uscc} is already registered`, [alreadyRegistered('/uscc')]);
            throw error;
          });
        const by = options.by ?? null;
        await deps.audit.record(tx, { chain: chainOf(by), kind: 'party.create', subjectId: row.code, keyId: by?.keyId ?? null });
        return toParty(row);
      };
      return options.tx ? work(options.tx) : deps.transaction(work);
    },

    async get(principal: Principal, code: string): Promise<Party> {
      const row = await deps.parties.findByCode(code);
      if (!row) throw notFound(`no party ${code}`);
      return (await viewFor(principal))(row);
    },

    /**
     * What registrations now refuse but a database may hold from before (or from writes around the
     * service): overlapping company prefixes, GTINs and GLNs under another party's prefix, sites
     * named by another party's own GLN, and lots captured under another party's GTIN.
     */
    async prefixConflicts(principal: Principal, page: Page): Promise<PrefixConflicts> {
      requireRole(principal, 'registry.conflicts');
      const [
        overlappingPrefixes,
        gtinsUnderAnotherPartysPrefix,
        glnsUnderAnotherPartysPrefix,
        locationGlnsOfAnotherParty,
        lotsUnderAnotherPartysGtin,
      ] = await Promise.all([
        deps.parties.overlappingCompanyPrefixes(page),
        deps.parties.gtinsUnderAnotherPartysPrefix(page),
        deps.parties.glnsUnderAnotherPartysPrefix(page),
        deps.parties.locationGlnsOfAnotherParty(page),
        deps.parties.lotsUnderAnotherPartysGtin(page),
      ]);
      return {
        overlappingPrefixes,
        gtinsUnderAnotherPartysPrefix,
        glnsUnderAnotherPartysPrefix,
        locationGlnsOfAnotherParty,
        lotsUnderAnotherPartysGtin,
      };
    },

    async list(principal: Principal, filter: Parameters<PartiesRepository['list']>[0]): Promise<Party[]> {
      await knownRegion(filter.regionCode, 'regionCode');
      const view = await viewFor(principal);
      return (await deps.parties.list(filter)).map(view);
    },
  };
}

export type PartyService = ReturnType<typeof createPartyService>;
