CREATE TABLE "last_counted_scans" (
	"kind" text NOT NULL,
	"code" text NOT NULL,
	"client_hash" text NOT NULL,
	"counted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "last_counted_scans_kind_code_client_hash_pk" PRIMARY KEY("kind","code","client_hash")
);
--> statement-breakpoint
CREATE INDEX "last_counted_scans_at_idx" ON "last_counted_scans" USING btree ("counted_at");--> statement-breakpoint
-- each row of scan_repeats that can still make a repeat (pruning forgets the rest), with the kind of the scan that
-- took its place: a pack's when the client's scan of that pack at that time is logged, else a lot's or case's own.
-- Moved in one statement: a row an instance of the version before writes meanwhile is either moved or left, not lost.
WITH "moved" AS (DELETE FROM "scan_repeats" RETURNING "code", "client_hash", "counted_at")
INSERT INTO "last_counted_scans" ("kind", "code", "client_hash", "counted_at")
SELECT CASE WHEN EXISTS (SELECT 1 FROM "scans" s WHERE s."item_code" = r."code" AND s."scanned_at" = r."counted_at" AND s."client_hash" = r."client_hash")
            THEN 'item' ELSE 'lot' END,
       r."code", r."client_hash", r."counted_at"
FROM "moved" r
WHERE r."counted_at" > now() - interval '1 hour';
