// A complaint as those read it who do not handle it — the office of its pack's brand, the maker of its lot: what
// was complained of and how the regulators' handling stands, without the consumer's phone number (the regulators'
// to call back on), the client address it came from, or the regulators' working notes.
import type { ComplaintRow } from './repository.js';
import type { ComplaintOutcome, ComplaintStatus } from './schemas.js';

export const redactedComplaint = (row: ComplaintRow) => ({
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
