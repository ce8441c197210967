CREATE TABLE "audit_entries" (
	"party_code" text NOT NULL,
	"sequence" integer NOT NULL,
	"kind" text NOT NULL,
	"subject_id" text NOT NULL,
	"key_id" text,
	"payload_hash" text NOT NULL,
	"previous_hash" text NOT NULL,
	"entry_hash" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "audit_entries_party_code_sequence_pk" PRIMARY KEY("party_code","sequence")
);
--> statement-breakpoint
CREATE TABLE "audit_heads" (
	"party_code" text PRIMARY KEY NOT NULL,
	"sequence" integer NOT NULL,
	"entry_hash" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_entries_recorded_idx" ON "audit_entries" USING btree ("party_code","recorded_at");