CREATE TABLE "code_flag_reopenings" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"dismissal_id" text NOT NULL,
	"reason" text NOT NULL,
	"key_id" text NOT NULL,
	"reopened_at" timestamp with time zone NOT NULL,
	CONSTRAINT "code_flag_reopenings_dismissal_key" UNIQUE("dismissal_id")
);
--> statement-breakpoint
ALTER TABLE "code_flag_dismissals" ADD COLUMN "evidence_audited" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "code_flag_reopenings" ADD CONSTRAINT "code_flag_reopenings_dismissal_fk" FOREIGN KEY ("code","kind","dismissal_id") REFERENCES "public"."code_flag_dismissals"("code","kind","id") ON DELETE no action ON UPDATE no action;