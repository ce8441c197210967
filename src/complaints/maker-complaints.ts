// A maker's reading of the consumers' complaints about the packs, lots and cases it made, redacted
// (src/complaints/redacted.ts): to check its lot, and to be ready when the regulators call.
import { complaintsMaker, type Principal } from '../access/index.js';
import { redactedComplaint } from './redacted.js';
import type { ComplaintsRepository } from './repository.js';
import type { ComplaintStatus } from './schemas.js';

export function createMakerComplaintService(deps: { complaints: Pick<ComplaintsRepository, 'ofMaker'> }) {
  return {
    /** Complaints naming the key's party as the maker of what they are about, the newest first. */
    async list(principal: Principal, filter: { status?: ComplaintStatus; limit: number; offset: number }) {
      const partyCode = complaintsMaker(principal);
      return (await deps.complaints.ofMaker({ ...filter, partyCode })).map(redactedComplaint);
    },
  };
}

export type MakerComplaintService = ReturnType<typeof createMakerComplaintService>;
