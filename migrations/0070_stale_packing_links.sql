-- A batch that packed more of a lot into a container already holding some and then unpacked it was
-- stored, until the writer ended every packing of the lot there in force, with its own packing ended
-- alone: the stored one stayed in force though the lot had left, and the cold chain counted the
-- container's readings after it was emptied. Each such packing is ended by the first unpacking of the
-- lot from the container recorded after it (a batch's events share its record time, and a batch
-- locks the lots it writes before taking it): the unpacking ended a packing of the pair, so it took
-- out all the lot the container held then. A packing recorded in the unpacking's batch or since is
-- what the lot has been packed by again, and stays in force.
UPDATE "lineage_edges" e SET "ended_by_event_id" = stale.unpacking_id
FROM (
  SELECT DISTINCT ON (open.event_id, open.upstream_code, open.downstream_code)
    open.event_id, open.upstream_code, open.downstream_code, unpacking.id AS unpacking_id
  FROM "lineage_edges" open
  JOIN "events" packing ON packing.id = open.event_id
  JOIN "lineage_edges" ended ON ended.upstream_code = open.upstream_code AND ended.downstream_code = open.downstream_code
    AND ended.kind = 'aggregate' AND ended.retracted_by_event_id IS NULL AND ended.ended_by_event_id IS NOT NULL
  JOIN "events" unpacking ON unpacking.id = ended.ended_by_event_id
  WHERE open.kind = 'aggregate' AND open.ended_by_event_id IS NULL AND open.retracted_by_event_id IS NULL
    AND unpacking.record_time > packing.record_time
  ORDER BY open.event_id, open.upstream_code, open.downstream_code, unpacking.record_time, unpacking.event_time, unpacking.id
) stale
WHERE e.event_id = stale.event_id AND e.upstream_code = stale.upstream_code AND e.downstream_code = stale.downstream_code;
