CREATE TABLE "rfid_antennas" (
	"reader_id" text NOT NULL,
	"antenna" text NOT NULL,
	"read_point_id" text NOT NULL,
	"party_code" text NOT NULL,
	CONSTRAINT "rfid_antennas_reader_id_antenna_pk" PRIMARY KEY("reader_id","antenna")
);
--> statement-breakpoint
CREATE TABLE "rfid_batches" (
	"id" text PRIMARY KEY NOT NULL,
	"party_code" text NOT NULL,
	"reader_id" text NOT NULL,
	"format" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"reads" integer NOT NULL,
	"other_events" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rfid_read_points" (
	"id" text PRIMARY KEY NOT NULL,
	"party_code" text NOT NULL,
	"location_code" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"window_seconds" integer DEFAULT 30 NOT NULL,
	"bind_to_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rfid_readers" (
	"id" text PRIMARY KEY NOT NULL,
	"party_code" text NOT NULL,
	"host_name" text NOT NULL,
	"serial" text,
	"name" text,
	"api_key_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rfid_reads" (
	"party_code" text NOT NULL,
	"read_point_id" text NOT NULL,
	"tag" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"reader_id" text NOT NULL,
	"antenna" text NOT NULL,
	"tid" text,
	"first_seen" timestamp with time zone NOT NULL,
	"first_seen_raw" text NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"read_count" integer NOT NULL,
	"peak_rssi" double precision,
	"batch_id" text NOT NULL,
	"processed_at" timestamp with time zone,
	"outcome" text,
	"lot_code" text,
	"event_id" text,
	"detail" text,
	CONSTRAINT "rfid_reads_read_point_id_tag_window_start_pk" PRIMARY KEY("read_point_id","tag","window_start")
);
--> statement-breakpoint
CREATE TABLE "rfid_tags" (
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"party_code" text NOT NULL,
	"lot_code" text NOT NULL,
	"item_code" text,
	"source" text NOT NULL,
	"bound_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rfid_tags_kind_value_pk" PRIMARY KEY("kind","value")
);
--> statement-breakpoint
ALTER TABLE "rfid_antennas" ADD CONSTRAINT "rfid_antennas_reader_id_rfid_readers_id_fk" FOREIGN KEY ("reader_id") REFERENCES "public"."rfid_readers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rfid_antennas" ADD CONSTRAINT "rfid_antennas_read_point_id_rfid_read_points_id_fk" FOREIGN KEY ("read_point_id") REFERENCES "public"."rfid_read_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rfid_batches" ADD CONSTRAINT "rfid_batches_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rfid_read_points" ADD CONSTRAINT "rfid_read_points_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rfid_read_points" ADD CONSTRAINT "rfid_read_points_location_code_locations_code_fk" FOREIGN KEY ("location_code") REFERENCES "public"."locations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rfid_readers" ADD CONSTRAINT "rfid_readers_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rfid_readers" ADD CONSTRAINT "rfid_readers_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rfid_tags" ADD CONSTRAINT "rfid_tags_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rfid_tags" ADD CONSTRAINT "rfid_tags_lot_code_lots_code_fk" FOREIGN KEY ("lot_code") REFERENCES "public"."lots"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rfid_batches_reader_idx" ON "rfid_batches" USING btree ("reader_id","received_at");--> statement-breakpoint
CREATE INDEX "rfid_read_points_party_idx" ON "rfid_read_points" USING btree ("party_code");--> statement-breakpoint
CREATE UNIQUE INDEX "rfid_readers_host_key" ON "rfid_readers" USING btree ("host_name");--> statement-breakpoint
CREATE INDEX "rfid_readers_party_idx" ON "rfid_readers" USING btree ("party_code");--> statement-breakpoint
CREATE INDEX "rfid_reads_pending_idx" ON "rfid_reads" USING btree ("window_end") WHERE "rfid_reads"."processed_at" is null;--> statement-breakpoint
CREATE INDEX "rfid_reads_reader_idx" ON "rfid_reads" USING btree ("reader_id","first_seen");--> statement-breakpoint
CREATE INDEX "rfid_reads_party_idx" ON "rfid_reads" USING btree ("party_code","first_seen");--> statement-breakpoint
CREATE INDEX "rfid_reads_tag_idx" ON "rfid_reads" USING btree ("tag");--> statement-breakpoint
CREATE INDEX "rfid_tags_lot_idx" ON "rfid_tags" USING btree ("lot_code");