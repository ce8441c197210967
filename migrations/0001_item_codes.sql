CREATE TABLE "code_flags" (
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"lot_code" text,
	"party_code" text,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	"detail" text,
	CONSTRAINT "code_flags_code_kind_pk" PRIMARY KEY("code","kind")
);
--> statement-breakpoint
CREATE TABLE "code_jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"party_code" text NOT NULL,
	"lot_code" text NOT NULL,
	"total" integer NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "complaints" (
	"ticket" text PRIMARY KEY NOT NULL,
	"item_code" text NOT NULL,
	"lot_code" text,
	"party_code" text,
	"category" text NOT NULL,
	"text" text NOT NULL,
	"phone" text,
	"status" text NOT NULL,
	"notes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"ip_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "items" (
	"code" text PRIMARY KEY NOT NULL,
	"lot_code" text NOT NULL,
	"party_code" text NOT NULL,
	"job_id" text NOT NULL,
	"container_code" text,
	"scan_count" integer DEFAULT 0 NOT NULL,
	"first_scanned_at" timestamp with time zone,
	"last_scanned_at" timestamp with time zone,
	"last_region" text
);
--> statement-breakpoint
CREATE TABLE "scans" (
	"id" text PRIMARY KEY NOT NULL,
	"item_code" text,
	"raw_code" text NOT NULL,
	"lot_code" text,
	"party_code" text,
	"scanned_at" timestamp with time zone DEFAULT now() NOT NULL,
	"region" text,
	"ip_hash" text NOT NULL,
	"user_agent" text
);
--> statement-breakpoint
ALTER TABLE "code_jobs" ADD CONSTRAINT "code_jobs_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "code_jobs" ADD CONSTRAINT "code_jobs_lot_code_lots_code_fk" FOREIGN KEY ("lot_code") REFERENCES "public"."lots"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_lot_code_lots_code_fk" FOREIGN KEY ("lot_code") REFERENCES "public"."lots"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_job_id_code_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."code_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "code_flags_kind_idx" ON "code_flags" USING btree ("kind","last_at");--> statement-breakpoint
CREATE INDEX "code_jobs_party_idx" ON "code_jobs" USING btree ("party_code","created_at");--> statement-breakpoint
CREATE INDEX "complaints_status_idx" ON "complaints" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "complaints_lot_idx" ON "complaints" USING btree ("lot_code");--> statement-breakpoint
CREATE INDEX "items_lot_idx" ON "items" USING btree ("lot_code");--> statement-breakpoint
CREATE INDEX "items_job_idx" ON "items" USING btree ("job_id","code");--> statement-breakpoint
CREATE INDEX "scans_item_idx" ON "scans" USING btree ("item_code","scanned_at");--> statement-breakpoint
CREATE INDEX "scans_lot_idx" ON "scans" USING btree ("lot_code","scanned_at");