ALTER TABLE "events" ADD COLUMN "corrective_event_ids" text[];--> statement-breakpoint
CREATE INDEX "events_corrective_idx" ON "events" USING gin ("corrective_event_ids") WHERE "events"."corrective_event_ids" is not null;--> statement-breakpoint
-- The corrective events captured declarations named, as the writer now keeps them (canonicalEventId):
-- a urn:uuid in lower case, an ni: URI with its scheme and hash algorithm in lower case, any other
-- as written. Native corrections recorded before named none (their payloads are in the audit log).
UPDATE "events" e SET "corrective_event_ids" = (
  SELECT array_agg(CASE
      WHEN c.id ~* '^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN lower(c.id)
      WHEN c.ni IS NOT NULL THEN 'ni:' || c.ni[1] || lower(c.ni[2]) || ';' || c.ni[3]
      ELSE c.id END ORDER BY c.position)
  FROM (SELECT value AS id, position, regexp_match(value, '^ni:(//[^/]*/)([^;]+);(.*)$', 'i') AS ni
    FROM jsonb_array_elements_text(e."payload"->'correctiveEventIDs') WITH ORDINALITY AS listed(value, position)) c)
WHERE e."corrects_event_id" IS NOT NULL AND jsonb_typeof(e."payload"->'correctiveEventIDs') = 'array'
  AND jsonb_array_length(e."payload"->'correctiveEventIDs') > 0;
