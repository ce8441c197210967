-- Selling, destroying or transforming a container takes what is packed in it along (the writer's
-- Scope.takeContents), as shipping one always did. The writer before that booked the container
-- alone: the lots packed in it stayed on hand with the party, and a sold case's lots were not sold.
-- This restatement books, for each such event still standing, what the writer books now, under the
-- event and marked restated_by '0025_container_contents'; an `events.restate` entry on the audit
-- log's system chain covers these rows, which the events' own entries were hashed without.
--
-- The ledger rows: for each container a live sale, destruction or transformation took out of its
-- party's loose stock, every lot or container packed in it when the event was recorded (by an
-- aggregation recorded no later, not retracted, not ended by an event recorded no later), as much
-- as the party holds packed there, booked out as the event's outflow; a container packed in it is
-- opened in turn. An event that took the contents already (written by the current writer) has its
-- rows, and nothing is left packed to take: it gets none. A container taken by more than one event
-- (it came back to the party) is restated for the first only, so nothing is booked twice.
INSERT INTO "lot_movements" ("event_id", "lot_code", "party_code", "kind", "quantity", "container_code", "restated_by")
WITH RECURSIVE taken AS (
  SELECT DISTINCT ON (m.lot_code, e.party_code) e.id AS event_id, e.party_code, e.record_time, m.kind, m.lot_code
  FROM "events" e
  JOIN "lot_movements" m ON m.event_id = e.id AND m.party_code = e.party_code AND m.container_code IS NULL AND m.quantity < 0
    AND m.kind = CASE e.type WHEN 'transform' THEN 'consume' ELSE e.type END
  JOIN "lots" k ON k.code = m.lot_code AND k.kind = 'container'
  WHERE e.type IN ('sell', 'destroy', 'transform')
    AND NOT EXISTS (SELECT 1 FROM "events" c WHERE c.corrects_event_id = e.id)
  ORDER BY m.lot_code, e.party_code, e.record_time, e.event_time, e.id
),
-- the taken containers (container_code null), then what lay in each container reached
packed (event_id, party_code, record_time, kind, container_code, lot_code, quantity) AS (
  SELECT event_id, party_code, record_time, kind, NULL::text, lot_code, NULL::numeric FROM taken
  UNION
  SELECT p.event_id, p.party_code, p.record_time, p.kind, p.lot_code, edge.upstream_code, b.quantity::numeric
  FROM packed p
  JOIN "lots" container ON container.code = p.lot_code AND container.kind = 'container'
  JOIN "lineage_edges" edge ON edge.downstream_code = p.lot_code AND edge.kind = 'aggregate' AND edge.retracted_by_event_id IS NULL
  JOIN "events" packing ON packing.id = edge.event_id AND packing.record_time <= p.record_time
  JOIN "lot_balances" b ON b.lot_code = edge.upstream_code AND b.party_code = p.party_code AND b.container_code = p.lot_code
    AND b.quantity > 0
  WHERE NOT EXISTS (SELECT 1 FROM "events" ending WHERE ending.id = edge.ended_by_event_id AND ending.record_time <= p.record_time)
    AND NOT EXISTS (SELECT 1 FROM "lot_movements" x
      WHERE x.event_id = p.event_id AND x.lot_code = edge.upstream_code AND x.container_code = p.lot_code)
)
SELECT DISTINCT ON (lot_code, party_code, container_code) event_id, lot_code, party_code, kind, -quantity, container_code,
  '0025_container_contents'
FROM packed WHERE container_code IS NOT NULL
ORDER BY lot_code, party_code, container_code, record_time, event_id;--> statement-breakpoint
-- The links: a native event links each lot it took once, with all it took of it (draft.linkTotals,
-- the transformation's inputs), so the lots packed in the container become subjects (inputs of a
-- transformation) beside it. A lot the event also took loose is linked already and keeps its link.
-- A captured EPCIS event links what its document names, and gets none.
INSERT INTO "event_lots" ("event_id", "lot_code", "role", "quantity", "party_code", "named_as_instance", "evidence", "restated_by")
SELECT e.id, m.lot_code, CASE e.type WHEN 'transform' THEN 'input' ELSE 'subject' END, -sum(m.quantity), e.party_code, NULL,
  e.reference_documents <> '[]'::jsonb, '0025_container_contents'
