-- which brand changes and complaint notes have an audit entry: verification reads a row with none, recorded
-- where the log covers its authorization or complaint, as tampering
CREATE INDEX "audit_entries_subject_idx" ON "audit_entries" USING btree ("subject_id") WHERE "audit_entries"."kind" in ('brand.authorization', 'complaint.transition');