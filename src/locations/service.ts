import { canSeePrivateDetails, type Principal, privateScope, requireMasterDataWriter } from '../access/index.js';
import { type AuditRecorder, chainOf } from '../audit/service.js';
import { newLocationCode } from '../codes/service-codes.js';
import type { Transact } from '../db/client.js';
import { violatedUniqueConstraint } from '../db/errors.js';
import { type Answered, type IdempotentRequest, once, written } from '../db/idempotency.js';
import { bodyField, conflict, notFound } from '../errors/problem.js';
import { glnRefusal } from '../parties/gln.js';
import type { PartiesRepository } from '../parties/repository.js';
import type { LocationRow, LocationsRepository } from './repository.js';
import type { CreateLocationInput, Location } from './schemas.js';

const toLocation = (row: LocationRow): Location => ({ ...row, kind: row.kind as Location['kind'], details: 'full' });

export function createLocationService(deps: {
  locations: Pick<LocationsRepository, 'insert' | 'findByCode' | 'findByGln' | 'listByParty'>;
  partyExists: (code: string) => Promise<boolean>;
  parties: Pick<PartiesRepository, 'lockCompanyPrefixes' | 'glnHolders'>;
  transaction: Transact;
  tradingPartners: (partyCode: string) => Promise<Set<string>>;
  /** Records the registration on the chain of the key that made it (an admin's: `system`), in its transaction. */
  audit: AuditRecorder;
  /** The clock keys are dated by (unset: the system's). */
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  /** Sites are a directory shipments are addressed to; their address and position only to whom the party trades with. */
  async function viewFor(principal: Principal): Promise<(row: LocationRow) => Location> {
    const scope = privateScope(principal);
    const partners = scope === null ? new Set<string>() : await deps.tradingPartners(scope);
    return (row) =>
      canSeePrivateDetails(principal, row.partyCode, partners)
        ? toLocation(row)
        : { ...toLocation(row), address: null, latitude: null, longitude: null, details: 'public' };
  }

  const service = {
    /**
     * Registers a location under a new code. Under a key (see src/db/idempotency.ts), once, as a
     * product (see the product service): the key is the party's whose site it is; its GLN is optional.
     */
    async registerOnce(
      principal: Principal,
      input: CreateLocationInput,
      idempotent: IdempotentRequest<Location> | undefined,
    ): Promise<Answered<Location>> {
      requireMasterDataWriter(principal, input.partyCode);
      if (!(await deps.partyExists(input.partyCode)))
        throw notFound(`no party ${input.partyCode}`, [bodyField(['partyCode'], 'no such party')]);
      const glnTaken = () =>
        conflict(`GLN ${input.gln} is already registered`, [{ in: 'body', pointer: '/gln', detail: 'already registered' }]);
      return deps.transaction((tx) =>
        once(tx, idempotent, input.partyCode, now(), async () => {
          if (input.gln) {
            // under the lock of prefix registrations, so a prefix registered alongside sees this GLN, or this GLN that prefix
            await deps.parties.lockCompanyPrefixes(tx);
            if (await deps.locations.findByGln(input.gln, tx)) throw glnTaken();
            // a site's GLN is its party's: not another party's (by its prefix or as its own GLN), and from the party's prefix if it has one
            const holders = await deps.parties.glnHolders(input.partyCode, input.gln, tx);
            const ownPrefixes = holders.flatMap((holder) => (holder.code === input.partyCode && holder.prefix ? [holder.prefix] : []));
            const refusal = glnRefusal(input.gln, { code: input.partyCode, ownPrefixes }, holders);
            if (refusal) throw refusal;
          }
          const inserted = await deps.locations.insert({ code: newLocationCode(), ...input }, tx).catch((error) => {
            throw violatedUniqueConstraint(error) === 'locations_gln_key' ? glnTaken() : error;
          });
          await deps.audit.record(tx, {
            chain: chainOf(principal),
            kind: 'location.create',
            subjectId: inserted.code,
            keyId: principal.keyId,
          });
          return toLocation(inserted);
        }),
      );
    },
    /** Registers a location (see registerOnce), with no key. */
    async register(principal: Principal, input: CreateLocationInput): Promise<Location> {
      return written(await service.registerOnce(principal, input, undefined));
    },
    async get(principal: Principal, code: string): Promise<Location> {
      const row = await deps.locations.findByCode(code);
      if (!row) throw notFound(`no location ${code}`);
      return (await viewFor(principal))(row);
    },
    async listByParty(principal: Principal, partyCode: string): Promise<Location[]> {
      const view = await viewFor(principal);
      return (await deps.locations.listByParty(partyCode)).map(view);
    },
  };
  return service;
}

export type LocationService = ReturnType<typeof createLocationService>;
