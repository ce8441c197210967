-- rfid_reads.batch_id becomes a foreign key to rfid_batches (migration 0101). The service stores a batch
-- and its reads in one statement, but a database restored in part or edited by hand may hold windows
-- whose batch row is missing (0096 folded such windows). No read is dropped: each missing batch gets a
-- row rebuilt from the windows naming it, marked format 'restored': the party and reader of its
-- earliest read; received when the service first had a read of one of its windows, the latest such
-- time (a window the batch opened took the batch's time; one it took over with an earlier read kept an
-- earlier time), else, for windows stored before 0069 without that time, at its windows' latest first
-- read (by the reader's clock: a batch comes after the reads it brings); as many reads as windows whose
-- first read it brought (later reads of them may have come in other batches), and no other events.
INSERT INTO "rfid_batches" ("id", "party_code", "reader_id", "format", "received_at", "reads", "other_events")
SELECT r.batch_id,
  (array_agg(r.party_code ORDER BY r.first_seen, coalesce(r.batch_position, -1), r.read_point_id, r.tag_key))[1],
  (array_agg(r.reader_id ORDER BY r.first_seen, coalesce(r.batch_position, -1), r.read_point_id, r.tag_key))[1],
  'restored', coalesce(max(r.first_received_at), max(r.first_seen)), count(*)::int, 0
FROM "rfid_reads" r
WHERE NOT EXISTS (SELECT 1 FROM "rfid_batches" b WHERE b.id = r.batch_id)
GROUP BY r.batch_id;
