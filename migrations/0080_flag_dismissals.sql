CREATE TABLE "code_flag_dismissals" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"key_id" text NOT NULL,
	"dismissed_at" timestamp with time zone NOT NULL,
	"occurrences" integer NOT NULL,
	CONSTRAINT "code_flag_dismissals_flag_key" UNIQUE("code","kind","id")
);
--> statement-breakpoint
ALTER TABLE "code_flags" ADD COLUMN "dismissal_id" text;--> statement-breakpoint
ALTER TABLE "code_flag_dismissals" ADD CONSTRAINT "code_flag_dismissals_flag_fk" FOREIGN KEY ("code","kind") REFERENCES "public"."code_flags"("code","kind") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "code_flags" ADD CONSTRAINT "code_flags_dismissal_fk" FOREIGN KEY ("code","kind","dismissal_id") REFERENCES "public"."code_flag_dismissals"("code","kind","id") ON DELETE no action ON UPDATE no action;