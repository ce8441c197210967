DROP INDEX "locations_gln_key";--> statement-breakpoint
DROP INDEX "parties_gln_key";--> statement-breakpoint
CREATE UNIQUE INDEX "locations_gln_key" ON "locations" USING btree ("gln" text_pattern_ops) WHERE "locations"."gln" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "parties_gln_key" ON "parties" USING btree ("gln" text_pattern_ops) WHERE "parties"."gln" is not null;