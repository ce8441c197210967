ALTER TABLE "event_lots" ADD COLUMN "restated_by" text;--> statement-breakpoint
ALTER TABLE "lot_movements" ADD COLUMN "restated_by" text;--> statement-breakpoint
CREATE INDEX "event_lots_restated_idx" ON "event_lots" USING btree ("restated_by") WHERE "event_lots"."restated_by" is not null;--> statement-breakpoint
CREATE INDEX "lot_movements_restated_idx" ON "lot_movements" USING btree ("restated_by") WHERE "lot_movements"."restated_by" is not null;