FROM "lot_movements" m JOIN "events" e ON e.id = m.event_id
WHERE m.restated_by = '0025_container_contents' AND NOT (e.payload ? 'epcis')
GROUP BY e.id, m.lot_code
ON CONFLICT ("event_id", "lot_code", "role") DO NOTHING;--> statement-breakpoint
-- The lineage: each lot or container a transformation took from inside a container becomes an
-- upstream of each of its outputs (not of itself, and not where the output already leads to it),
-- with all the transformation took of it, natively and through EPCIS alike.
INSERT INTO "lineage_edges" ("upstream_code", "downstream_code", "kind", "quantity", "unit", "event_id", "party_code")
SELECT used.lot_code, output.lot_code, 'transform', used.quantity, l.unit, used.event_id, used.party_code
FROM (
  SELECT m.event_id, m.lot_code, m.party_code, -sum(m.quantity) AS quantity
  FROM "lot_movements" m JOIN "events" e ON e.id = m.event_id AND e.type = 'transform'
  WHERE m.restated_by = '0025_container_contents'
  GROUP BY m.event_id, m.lot_code, m.party_code
) used
JOIN "lots" l ON l.code = used.lot_code
JOIN "event_lots" output ON output.event_id = used.event_id AND output.role = 'output' AND output.lot_code <> used.lot_code
WHERE NOT EXISTS (
  WITH RECURSIVE downstream (code) AS (
    SELECT output.lot_code
    UNION
    SELECT edge.downstream_code FROM downstream d
    JOIN "lineage_edges" edge ON edge.upstream_code = d.code AND edge.retracted_by_event_id IS NULL
  )
  SELECT 1 FROM downstream WHERE code = used.lot_code
)
ON CONFLICT DO NOTHING;--> statement-breakpoint
-- The statuses of the lots restated, as the writer derives them from the ledger (nextLotStatus): a
-- lot with nothing left on hand or on the road ended as its last outflow says.
UPDATE "lots" l SET "status" = derived.status
FROM (
  SELECT l.code, CASE
      WHEN held.on_hand > 0 OR road.in_transit > 0 THEN
        CASE WHEN recall.recalled THEN 'recalled' WHEN held.on_hand > 0 THEN 'active' ELSE 'in_transit' END
      WHEN drain.kind = 'consume' THEN 'consumed'
      WHEN drain.kind = 'sell' THEN 'sold'
      WHEN drain.kind = 'destroy' THEN 'destroyed'
      WHEN recall.recalled THEN 'recalled'
      ELSE 'active'
    END AS status
  FROM "lots" l
  CROSS JOIN LATERAL (SELECT coalesce(sum(b.quantity), 0) AS on_hand FROM "lot_balances" b WHERE b.lot_code = l.code) held
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(sl.quantity), 0) AS in_transit FROM "shipment_lines" sl JOIN "shipments" s ON s.id = sl.shipment_id
    WHERE sl.lot_code = l.code AND s.status = 'open' AND sl.received_quantity IS NULL
  ) road
  CROSS JOIN LATERAL (
    SELECT EXISTS (SELECT 1 FROM "event_lots" el JOIN "events" e ON e.id = el.event_id
      WHERE el.lot_code = l.code AND e.disposition = 'recalled'
        AND NOT EXISTS (SELECT 1 FROM "events" c WHERE c.corrects_event_id = e.id)) AS recalled
  ) recall
  LEFT JOIN LATERAL (
    SELECT m.kind FROM "lot_movements" m JOIN "events" e ON e.id = m.event_id
    WHERE m.lot_code = l.code AND m.kind IN ('consume', 'destroy', 'sell') AND m.quantity < 0
      AND NOT EXISTS (SELECT 1 FROM "events" c WHERE c.corrects_event_id = m.event_id)
    ORDER BY e.event_time DESC LIMIT 1
  ) drain ON true
  WHERE l.code IN (SELECT lot_code FROM "lot_movements" WHERE restated_by = '0025_container_contents')
    AND l.voided_by_event_id IS NULL
) derived
WHERE l.code = derived.code AND l.status <> derived.status;--> statement-breakpoint
-- The audit log: one `events.restate` entry on the system chain, subject '0025_container_contents',
-- hashing the rows restated (RFC 8785 canonical JSON, as the audit repository derives it back:
-- movements and links in the order it reads them), once, and only when there are any.
DO $$
DECLARE
  restatement constant text := '0025_container_contents';
  restated_facts text;
  facts_hash text;
  chain_head "audit_heads"%ROWTYPE;
  recorded timestamptz := date_trunc('milliseconds', now());
  new_entry_hash text;
