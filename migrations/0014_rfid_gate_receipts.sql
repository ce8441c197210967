ALTER TABLE "rfid_reads" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rfid_reads" ADD COLUMN "retry_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD COLUMN "receive_event_id" text;--> statement-breakpoint
CREATE INDEX "items_container_idx" ON "items" USING btree ("container_code");