CREATE TABLE "recall_holders" (
	"recall_id" text NOT NULL,
	"party_code" text NOT NULL,
	"contact" jsonb NOT NULL,
	"acknowledged_at" timestamp with time zone,
	CONSTRAINT "recall_holders_recall_id_party_code_pk" PRIMARY KEY("recall_id","party_code")
);
--> statement-breakpoint
CREATE TABLE "recall_holdings" (
	"recall_id" text NOT NULL,
	"position" integer NOT NULL,
	"party_code" text NOT NULL,
	"lot_code" text NOT NULL,
	"container_code" text,
	"shipment_id" text,
	"quantity" numeric(18, 3) NOT NULL,
	"unit" text NOT NULL,
	CONSTRAINT "recall_holdings_recall_id_position_pk" PRIMARY KEY("recall_id","position")
);
--> statement-breakpoint
CREATE TABLE "recall_lots" (
	"recall_id" text NOT NULL,
	"lot_code" text NOT NULL,
	"party_code" text NOT NULL,
	"depth" integer NOT NULL,
	"item_count" integer NOT NULL,
	CONSTRAINT "recall_lots_recall_id_lot_code_pk" PRIMARY KEY("recall_id","lot_code")
);
--> statement-breakpoint
CREATE TABLE "recall_reports" (
	"id" text PRIMARY KEY NOT NULL,
	"recall_id" text NOT NULL,
	"party_code" text NOT NULL,
	"key_id" text NOT NULL,
	"lot_code" text,
	"returned" numeric(18, 3) NOT NULL,
	"destroyed" numeric(18, 3) NOT NULL,
	"note" text,
	"reported_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recalls" (
	"id" text PRIMARY KEY NOT NULL,
	"party_code" text NOT NULL,
	"opened_by_key_id" text NOT NULL,
	"level" integer NOT NULL,
	"reason" text NOT NULL,
	"hazard" text NOT NULL,
	"root_lot_codes" jsonb NOT NULL,
	"status" text NOT NULL,
	"event_id" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"start_due_at" timestamp with time zone NOT NULL,
	"finish_due_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"closed_by_key_id" text,
	"close_event_id" text,
	"override_reason" text
);
--> statement-breakpoint
ALTER TABLE "lots" ADD COLUMN "hold" jsonb;--> statement-breakpoint
ALTER TABLE "recall_holders" ADD CONSTRAINT "recall_holders_recall_id_recalls_id_fk" FOREIGN KEY ("recall_id") REFERENCES "public"."recalls"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recall_holders" ADD CONSTRAINT "recall_holders_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recall_holdings" ADD CONSTRAINT "recall_holdings_recall_id_recalls_id_fk" FOREIGN KEY ("recall_id") REFERENCES "public"."recalls"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recall_lots" ADD CONSTRAINT "recall_lots_recall_id_recalls_id_fk" FOREIGN KEY ("recall_id") REFERENCES "public"."recalls"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recall_lots" ADD CONSTRAINT "recall_lots_lot_code_lots_code_fk" FOREIGN KEY ("lot_code") REFERENCES "public"."lots"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recall_reports" ADD CONSTRAINT "recall_reports_recall_id_recalls_id_fk" FOREIGN KEY ("recall_id") REFERENCES "public"."recalls"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recalls" ADD CONSTRAINT "recalls_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recalls" ADD CONSTRAINT "recalls_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recall_holdings_party_idx" ON "recall_holdings" USING btree ("recall_id","party_code");--> statement-breakpoint
CREATE INDEX "recall_reports_recall_idx" ON "recall_reports" USING btree ("recall_id","reported_at");--> statement-breakpoint
CREATE INDEX "recalls_status_idx" ON "recalls" USING btree ("status","finish_due_at");--> statement-breakpoint
CREATE INDEX "recalls_party_idx" ON "recalls" USING btree ("party_code","opened_at");