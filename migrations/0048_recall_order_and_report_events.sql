CREATE SEQUENCE "public"."recall_order" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "recall_report_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"report_id" text NOT NULL,
	"party_code" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "recall_reports" ADD COLUMN "order_number" bigint DEFAULT nextval('recall_order') NOT NULL;--> statement-breakpoint
ALTER TABLE "recalls" ADD COLUMN "order_number" bigint DEFAULT nextval('recall_order') NOT NULL;--> statement-breakpoint
ALTER TABLE "recall_report_events" ADD CONSTRAINT "recall_report_events_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recall_report_events" ADD CONSTRAINT "recall_report_events_report_id_recall_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."recall_reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- the events of the reports stored before: each return or destroy a report wrote names the recall,
-- its reported lot first; its report line is the first of that holder, recall and lot stamped no
-- earlier than it (a report is stamped with its last event's time)
INSERT INTO "recall_report_events" ("event_id", "report_id", "party_code")
SELECT DISTINCT ON (e.id) e.id, rr.id, e.party_code
FROM "events" e JOIN "recall_reports" rr ON rr.recall_id = e.payload->>'recallId' AND rr.party_code = e.party_code
  AND rr.lot_code = e.payload->'lines'->0->>'lotCode' AND rr.reported_at >= e.record_time
  AND ((e.type = 'destroy' AND rr.destroyed > 0) OR (e.type = 'ship' AND rr.returned > 0))
WHERE e.type IN ('destroy', 'ship') AND e.payload ? 'recallId'
ORDER BY e.id, rr.reported_at, rr.id;--> statement-breakpoint
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
SELECT setval('recall_order', (SELECT count(*) + 1 FROM (SELECT id FROM "recalls" UNION ALL SELECT id FROM "recall_reports") o), false);
