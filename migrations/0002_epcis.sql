CREATE TABLE "epcis_captures" (
	"id" text PRIMARY KEY NOT NULL,
	"party_code" text NOT NULL,
	"status" text NOT NULL,
	"error_behaviour" text NOT NULL,
	"total" integer NOT NULL,
	"captured" integer DEFAULT 0 NOT NULL,
	"duplicates" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"event_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "epcis_type" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "transformation_id" text;--> statement-breakpoint
ALTER TABLE "epcis_captures" ADD CONSTRAINT "epcis_captures_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "epcis_captures_party_idx" ON "epcis_captures" USING btree ("party_code","created_at");--> statement-breakpoint
CREATE INDEX "events_time_idx" ON "events" USING btree ("event_time","id");--> statement-breakpoint
CREATE INDEX "events_transformation_idx" ON "events" USING btree ("transformation_id");--> statement-breakpoint
UPDATE "events" SET "epcis_type" = CASE "type" WHEN 'transform' THEN 'TransformationEvent' WHEN 'aggregate' THEN 'AggregationEvent' WHEN 'disaggregate' THEN 'AggregationEvent' ELSE 'ObjectEvent' END WHERE "epcis_type" IS NULL;
