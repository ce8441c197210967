-- A packing's container link was marked as making the container (0027) whatever the packing did.
-- Only a packing that creates its container brings it into being: packing into one already there
-- (first seen shipped, say) fills it, and uses it as any packing uses its container (its time on
-- the link, as 0029 marks uses); an AggregationEvent OBSERVE or an AssociationEvent, which capture
-- records as a packing by type but takes as a sighting, neither makes nor uses its parentID. A
-- packing is a native one or an AggregationEvent ADD; it created its container when the container
-- was created by that event. So no container begins at a later packing into it, and the writer
-- reads the beginning and first use of every container as it marks them now.
UPDATE "event_lots" el SET "makes" = false,
  "used_at" = CASE WHEN NOT (e.payload ? 'epcis')
    OR (e.payload->'epcis'->>'type' = 'AggregationEvent' AND e.payload->'epcis'->>'action' = 'ADD') THEN e.event_time END
FROM "events" e, "lots" l
WHERE e.id = el.event_id AND l.code = el.lot_code AND e.type = 'aggregate' AND el.role = 'parent' AND el.makes
  AND NOT (l.created_by_event_id = e.id AND (NOT (e.payload ? 'epcis')
    OR (e.payload->'epcis'->>'type' = 'AggregationEvent' AND e.payload->'epcis'->>'action' = 'ADD')));
