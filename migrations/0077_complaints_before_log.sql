-- the complaints stored before filings were logged, fixed once (see audit/repository complaintsFiledWithoutEntry),
-- and whether the complaint.baseline entry that hashes them is recorded
CREATE TABLE "complaints_before_log" (
	"ticket" text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_entries_complaint_baseline_idx" ON "audit_entries" USING btree ("party_code") WHERE "audit_entries"."kind" = 'complaint.baseline';--> statement-breakpoint
-- the complaints stored before filings were logged, fixed once: those with no filing entry that the rule
-- before this table accepted (stored before the first complaint.file entry was recorded, or none was)
INSERT INTO "complaints_before_log" ("ticket")
  SELECT c."ticket" FROM "complaints" c
  WHERE NOT EXISTS (SELECT 1 FROM "audit_entries" e WHERE e."kind" = 'complaint.file' AND e."subject_id" = c."ticket")
    AND NOT EXISTS (SELECT 1 FROM "audit_entries" e WHERE e."kind" = 'complaint.file' AND e."recorded_at" <= c."created_at");
