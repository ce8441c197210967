// A brand office's reading of the consumers' complaints about its brand's packs: what was complained of and how the
// regulator's handling stands, without the consumer's phone number (the regulators' to call back on), the client
// address it came from, or the regulators' working notes.
import type { Principal } from '../access/index.js';
import type { BrandsRepository } from '../brands/repository.js';
import { overseenBrand } from '../brands/service.js';
import type { ComplaintRow, ComplaintsRepository } from './repository.js';
import type { ComplaintOutcome, ComplaintStatus } from './schemas.js';

const brandView = (row: ComplaintRow) => ({
  ticket: row.ticket,
  code: row.itemCode,
  lotCode: row.lotCode,
  partyCode: row.partyCode,
  category: row.category as never,
  text: row.text,
  status: row.status as ComplaintStatus,
  outcome: row.outcome as ComplaintOutcome | null,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export function createBrandComplaintService(deps: {
  brands: Pick<BrandsRepository, 'findBrand'>;
  complaints: Pick<ComplaintsRepository, 'ofBrand'>;
}) {
  return {
    /** Complaints about packs of the brand's products, the newest first. */
    async list(principal: Principal, brandCode: string, filter: { status?: ComplaintStatus; limit: number; offset: number }) {
      const brand = await overseenBrand(deps.brands, principal, brandCode);
      return (await deps.complaints.ofBrand({ ...filter, brandCode: brand.code })).map(brandView);
    },
  };
}

export type BrandComplaintService = ReturnType<typeof createBrandComplaintService>;
