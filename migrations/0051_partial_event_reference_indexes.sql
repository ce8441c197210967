-- every other event held a null entry in both; every query compares these columns with a value, which implies not null
DROP INDEX "events_corrects_idx";--> statement-breakpoint
DROP INDEX "events_transformation_idx";--> statement-breakpoint
CREATE INDEX "events_corrects_idx" ON "events" USING btree ("corrects_event_id") WHERE "events"."corrects_event_id" is not null;--> statement-breakpoint
CREATE INDEX "events_transformation_idx" ON "events" USING btree ("transformation_id") WHERE "events"."transformation_id" is not null;