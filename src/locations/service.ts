import { canSeePrivateDetails, type Principal, privateScope, requireMasterDataWriter } from '../access/index.js';
import { newLocationCode } from '../codes/service-codes.js';
import { violatedUniqueConstraint } from '../db/errors.js';
import { bodyField, conflict, notFound } from '../errors/problem.js';
import type { PartiesRepository } from '../parties/repository.js';
import type { LocationRow, LocationsRepository } from './repository.js';
import type { CreateLocationInput, Location } from './schemas.js';

const toLocation = (row: LocationRow): Location => ({ ...row, kind: row.kind as Location['kind'], details: 'full' });

export function createLocationService(deps: {
  locations: Pick<LocationsRepository, 'insert' | 'findByCode' | 'findByGln' | 'listByParty'>;
  partyExists: (code: string) => Promise<boolean>;
  parties: Pick<PartiesRepository, 'glnOwners'>;
  tradingPartners: (partyCode: string) => Promise<Set<string>>;
}) {
  /** Sites are a directory shipments are addressed to; their address and position only to whom the party trades with. */
  async function viewFor(principal: Principal): Promise<(row: LocationRow) => Location> {
    const scope = privateScope(principal);
    const partners = scope === null ? new Set<string>() : await deps.tradingPartners(scope);
    return (row) =>
      canSeePrivateDetails(principal, row.partyCode, partners)
        ? toLocation(row)
        : { ...toLocation(row), address: null, latitude: null, longitude: null, details: 'public' };
  }

  /**
   * A GLN under a company prefix another party registered, or another party's own GLN, is that
   * party's: a site of this party named by it would be taken for that party's (as a GTIN is, see products).
   */
  async function requireGlnOfParty(partyCode: string, gln: string): Promise<void> {
    const other = (await deps.parties.glnOwners(gln)).find((row) => row.code !== partyCode);
    if (!other) return;
    const how =
      other.gln === gln
        ? `is the GLN of party ${other.code}`
        : `is under GS1 company prefix ${other.prefix}, registered to party ${other.code}`;
    throw conflict(`GLN ${gln} ${how}`, [{ in: 'body', pointer: '/gln', detail: `a GLN of party ${other.code}` }]);
  }

  return {
    async register(principal: Principal, input: CreateLocationInput): Promise<Location> {
      requireMasterDataWriter(principal, input.partyCode);
      if (!(await deps.partyExists(input.partyCode)))
        throw notFound(`no party ${input.partyCode}`, [bodyField(['partyCode'], 'no such party')]);
      const glnTaken = () =>
        conflict(`GLN ${input.gln} is already registered`, [{ in: 'body', pointer: '/gln', detail: 'already registered' }]);
      if (input.gln) {
        await requireGlnOfParty(input.partyCode, input.gln);
        if (await deps.locations.findByGln(input.gln)) throw glnTaken();
      }
      const row = await deps.locations.insert({ code: newLocationCode(), ...input }).catch((error) => {
        throw violatedUniqueConstraint(error) === 'locations_gln_key' ? glnTaken() : error;
      });
      return toLocation(row);
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
}

export type LocationService = ReturnType<typeof createLocationService>;
