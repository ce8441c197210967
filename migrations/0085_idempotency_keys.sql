CREATE TABLE "idempotency_keys" (
	"party_code" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"answer" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_party_code_key_pk" PRIMARY KEY("party_code","key")
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_party_created_idx" ON "idempotency_keys" USING btree ("party_code","created_at");