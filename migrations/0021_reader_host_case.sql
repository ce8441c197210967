-- Host names are compared without regard to case from here on: readers registered under names
-- that differ only in case would answer to one name, so the upgrade stops and names them.
DO $$
DECLARE clashing text;
BEGIN
  SELECT string_agg(names, '; ') INTO clashing FROM (
    SELECT string_agg(host_name || ' (' || id || ')', ', ' ORDER BY host_name COLLATE "C") AS names
    FROM rfid_readers GROUP BY lower(host_name) HAVING count(*) > 1) groups;
  IF clashing IS NOT NULL THEN
    RAISE EXCEPTION 'RFID readers whose host names differ only in case: %. Host names are now compared without regard to case: give all but one of each a host name of its own (UPDATE rfid_readers SET host_name = ... WHERE id = ...) and start again.', clashing;
  END IF;
END $$;--> statement-breakpoint
DROP INDEX "rfid_readers_host_key";--> statement-breakpoint
CREATE UNIQUE INDEX "rfid_readers_host_key" ON "rfid_readers" USING btree (lower("host_name"));--> statement-breakpoint
-- Antenna names as read points now take them and payloads now give them: without the white space
-- JavaScript's trim() removes. One row per reader and trimmed name (never onto a name already
-- there, never to nothing); any other keeps its name.
UPDATE "rfid_antennas" a SET "antenna" = t.trimmed
FROM (
  SELECT s.reader_id, s.antenna, s.trimmed, row_number() OVER (PARTITION BY s.reader_id, s.trimmed ORDER BY s.antenna COLLATE "C") AS n
  FROM (
    SELECT reader_id, antenna,
      regexp_replace(antenna, '^[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+|[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+$', '', 'g') AS trimmed
    FROM "rfid_antennas") s
  WHERE s.antenna <> s.trimmed AND s.trimmed <> '') t
WHERE a."reader_id" = t.reader_id AND a."antenna" = t.antenna AND t.n = 1
  AND NOT EXISTS (SELECT 1 FROM "rfid_antennas" o WHERE o."reader_id" = t.reader_id AND o."antenna" = t.trimmed);
