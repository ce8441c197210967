CREATE TABLE "registration_documents" (
	"id" text PRIMARY KEY NOT NULL,
	"registration_id" text NOT NULL,
	"name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"content" "bytea" NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registrations" (
	"id" text PRIMARY KEY NOT NULL,
	"ticket_hash" text NOT NULL,
	"status" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"uscc" text NOT NULL,
	"region_code" text NOT NULL,
	"address" text NOT NULL,
	"contact" jsonb NOT NULL,
	"licences" jsonb NOT NULL,
	"certifications" jsonb NOT NULL,
	"ip_hash" text NOT NULL,
	"document_count" integer DEFAULT 0 NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text,
	"reason" text,
	"party_code" text,
	"key_issued_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "registration_documents" ADD CONSTRAINT "registration_documents_registration_id_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "registration_documents_registration_idx" ON "registration_documents" USING btree ("registration_id");--> statement-breakpoint
CREATE INDEX "registrations_status_idx" ON "registrations" USING btree ("status","submitted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_pending_uscc_key" ON "registrations" USING btree ("uscc") WHERE "registrations"."status" = 'pending';