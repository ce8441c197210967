CREATE TABLE "brand_authorization_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"authorization_id" text NOT NULL,
	"brand_code" text NOT NULL,
	"party_code" text NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"effective_on" date NOT NULL,
	"reason" text NOT NULL,
	"disposal_deadline" date,
	"key_id" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "brand_authorizations" (
	"id" text PRIMARY KEY NOT NULL,
	"brand_code" text NOT NULL,
	"party_code" text NOT NULL,
	"tier" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_until" date,
	"state" text NOT NULL,
	"state_since" date NOT NULL,
	"disposal_deadline" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "brand_products" (
	"brand_code" text NOT NULL,
	"product_code" text NOT NULL,
	"party_code" text NOT NULL,
	CONSTRAINT "brand_products_brand_code_product_code_pk" PRIMARY KEY("brand_code","product_code")
);
--> statement-breakpoint
CREATE TABLE "brands" (
	"code" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"party_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "brand_authorization_changes" ADD CONSTRAINT "brand_authorization_changes_authorization_id_brand_authorizations_id_fk" FOREIGN KEY ("authorization_id") REFERENCES "public"."brand_authorizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "brand_authorizations" ADD CONSTRAINT "brand_authorizations_brand_code_brands_code_fk" FOREIGN KEY ("brand_code") REFERENCES "public"."brands"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "brand_authorizations" ADD CONSTRAINT "brand_authorizations_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "brand_products" ADD CONSTRAINT "brand_products_brand_code_brands_code_fk" FOREIGN KEY ("brand_code") REFERENCES "public"."brands"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "brand_products" ADD CONSTRAINT "brand_products_product_code_products_code_fk" FOREIGN KEY ("product_code") REFERENCES "public"."products"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "brands" ADD CONSTRAINT "brands_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "brand_authorization_changes_idx" ON "brand_authorization_changes" USING btree ("authorization_id","recorded_at");--> statement-breakpoint
CREATE UNIQUE INDEX "brand_authorizations_member_key" ON "brand_authorizations" USING btree ("brand_code","party_code") WHERE "brand_authorizations"."state" <> 'exited';--> statement-breakpoint
CREATE INDEX "brand_authorizations_party_idx" ON "brand_authorizations" USING btree ("party_code");--> statement-breakpoint
CREATE INDEX "brand_products_product_idx" ON "brand_products" USING btree ("product_code");