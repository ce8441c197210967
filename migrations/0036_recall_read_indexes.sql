CREATE INDEX "lot_movements_party_lot_idx" ON "lot_movements" USING btree ("party_code","lot_code");--> statement-breakpoint
CREATE INDEX "lots_party_idx" ON "lots" USING btree ("party_code");--> statement-breakpoint
CREATE INDEX "recall_lots_party_idx" ON "recall_lots" USING btree ("party_code","recall_id");--> statement-breakpoint
CREATE INDEX "recall_lots_lot_idx" ON "recall_lots" USING btree ("lot_code");