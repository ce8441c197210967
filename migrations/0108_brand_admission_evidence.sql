ALTER TABLE "brand_authorizations" ADD COLUMN "evidence" jsonb;--> statement-breakpoint
ALTER TABLE "brand_authorizations" ADD COLUMN "evidence_note" text;