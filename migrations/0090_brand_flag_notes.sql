CREATE TABLE "code_flag_brand_notes" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"brand_code" text NOT NULL,
	"note" text NOT NULL,
	"key_id" text NOT NULL,
	"noted_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "code_flag_brand_notes" ADD CONSTRAINT "code_flag_brand_notes_brand_code_brands_code_fk" FOREIGN KEY ("brand_code") REFERENCES "public"."brands"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "code_flag_brand_notes" ADD CONSTRAINT "code_flag_brand_notes_flag_fk" FOREIGN KEY ("code","kind") REFERENCES "public"."code_flags"("code","kind") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "code_flag_brand_notes_flag_idx" ON "code_flag_brand_notes" USING btree ("brand_code","code","noted_at");