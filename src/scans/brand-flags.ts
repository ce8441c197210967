// A brand office's reading of the misuse (冒用) flags raised on scans of its brand's packs: its own brand's
// findings only, with whether a regulator dismissed the flag and why, and the office's own notes on them.
// Regulators keep their own flag list, and the decisions on a flag.
import type { Principal } from '../access/index.js';
import { type AuditRecorder, chainOf } from '../audit/service.js';
import type { BrandsRepository } from '../brands/repository.js';
import { officeBrand, overseenBrand } from '../brands/service.js';
import { brandOfFinding } from '../brands/standing.js';
import { uuidV7 } from '../codes/uuid-v7.js';
import type { Transact } from '../db/client.js';
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

/** A brand office's note on a flag: what it found, and when. */
type Note = { note: string; at: Date };

/**
 * A flag as the brand's office sees it: the findings about its own brand (a pack misusing several brands has a
 * line for each; another brand's are its office's), of a dismissal the regulator's reason and time, and the
 * office's own notes.
 */
const viewOf = (brandCode: string, flag: StoredFlag, notes: Note[]) => ({
  code: flag.code,
  lotCode: flag.lotCode,
  partyCode: flag.partyCode,
  firstAt: flag.firstAt,
  lastAt: flag.lastAt,
  occurrences: flag.occurrences,
  findings: (flag.detail ?? '').split('\n').filter((line) => brandOfFinding(line) === brandCode),
  status: flag.dismissal ? ('dismissed' as const) : ('open' as const),
  dismissal: flag.dismissal && { reason: flag.dismissal.reason, at: flag.dismissal.at },
  notes,
});

export function createBrandFlagService(deps: {
  brands: Pick<BrandsRepository, 'findBrand'>;
  scans: Pick<ScansRepository, 'listFlags' | 'findBrandMisuse' | 'addBrandNote' | 'brandNotes'>;
  transaction: Transact;
  audit: AuditRecorder;
  now: () => Date;
}) {
  /** The flags as the brand's office sees them, each with the office's notes on it. */
  async function withNotes(brandCode: string, rows: StoredFlag[]) {
    const notes = await deps.scans.brandNotes(
      brandCode,
      rows.map((row) => row.code),
    );
    return rows.map((row) =>
      viewOf(
        brandCode,
        row,
        notes.filter((note) => note.code === row.code).map(({ note, at }) => ({ note, at })),
      ),
    );
  }

  return {
    /** The brand's misuse flags, open ones unless asked otherwise, of one member (the pack's maker) if named; the latest first. */
    async list(
      principal: Principal,
      brandCode: string,
      filter: { status?: FlagStatus; partyCode?: string; limit: number; offset: number },
    ) {
      const brand = await overseenBrand(deps.brands, principal, brandCode);
      return withNotes(brand.code, await deps.scans.listFlags({ ...filter, kind: 'brand_misuse', brandCode: brand.code }));
    },

    /** One misuse flag on a pack; a code with none naming this brand is a 404, whatever other brand's flag it has. */
    async get(principal: Principal, brandCode: string, code: string) {
      const brand = await overseenBrand(deps.brands, principal, brandCode);
      const row = await deps.scans.findBrandMisuse(brand.code, code);
      if (!row) throw notFound(`no brand_misuse flag of brand ${brand.code} on ${code}`);
      const [flag] = await withNotes(brand.code, [row]);
      return flag;
    },

    /**
     * The brand office's own finding on a misuse flag of its brand, kept beside the flag with its audit entry (on
     * the office party's chain). It decides nothing of the flag: dismissing and reopening stay the regulators'.
     */
    async note(principal: Principal, brandCode: string, code: string, note: string) {
      const brand = await officeBrand(deps.brands, principal, brandCode);
      return deps.transaction(async (tx) => {
        const flag = await deps.scans.findBrandMisuse(brand.code, code, tx);
        if (!flag) throw notFound(`no brand_misuse flag of brand ${brand.code} on ${code}`);
        const at = deps.now();
        const id = uuidV7(at);
        await deps.scans.addBrandNote({ id, code: flag.code, brandCode: brand.code, note, keyId: principal.keyId, at }, tx);
        await deps.audit.record(tx, { chain: chainOf(principal), kind: 'flag.brand-note', subjectId: id, keyId: principal.keyId });
        return { note, at };
      });
    },
  };
}

export type BrandFlagService = ReturnType<typeof createBrandFlagService>;
