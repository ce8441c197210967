ALTER TABLE "event_lots" ADD COLUMN "makes" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- the links of events stored before: a commission's subject, a transformation's output, a packing's container (makes)
UPDATE "event_lots" el SET "makes" = true
FROM "events" e WHERE e.id = el.event_id
  AND (e.type = 'commission' OR (e.type = 'transform' AND el.role = 'output') OR (e.type = 'aggregate' AND el.role = 'parent'));--> statement-breakpoint
CREATE INDEX "event_lots_makes_idx" ON "event_lots" USING btree ("lot_code") WHERE "event_lots"."makes";
