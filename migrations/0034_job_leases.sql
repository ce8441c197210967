ALTER TABLE "code_jobs" ADD COLUMN "claimed_by" text;--> statement-breakpoint
ALTER TABLE "code_jobs" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "epcis_captures" ADD COLUMN "claimed_by" text;--> statement-breakpoint
ALTER TABLE "epcis_captures" ADD COLUMN "lease_until" timestamp with time zone;