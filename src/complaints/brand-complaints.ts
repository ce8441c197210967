// A brand office's reading of the consumers' complaints about its brand's packs, redacted (src/complaints/redacted.ts).
import type { Principal } from '../access/index.js';
import type { BrandsRepository } from '../brands/repository.js';
import { overseenBrand } from '../brands/service.js';
import { redactedComplaint } from './redacted.js';
import type { ComplaintsRepository } from './repository.js';
import type { ComplaintStatus } from './schemas.js';

export function createBrandComplaintService(deps: {
  brands: Pick<BrandsRepository, 'findBrand'>;
  complaints: Pick<ComplaintsRepository, 'ofBrand'>;
}) {
  return {
    /** Complaints about packs of the brand's products, the newest first. */
    async list(principal: Principal, brandCode: string, filter: { status?: ComplaintStatus; limit: number; offset: number }) {
      const brand = await overseenBrand(deps.brands, principal, brandCode);
      return (await deps.complaints.ofBrand({ ...filter, brandCode: brand.code })).map(redactedComplaint);
    },
  };
}

export type BrandComplaintService = ReturnType<typeof createBrandComplaintService>;
