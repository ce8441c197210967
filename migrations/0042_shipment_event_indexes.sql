CREATE INDEX "shipment_lines_receive_event_idx" ON "shipment_lines" USING btree ("receive_event_id");--> statement-breakpoint
CREATE INDEX "shipments_ship_event_idx" ON "shipments" USING btree ("ship_event_id");--> statement-breakpoint
CREATE INDEX "shipments_receive_event_idx" ON "shipments" USING btree ("receive_event_id");