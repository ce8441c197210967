-- A shipment is received once nothing of it is still on the way; a line of 0 (stored before the
-- writer left such lines out) sent nothing and no receipt takes it. The writer before this rule
-- waited for that line too, so a shipment whose every line with a quantity was booked in stayed
-- open. It is received, at and by the last receipt that took one of its lines.
UPDATE "shipments" s SET "status" = 'received', "receive_event_id" = last."receive_event_id", "received_at" = last."event_time"
FROM (
  SELECT DISTINCT ON (l."shipment_id") l."shipment_id", l."receive_event_id", e."event_time"
  FROM "shipment_lines" l JOIN "events" e ON e."id" = l."receive_event_id"
  WHERE l."received_quantity" IS NOT NULL
  ORDER BY l."shipment_id", e."event_time" DESC, e."id" DESC
) last
WHERE s."id" = last."shipment_id" AND s."status" = 'open'
  AND EXISTS (SELECT 1 FROM "shipment_lines" l WHERE l."shipment_id" = s."id" AND l."quantity" > 0)
  AND NOT EXISTS (SELECT 1 FROM "shipment_lines" l WHERE l."shipment_id" = s."id" AND l."quantity" > 0 AND l."received_quantity" IS NULL);
