CREATE SEQUENCE "public"."recall_order" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "recall_report_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"report_id" text NOT NULL,
	"party_code" text NOT NULL
);
--> statement-breakpoint
-- added nullable and without a default, so neither table is rewritten: one UPDATE below fills them,
-- then the default and NOT NULL are set (drizzle runs the pending migrations in one transaction)
ALTER TABLE "recall_reports" ADD COLUMN "order_number" bigint;--> statement-breakpoint
ALTER TABLE "recalls" ADD COLUMN "order_number" bigint;--> statement-breakpoint
-- the events of the reports stored before: each return or destroy a report wrote names its recall
-- (in the payload's recallId, or before that only as its recall_notice reference document) and has
-- the reported lot first; its report line is that recall's line of the same holder, lot and kind
-- stamped nearest to it (older reports were stamped before their events, newer ones with the last),
-- within a minute (a report wrote its events in the request that stamped it); an event declared in
-- error since is no report's
INSERT INTO "recall_report_events" ("event_id", "report_id", "party_code")
SELECT DISTINCT ON (e.id) e.id, rr.id, e.party_code
FROM "events" e JOIN "recall_reports" rr ON rr.party_code = e.party_code
  AND (rr.recall_id = e.payload->>'recallId'
    OR e.reference_documents @> jsonb_build_array(jsonb_build_object('type', 'recall_notice', 'number', rr.recall_id)))
  AND rr.lot_code = e.payload->'lines'->0->>'lotCode'
  AND ((e.type = 'destroy' AND rr.destroyed > 0) OR (e.type = 'ship' AND rr.returned > 0))
  AND rr.reported_at BETWEEN e.record_time - interval '1 minute' AND e.record_time + interval '1 minute'
WHERE e.type IN ('destroy', 'ship')
  AND (e.payload ? 'recallId' OR e.reference_documents @> '[{"type": "recall_notice"}]'::jsonb)
  AND NOT EXISTS (SELECT 1 FROM "events" c WHERE c.corrects_event_id = e.id)
ORDER BY e.id, abs(extract(epoch FROM rr.reported_at - e.record_time)), rr.id;--> statement-breakpoint
-- the recalls and reports stored before, numbered in the order of their times; a recall before a
-- report stamped the same instant, which it counted (by time, a report stamped no earlier than it)
WITH "numbered" AS (
  SELECT kind, id, row_number() OVER (ORDER BY at, kind, id) AS n FROM (
    SELECT 0 AS kind, id, opened_at AS at FROM "recalls" UNION ALL SELECT 1, id, reported_at FROM "recall_reports"
  ) o
), "renumbered_recalls" AS (
  UPDATE "recalls" r SET "order_number" = n.n FROM "numbered" n WHERE n.kind = 0 AND n.id = r.id
)
UPDATE "recall_reports" rr SET "order_number" = n.n FROM "numbered" n WHERE n.kind = 1 AND n.id = rr.id;--> statement-breakpoint
SELECT setval('recall_order', (SELECT count(*) + 1 FROM (SELECT id FROM "recalls" UNION ALL SELECT id FROM "recall_reports") o), false);--> statement-breakpoint
ALTER TABLE "recall_reports" ALTER COLUMN "order_number" SET DEFAULT nextval('recall_order'), ALTER COLUMN "order_number" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "recalls" ALTER COLUMN "order_number" SET DEFAULT nextval('recall_order'), ALTER COLUMN "order_number" SET NOT NULL;--> statement-breakpoint
-- added once the links are filled, so events are not locked against writes while the backfill scans them
ALTER TABLE "recall_report_events" ADD CONSTRAINT "recall_report_events_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recall_report_events" ADD CONSTRAINT "recall_report_events_report_id_recall_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."recall_reports"("id") ON DELETE no action ON UPDATE no action;
