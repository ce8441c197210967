DROP INDEX "lineage_edges_up_down_idx";--> statement-breakpoint
DROP INDEX "lineage_edges_down_up_idx";--> statement-breakpoint
CREATE INDEX "lineage_edges_up_down_idx" ON "lineage_edges" USING btree ("upstream_code","downstream_code") WHERE "lineage_edges"."retracted_by_event_id" is null;--> statement-breakpoint
CREATE INDEX "lineage_edges_down_up_idx" ON "lineage_edges" USING btree ("downstream_code","upstream_code") WHERE "lineage_edges"."retracted_by_event_id" is null;