ALTER TABLE "epcis_subscriptions" ADD COLUMN "failing_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "epcis_subscriptions" ADD COLUMN "stopped_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "epcis_subscriptions" ADD COLUMN "stop_reason" text;