ALTER TABLE "shipment_lines" DROP CONSTRAINT "shipment_lines_shipment_id_lot_code_pk";--> statement-breakpoint
ALTER TABLE "epcis_captures" ADD COLUMN "document" jsonb;--> statement-breakpoint
ALTER TABLE "epcis_captures" ADD COLUMN "processed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "lot_movements" ADD COLUMN "container_code" text;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD COLUMN "container_code" text;--> statement-breakpoint
CREATE INDEX "epcis_captures_status_idx" ON "epcis_captures" USING btree ("status");--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_line_key" UNIQUE NULLS NOT DISTINCT("shipment_id","lot_code","container_code");