BEGIN
  IF EXISTS (SELECT 1 FROM "audit_entries" WHERE party_code = 'system' AND kind = 'events.restate' AND subject_id = restatement)
    OR NOT (EXISTS (SELECT 1 FROM "lot_movements" WHERE restated_by = restatement)
      OR EXISTS (SELECT 1 FROM "event_lots" WHERE restated_by = restatement)) THEN
    RETURN;
  END IF;
  restated_facts := '{"lots":[' || coalesce((
      SELECT string_agg('{"eventId":' || to_json(l.event_id)::text || ',"lotCode":' || to_json(l.lot_code)::text
          || ',"quantity":' || coalesce(to_json(l.quantity::text)::text, 'null') || ',"role":' || to_json(l.role)::text || '}', ','
        ORDER BY l.event_id COLLATE "C", l.lot_code COLLATE "C", l.role COLLATE "C")
      FROM "event_lots" l WHERE l.restated_by = restatement), '')
    || '],"movements":[' || coalesce((
      SELECT string_agg('{"containerCode":' || coalesce(to_json(m.container_code)::text, 'null') || ',"eventId":' || to_json(m.event_id)::text
          || ',"kind":' || to_json(m.kind)::text || ',"lotCode":' || to_json(m.lot_code)::text
          || ',"partyCode":' || to_json(m.party_code)::text || ',"quantity":' || to_json(m.quantity::text)::text || '}', ','
        ORDER BY m.event_id COLLATE "C", m.lot_code COLLATE "C", m.party_code COLLATE "C", m.container_code COLLATE "C",
          m.kind COLLATE "C", m.quantity)
      FROM "lot_movements" m WHERE m.restated_by = restatement), '')
    || ']}';
  facts_hash := encode(sha256(convert_to(restated_facts, 'UTF8')), 'hex');
  INSERT INTO "audit_heads" (party_code, sequence, entry_hash) VALUES ('system', 0, repeat('0', 64))
    ON CONFLICT (party_code) DO UPDATE SET sequence = "audit_heads".sequence
    RETURNING * INTO chain_head;
  new_entry_hash := encode(sha256(convert_to('{"chain":"system","keyId":null,"kind":"events.restate","payloadHash":"' || facts_hash
    || '","previousHash":"' || chain_head.entry_hash || '","recordedAt":"' || to_char(recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    || '","sequence":' || (chain_head.sequence + 1) || ',"subjectId":' || to_json(restatement)::text || '}', 'UTF8')), 'hex');
  INSERT INTO "audit_entries" (party_code, sequence, kind, subject_id, key_id, payload_hash, previous_hash, entry_hash, recorded_at)
    VALUES ('system', chain_head.sequence + 1, 'events.restate', restatement, NULL, facts_hash, chain_head.entry_hash, new_entry_hash, recorded);
  UPDATE "audit_heads" SET sequence = chain_head.sequence + 1, entry_hash = new_entry_hash WHERE party_code = 'system';
END $$;
