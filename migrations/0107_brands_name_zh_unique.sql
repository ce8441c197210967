ALTER TABLE "brands" ADD COLUMN "name_shared_before" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Brands sharing a Chinese name before it was unique: the first registered (by created_at, then code)
-- keeps the name as its own, each later one is marked and keeps it too (a rename would break the hash of
-- its audit entry); new brands are refused any name a brand has.
UPDATE "brands" SET "name_shared_before" = true FROM (
  SELECT code, row_number() OVER (PARTITION BY name_zh ORDER BY created_at, code) AS n FROM brands
) ranked WHERE ranked.code = "brands".code AND ranked.n > 1;--> statement-breakpoint
CREATE UNIQUE INDEX "brands_name_zh_key" ON "brands" USING btree ("name_zh") WHERE not "brands"."name_shared_before";