ALTER TABLE "code_flag_dismissals" ADD COLUMN "detail" text;--> statement-breakpoint
ALTER TABLE "code_flag_dismissals" ADD COLUMN "evidence" integer;--> statement-breakpoint
ALTER TABLE "code_flags" ADD COLUMN "evidence" integer;--> statement-breakpoint
-- a flag still dismissed was not raised since: its detail (and an over-scan's count in it) is what its dismissal cleared
UPDATE "code_flag_dismissals" d SET "detail" = f."detail",
  "evidence" = CASE WHEN f."kind" = 'over_scanned' THEN substring(f."detail" from 'scanned from (\d+) addresses')::integer END
FROM "code_flags" f WHERE f."dismissal_id" = d."id";
