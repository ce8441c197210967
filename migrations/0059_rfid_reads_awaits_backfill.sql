-- Packs an entry gate kept waiting before 0058 have no awaits_shipment_id, and a gate counts a
-- waiting pack towards the line of the shipment it waits for only: a line part-way through its
-- packs when 0058 ran would never complete from the door. Each such pack gets the shipment it would
-- have counted towards under the rules before: of the open shipments to the reading party, not yet
-- received, shipped before the service received the read (by the writer's two minutes' tolerance,
-- as receivedSince), the one whose line carries the case the pack is packed in (by its EPC's, else
-- its TID's, binding), else one carrying the pack's lot loose; earliest shipped first. A pack none
-- applies to (its line closed another way) stays without, and counts towards no line.
UPDATE "rfid_reads" r SET "awaits_shipment_id" = (
  SELECT s.id
  FROM "rfid_batches" b
  JOIN "shipments" s ON s.to_party_code = r.party_code AND s.status = 'open' AND s.shipped_at <= b.received_at + interval '2 minutes'
  JOIN "shipment_lines" l ON l.shipment_id = s.id AND l.received_quantity IS NULL AND l.quantity > 0
  LEFT JOIN LATERAL (
    SELECT i.container_code FROM "rfid_tags" t JOIN "items" i ON i.code = t.item_code
    WHERE (t.kind = 'epc' AND t.value = r.tag) OR (t.kind = 'tid' AND t.value = r.tid)
    ORDER BY t.kind LIMIT 1
  ) pack ON true
  WHERE b.id = r.batch_id
    AND (l.lot_code = pack.container_code OR (l.lot_code = r.lot_code AND l.container_code IS NULL))
  ORDER BY l.lot_code IS NOT DISTINCT FROM pack.container_code DESC, s.shipped_at, s.id, l.position
  LIMIT 1
)
WHERE r.outcome = 'observed' AND r.event_id IS NULL AND r.awaits_shipment_id IS NULL AND r.lot_code IS NOT NULL;
