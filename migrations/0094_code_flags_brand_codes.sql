ALTER TABLE "code_flags" ADD COLUMN "brand_codes" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "code_flags_brand_codes_idx" ON "code_flags" USING gin ("brand_codes");