ALTER TABLE "rfid_reads" DROP CONSTRAINT "rfid_reads_read_point_id_tag_window_start_pk";--> statement-breakpoint
ALTER TABLE "rfid_reads" ALTER COLUMN "tag_key" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "rfid_reads" ADD CONSTRAINT "rfid_reads_read_point_id_tag_key_window_start_pk" PRIMARY KEY("read_point_id","tag_key","window_start");