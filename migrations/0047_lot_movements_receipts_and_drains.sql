ALTER TABLE "lot_movements" ADD COLUMN "received_at" timestamp with time zone;--> statement-breakpoint
-- the receipts stored before, as the writer marks them: a receive_in that took some of the lot
UPDATE "lot_movements" m SET "received_at" = e.event_time
FROM "events" e WHERE e.id = m.event_id AND m.kind = 'receive_in' AND m.quantity > 0;--> statement-breakpoint
CREATE INDEX "lot_movements_received_idx" ON "lot_movements" USING btree ("lot_code","party_code","received_at") WHERE "lot_movements"."received_at" is not null;--> statement-breakpoint
CREATE INDEX "lot_movements_drain_idx" ON "lot_movements" USING btree ("lot_code") WHERE "lot_movements"."kind" in ('consume', 'destroy', 'sell') and "lot_movements"."quantity" < 0;
