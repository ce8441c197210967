DROP INDEX "lots_party_idx";--> statement-breakpoint
DROP INDEX "events_party_time_idx";--> statement-breakpoint
CREATE INDEX "lots_party_created_idx" ON "lots" USING btree ("party_code","created_at","code");--> statement-breakpoint
CREATE INDEX "lots_created_idx" ON "lots" USING btree ("created_at","code");--> statement-breakpoint
CREATE INDEX "shipments_shipped_idx" ON "shipments" USING btree ("shipped_at","id");--> statement-breakpoint
CREATE INDEX "events_party_time_idx" ON "events" USING btree ("party_code","event_time","id");