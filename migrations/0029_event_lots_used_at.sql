ALTER TABLE "event_lots" ADD COLUMN "used_at" timestamp with time zone;--> statement-breakpoint
-- the links of events stored before by which they used their lot (what the chronology rule held to
-- the lot's beginning), as the writer marks them: a native event by its rule's roles; a captured
-- EPCIS event by what it amounted to — a sale or destruction (its parentID too), a transformation's
-- inputs, a packing's contents, a shipment only where it opened one, an unpacking only of a container
-- known before it. Makings, sightings, inspections and receipts through EPCIS, holds, releases and
-- recalls use nothing; so does an AggregationEvent OBSERVE or any AssociationEvent, which capture
-- records as a packing or an unpacking by type but takes as a sighting.
UPDATE "event_lots" el SET "used_at" = e.event_time
FROM "events" e WHERE e.id = el.event_id AND NOT el.makes AND CASE
  WHEN NOT (e.payload ? 'epcis') THEN (e.type, el.role) IN (('transform', 'input'), ('aggregate', 'child'), ('disaggregate', 'parent'),
    ('disaggregate', 'child'), ('ship', 'subject'), ('inspect', 'subject'), ('destroy', 'subject'), ('sell', 'subject'))
  WHEN e.type IN ('destroy', 'sell') THEN true
  WHEN e.type = 'transform' THEN el.role = 'input'
  WHEN e.type = 'aggregate' THEN e.payload->'epcis'->>'type' = 'AggregationEvent' AND e.payload->'epcis'->>'action' = 'ADD'
    AND el.role = 'child' AND EXISTS (SELECT 1 FROM "event_lots" p WHERE p.event_id = e.id AND p.role = 'parent')
  WHEN e.type = 'disaggregate' THEN e.payload->'epcis'->>'type' = 'AggregationEvent' AND e.payload->'epcis'->>'action' = 'DELETE'
    AND EXISTS (SELECT 1 FROM "event_lots" p JOIN "lots" l ON l.code = p.lot_code
    WHERE p.event_id = e.id AND p.role = 'parent' AND l.created_by_event_id IS DISTINCT FROM e.id)
  WHEN e.type = 'ship' THEN EXISTS (SELECT 1 FROM "shipments" s WHERE s.ship_event_id = e.id)
  ELSE false
END;--> statement-breakpoint
CREATE INDEX "event_lots_used_idx" ON "event_lots" USING btree ("lot_code","used_at") WHERE "event_lots"."used_at" is not null;
