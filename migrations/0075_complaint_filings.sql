-- which complaints have a filing entry (complaint.file), and when the first filing was logged: verification
-- reads a complaint filed since then with none as slipped in behind the log's back
CREATE INDEX "audit_entries_complaint_file_idx" ON "audit_entries" USING btree ("subject_id","recorded_at") WHERE "audit_entries"."kind" = 'complaint.file';