CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"role" text NOT NULL,
	"party_code" text,
	"label" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "event_lots" (
	"event_id" text NOT NULL,
	"lot_code" text NOT NULL,
	"role" text NOT NULL,
	"quantity" numeric(18, 3),
	"party_code" text NOT NULL,
	CONSTRAINT "event_lots_event_id_lot_code_role_pk" PRIMARY KEY("event_id","lot_code","role")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"event_time_zone_offset" text NOT NULL,
	"record_time" timestamp with time zone DEFAULT now() NOT NULL,
	"party_code" text NOT NULL,
	"biz_step" text NOT NULL,
	"disposition" text,
	"read_point" text,
	"biz_location" text,
	"reference_documents" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"payload" jsonb NOT NULL,
	"corrects_event_id" text
);
--> statement-breakpoint
CREATE TABLE "lineage_edges" (
	"upstream_code" text NOT NULL,
	"downstream_code" text NOT NULL,
	"kind" text NOT NULL,
	"quantity" numeric(18, 3),
	"unit" text,
	"event_id" text NOT NULL,
	"party_code" text NOT NULL,
	"ended_by_event_id" text,
	"retracted_by_event_id" text,
	CONSTRAINT "lineage_edges_event_id_upstream_code_downstream_code_pk" PRIMARY KEY("event_id","upstream_code","downstream_code")
);
--> statement-breakpoint
CREATE TABLE "locations" (
	"code" text PRIMARY KEY NOT NULL,
	"party_code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"region_code" text NOT NULL,
	"address" text,
	"latitude" double precision,
	"longitude" double precision,
	"gln" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lot_identifiers" (
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"lot_code" text NOT NULL,
	"party_code" text NOT NULL,
	CONSTRAINT "lot_identifiers_kind_value_pk" PRIMARY KEY("kind","value")
);
--> statement-breakpoint
CREATE TABLE "lot_movements" (
	"event_id" text NOT NULL,
	"lot_code" text NOT NULL,
	"party_code" text NOT NULL,
	"kind" text NOT NULL,
	"quantity" numeric(18, 3) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lots" (
	"code" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"party_code" text NOT NULL,
	"product_code" text,
	"lot_number" text,
	"sscc" text,
	"quantity" numeric(18, 3) NOT NULL,
	"unit" text NOT NULL,
	"production_date" date,
	"expiry_date" date,
	"origin_location_code" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"created_by_event_id" text NOT NULL,
	"voided_by_event_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "parties" (
	"code" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"uscc" text,
	"region_code" text NOT NULL,
	"address" text,
	"contact" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"licences" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"gln" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"code" text PRIMARY KEY NOT NULL,
	"party_code" text NOT NULL,
	"name" text NOT NULL,
	"gtin" text,
	"category" text NOT NULL,
	"unit" text NOT NULL,
	"shelf_life_days" integer,
	"marks" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shipment_lines" (
	"shipment_id" text NOT NULL,
	"lot_code" text NOT NULL,
	"quantity" numeric(18, 3) NOT NULL,
	"received_quantity" numeric(18, 3),
	"party_code" text NOT NULL,
	CONSTRAINT "shipment_lines_shipment_id_lot_code_pk" PRIMARY KEY("shipment_id","lot_code")
);
--> statement-breakpoint
CREATE TABLE "shipments" (
	"id" text PRIMARY KEY NOT NULL,
	"ship_event_id" text NOT NULL,
	"from_party_code" text NOT NULL,
	"from_location_code" text,
	"to_party_code" text NOT NULL,
	"to_location_code" text,
	"status" text NOT NULL,
	"shipped_at" timestamp with time zone NOT NULL,
	"receive_event_id" text,
	"received_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_lots" ADD CONSTRAINT "event_lots_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_lots" ADD CONSTRAINT "event_lots_lot_code_lots_code_fk" FOREIGN KEY ("lot_code") REFERENCES "public"."lots"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lineage_edges" ADD CONSTRAINT "lineage_edges_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "locations" ADD CONSTRAINT "locations_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lot_identifiers" ADD CONSTRAINT "lot_identifiers_lot_code_lots_code_fk" FOREIGN KEY ("lot_code") REFERENCES "public"."lots"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lot_movements" ADD CONSTRAINT "lot_movements_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lot_movements" ADD CONSTRAINT "lot_movements_lot_code_lots_code_fk" FOREIGN KEY ("lot_code") REFERENCES "public"."lots"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lots" ADD CONSTRAINT "lots_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lots" ADD CONSTRAINT "lots_product_code_products_code_fk" FOREIGN KEY ("product_code") REFERENCES "public"."products"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lots" ADD CONSTRAINT "lots_origin_location_code_locations_code_fk" FOREIGN KEY ("origin_location_code") REFERENCES "public"."locations"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_shipment_id_shipments_id_fk" FOREIGN KEY ("shipment_id") REFERENCES "public"."shipments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_lot_code_lots_code_fk" FOREIGN KEY ("lot_code") REFERENCES "public"."lots"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_ship_event_id_events_id_fk" FOREIGN KEY ("ship_event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_from_party_code_parties_code_fk" FOREIGN KEY ("from_party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_to_party_code_parties_code_fk" FOREIGN KEY ("to_party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "event_lots_lot_idx" ON "event_lots" USING btree ("lot_code");--> statement-breakpoint
CREATE INDEX "events_party_time_idx" ON "events" USING btree ("party_code","event_time");--> statement-breakpoint
CREATE INDEX "events_corrects_idx" ON "events" USING btree ("corrects_event_id");--> statement-breakpoint
CREATE INDEX "lineage_edges_up_down_idx" ON "lineage_edges" USING btree ("upstream_code","downstream_code");--> statement-breakpoint
CREATE INDEX "lineage_edges_down_up_idx" ON "lineage_edges" USING btree ("downstream_code","upstream_code");--> statement-breakpoint
CREATE INDEX "locations_party_idx" ON "locations" USING btree ("party_code");--> statement-breakpoint
CREATE UNIQUE INDEX "locations_gln_key" ON "locations" USING btree ("gln") WHERE "locations"."gln" is not null;--> statement-breakpoint
CREATE INDEX "lot_identifiers_lot_idx" ON "lot_identifiers" USING btree ("lot_code");--> statement-breakpoint
CREATE INDEX "lot_movements_lot_party_idx" ON "lot_movements" USING btree ("lot_code","party_code");--> statement-breakpoint
CREATE INDEX "lot_movements_event_idx" ON "lot_movements" USING btree ("event_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lots_party_lot_number_key" ON "lots" USING btree ("party_code","lot_number") WHERE "lots"."lot_number" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "lots_sscc_key" ON "lots" USING btree ("sscc") WHERE "lots"."sscc" is not null;--> statement-breakpoint
CREATE INDEX "lots_product_idx" ON "lots" USING btree ("product_code");--> statement-breakpoint
CREATE UNIQUE INDEX "parties_uscc_key" ON "parties" USING btree ("uscc") WHERE "parties"."uscc" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "parties_gln_key" ON "parties" USING btree ("gln") WHERE "parties"."gln" is not null;--> statement-breakpoint
CREATE INDEX "products_party_idx" ON "products" USING btree ("party_code");--> statement-breakpoint
CREATE UNIQUE INDEX "products_gtin_key" ON "products" USING btree ("gtin") WHERE "products"."gtin" is not null;--> statement-breakpoint
CREATE INDEX "shipment_lines_lot_idx" ON "shipment_lines" USING btree ("lot_code");--> statement-breakpoint
CREATE INDEX "shipments_from_idx" ON "shipments" USING btree ("from_party_code","status");--> statement-breakpoint
CREATE INDEX "shipments_to_idx" ON "shipments" USING btree ("to_party_code","status");