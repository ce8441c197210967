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
CREATE TABLE "epcis_queries" (
	"owner" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"party_code" text,
	"params" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "epcis_queries_owner_name_pk" PRIMARY KEY("owner","name")
);
--> statement-breakpoint
CREATE TABLE "epcis_subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"query_name" text NOT NULL,
	"dest" text NOT NULL,
	"signature_token" text,
	"stream" integer NOT NULL,
	"schedule" jsonb,
	"report_if_empty" integer DEFAULT 0 NOT NULL,
	"cursor" timestamp with time zone NOT NULL,
	"last_slot" text,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "epcis_type" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "transformation_id" text;--> statement-breakpoint
ALTER TABLE "parties" ADD COLUMN "gs1_company_prefix" text;--> statement-breakpoint
ALTER TABLE "epcis_captures" ADD CONSTRAINT "epcis_captures_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "epcis_captures_party_idx" ON "epcis_captures" USING btree ("party_code","created_at");--> statement-breakpoint
CREATE INDEX "epcis_subscriptions_owner_idx" ON "epcis_subscriptions" USING btree ("owner","query_name");--> statement-breakpoint
CREATE INDEX "events_time_idx" ON "events" USING btree ("event_time","id");--> statement-breakpoint
CREATE INDEX "events_transformation_idx" ON "events" USING btree ("transformation_id");--> statement-breakpoint
UPDATE "events" SET "epcis_type" = CASE "type" WHEN 'transform' THEN 'TransformationEvent' WHEN 'aggregate' THEN 'AggregationEvent' WHEN 'disaggregate' THEN 'AggregationEvent' ELSE 'ObjectEvent' END WHERE "epcis_type" IS NULL;
