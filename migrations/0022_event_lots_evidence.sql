ALTER TABLE "event_lots" ADD COLUMN "evidence" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- the links of events stored before: an inspection, or an event with reference documents (isEvidence)
UPDATE "event_lots" el SET "evidence" = true
FROM "events" e WHERE e.id = el.event_id AND (e.type = 'inspect' OR e.reference_documents <> '[]'::jsonb);--> statement-breakpoint
CREATE INDEX "event_lots_evidence_idx" ON "event_lots" USING btree ("lot_code") WHERE "event_lots"."evidence";
