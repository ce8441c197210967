DROP INDEX "rfid_reads_waiting_idx";--> statement-breakpoint
ALTER TABLE "rfid_reads" ADD COLUMN "awaits_shipment_id" text;--> statement-breakpoint
CREATE INDEX "rfid_reads_passed_idx" ON "rfid_reads" USING btree ("tag","party_code") WHERE "rfid_reads"."outcome" in ('received', 'departed', 'unexpected_departure');--> statement-breakpoint
CREATE INDEX "rfid_reads_waiting_idx" ON "rfid_reads" USING btree ("read_point_id","awaits_shipment_id") WHERE "rfid_reads"."outcome" = 'observed' and "rfid_reads"."event_id" is null;