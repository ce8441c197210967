CREATE TABLE "scan_repeats" (
	"code" text NOT NULL,
	"client_hash" text NOT NULL,
	"counted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "scan_repeats_code_client_hash_pk" PRIMARY KEY("code","client_hash")
);
--> statement-breakpoint
-- each client's last counted scan of each code, from the scans log: the next one counts ten minutes after it
INSERT INTO "scan_repeats" ("code", "client_hash", "counted_at")
SELECT coalesce("item_code", "lot_code"), "client_hash", max("scanned_at") FROM "scans"
WHERE coalesce("item_code", "lot_code") IS NOT NULL AND "client_hash" IS NOT NULL
GROUP BY 1, 2;
