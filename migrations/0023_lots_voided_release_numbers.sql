-- A lot a correction voided no longer holds its lot number or SSCC: the lot recorded in its place
-- takes them. The writer looks only at live lots for them, so a new lot with the number of a voided
-- one passed its checks and failed on these indexes.
DROP INDEX "lots_party_lot_number_key";--> statement-breakpoint
DROP INDEX "lots_sscc_key";--> statement-breakpoint
CREATE UNIQUE INDEX "lots_party_lot_number_key" ON "lots" USING btree ("party_code","lot_number") WHERE "lots"."lot_number" is not null and "lots"."voided_by_event_id" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "lots_sscc_key" ON "lots" USING btree ("sscc") WHERE "lots"."sscc" is not null and "lots"."voided_by_event_id" is null;