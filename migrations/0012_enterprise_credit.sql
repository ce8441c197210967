CREATE TABLE "credit_scores" (
	"party_code" text NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	"period_from" timestamp with time zone NOT NULL,
	"period_to" timestamp with time zone NOT NULL,
	"score" integer NOT NULL,
	"grade" text NOT NULL,
	"factors" jsonb NOT NULL,
	CONSTRAINT "credit_scores_party_code_computed_at_pk" PRIMARY KEY("party_code","computed_at")
);
--> statement-breakpoint
ALTER TABLE "complaints" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "credit_scores" ADD CONSTRAINT "credit_scores_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_scores_computed_idx" ON "credit_scores" USING btree ("computed_at");