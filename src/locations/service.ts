import { type Principal, requireMasterDataWriter } from '../access/index.js';
import { newLocationCode } from '../codes/service-codes.js';
import { conflict, notFound } from '../errors/problem.js';
import type { LocationRow, LocationsRepository } from './repository.js';
import type { CreateLocationInput, Location } from './schemas.js';

const toLocation = (row: LocationRow): Location => ({ ...row, kind: row.kind as Location['kind'] });

export function createLocationService(deps: {
  locations: Pick<LocationsRepository, 'insert' | 'findByCode' | 'findByGln' | 'listByParty'>;
  partyExists: (code: string) => Promise<boolean>;
}) {
  return {
    async register(principal: Principal, input: CreateLocationInput): Promise<Location> {
      requireMasterDataWriter(principal, input.partyCode);
      if (!(await deps.partyExists(input.partyCode))) throw notFound(`no party ${input.partyCode}`);
      if (input.gln && (await deps.locations.findByGln(input.gln))) {
        throw conflict(`GLN ${input.gln} is already registered`, [{ in: 'body', pointer: '/gln', detail: 'already registered' }]);
      }
      return toLocation(await deps.locations.insert({ code: newLocationCode(), ...input }));
    },
    async get(code: string): Promise<Location> {
      const row = await deps.locations.findByCode(code);
      if (!row) throw notFound(`no location ${code}`);
      return toLocation(row);
    },
    async listByParty(partyCode: string): Promise<Location[]> {
      return (await deps.locations.listByParty(partyCode)).map(toLocation);
    },
  };
}

export type LocationService = ReturnType<typeof createLocationService>;
