// A brand office's reading of the misuse (冒用) flags raised on scans of its brand's packs: its own brand's
// findings only, with whether a regulator dismissed the flag and why. Regulators keep their own flag list.
import type { Principal } from '../access/index.js';
import type { BrandsRepository } from '../brands/repository.js';
import { overseenBrand } from '../brands/service.js';
import { brandOfFinding } from '../brands/standing.js';
import { notFound } from '../errors/problem.js';
import type { FlagStatus } from './flags.js';
import type { FlagDismissal, ScansRepository } from './repository.js';

type StoredFlag = {
  code: string;
  lotCode: string | null;
  partyCode: string | null;
  firstAt: Date;
  lastAt: Date;
  occurrences: number;
  detail: string | null;
  dismissal: FlagDismissal | null;
};

/**
 * A flag as the brand's office sees it: the findings about its own brand (a pack misusing several brands has a
 * line for each; another brand's are its office's), and of a dismissal the regulator's reason and time.
 */
const viewOf = (brandCode: string, flag: StoredFlag) => ({
  code: flag.code,
  lotCode: flag.lotCode,
  partyCode: flag.partyCode,
  firstAt: flag.firstAt,
  lastAt: flag.lastAt,
  occurrences: flag.occurrences,
  findings: (flag.detail ?? '').split('\n').filter((line) => brandOfFinding(line) === brandCode),
  status: flag.dismissal ? ('dismissed' as const) : ('open' as const),
  dismissal: flag.dismissal && { reason: flag.dismissal.reason, at: flag.dismissal.at },
});

export function createBrandFlagService(deps: {
  brands: Pick<BrandsRepository, 'findBrand'>;
  scans: Pick<ScansRepository, 'listBrandMisuse' | 'findBrandMisuse'>;
}) {
  return {
    /** The brand's misuse flags, open ones unless asked otherwise, of one member (the pack's maker) if named; the latest first. */
    async list(
      principal: Principal,
      brandCode: string,
      filter: { status?: FlagStatus; partyCode?: string; limit: number; offset: number },
    ) {
      const brand = await overseenBrand(deps.brands, principal, brandCode);
      const rows = await deps.scans.listBrandMisuse({ ...filter, brandCode: brand.code });
      return rows.map((row) => viewOf(brand.code, row));
    },

    /** One misuse flag on a pack; a code with none naming this brand is a 404, whatever other brand's flag it has. */
    async get(principal: Principal, brandCode: string, code: string) {
      const brand = await overseenBrand(deps.brands, principal, brandCode);
      const row = await deps.scans.findBrandMisuse(brand.code, code);
      if (!row) throw notFound(`no brand_misuse flag of brand ${brand.code} on ${code}`);
      return viewOf(brand.code, row);
    },
  };
}

export type BrandFlagService = ReturnType<typeof createBrandFlagService>;
