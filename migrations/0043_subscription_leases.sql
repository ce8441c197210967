ALTER TABLE "epcis_subscriptions" ADD COLUMN "claimed_by" text;--> statement-breakpoint
ALTER TABLE "epcis_subscriptions" ADD COLUMN "lease_until" timestamp with time zone;