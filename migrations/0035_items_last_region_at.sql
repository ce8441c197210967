ALTER TABLE "items" ADD COLUMN "last_region_at" timestamp with time zone;--> statement-breakpoint
-- Until now only the time of an item's latest scan was kept, with the region of the latest scan
-- that had one. The scans log tells when a scan in that region last was; where it does not, the
-- latest scan's time is the best known.
UPDATE "items" i SET "last_region_at" = coalesce(
  (SELECT max(s."scanned_at") FROM "scans" s WHERE s."item_code" = i."code" AND s."region" = i."last_region"),
  i."last_scanned_at"
)
WHERE i."last_region" IS NOT NULL;
