-- What one read of a tag counts at the gates: the whole lot (or container), or one pack of it. A tag
-- bound to an item code was always one pack; the others were bound to their lot or container whole.
ALTER TABLE "rfid_tags" ADD COLUMN "unit" text DEFAULT 'lot' NOT NULL;--> statement-breakpoint
UPDATE "rfid_tags" SET "unit" = 'pack' WHERE "item_code" IS NOT NULL;
