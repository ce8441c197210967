ALTER TABLE "rfid_reads" ADD COLUMN "tag_key" text;--> statement-breakpoint
CREATE INDEX "rfid_reads_tag_key_idx" ON "rfid_reads" USING btree ("tag_key");