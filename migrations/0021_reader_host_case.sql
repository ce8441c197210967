-- Host names are compared without regard to case from here on: readers registered under names
-- that differ only in case would answer to one name, so the upgrade stops and names them.
DO $$
DECLARE clashing text;
BEGIN
  SELECT string_agg(names, '; ') INTO clashing FROM (
    SELECT string_agg(host_name || ' (' || id || ')', ', ' ORDER BY host_name) AS names
    FROM rfid_readers GROUP BY lower(host_name) HAVING count(*) > 1) groups;
  IF clashing IS NOT NULL THEN
    RAISE EXCEPTION 'RFID readers whose host names differ only in case: %. Host names are now compared without regard to case: give all but one of each a host name of its own (UPDATE rfid_readers SET host_name = ... WHERE id = ...) and start again.', clashing;
  END IF;
END $$;--> statement-breakpoint
DROP INDEX "rfid_readers_host_key";--> statement-breakpoint
CREATE UNIQUE INDEX "rfid_readers_host_key" ON "rfid_readers" USING btree (lower("host_name"));--> statement-breakpoint
-- antenna names as read points now take them and payloads now give them: without surrounding spaces
UPDATE "rfid_antennas" a SET "antenna" = btrim(a."antenna")
WHERE a."antenna" <> btrim(a."antenna")
  AND NOT EXISTS (SELECT 1 FROM "rfid_antennas" o WHERE o."reader_id" = a."reader_id" AND o."antenna" = btrim(a."antenna"));
