-- Tag keys for ITIP-110 and ITIP-212, which the EPC codec reads since this migration: the hex of such a
-- tag (as stored: upper case, whole bytes or 16-bit words) was keyed by its spelling, and is keyed by the
-- GS1 key it carries, its ITIP's canonical Digital Link (https://id.gs1.org/8006/<18 digits>/21/<serial>),
-- as its URN and Digital Link were (0091). Bindings are rekeyed, two of one tag stopping the upgrade,
-- named. Reads get their tag's key; a window of a tag read as hex and, apart, in another spelling
-- becomes one row, folded as 0096 folded windows (the reads summed, the earliest read's spelling, batch,
-- reader and antenna, the latest time and peak RSSI, the outcome of the row the gate decided). Hex whose
-- bits break the scheme or whose key breaks AI (8006) (a piece 00, or above the total) keeps its spelling.
-- The functions are 0096's (a migration does not use the application's code), and one for the ITIP hex.
CREATE FUNCTION pg_temp.gs1_with_check_digit(digits text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT digits || ((10 - sum(substr(digits, i, 1)::int * CASE WHEN (length(digits) - i) % 2 = 0 THEN 3 ELSE 1 END) % 10) % 10)::text
  FROM generate_series(1, length(digits)) i
$$;--> statement-breakpoint
-- GS1 text (charset 82) as a canonical Digital Link writes it: what an EPC URN escapes ("%&/<>?) and
-- what a Digital Link escapes besides (!()*+,:) %-escaped, the rest literal
CREATE FUNCTION pg_temp.rfid_link_value(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(CASE WHEN c ~ '["%&/<>?!()*+,:]' THEN '%' || upper(to_hex(ascii(c))) ELSE c END, '' ORDER BY i)
  FROM generate_series(1, length(value)) i, substr(value, i, 1) c
$$;--> statement-breakpoint
-- A tag's string field (bits as 0s and 1s): 7-bit characters ending in zero bits, or null when it is
-- none (empty, a character after the end, set bits after the last whole character, not GS1 text)
CREATE FUNCTION pg_temp.rfid_tag_text(bits text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  decoded text := '';
  ended boolean := false;
  code int;
BEGIN
  FOR i IN 0 .. length(bits) / 7 - 1 LOOP
    code := substr(bits, 7 * i + 1, 7)::bit(7)::int;
    IF code = 0 THEN
      ended := true;
    ELSIF ended THEN
      RETURN NULL;
    ELSE
      decoded := decoded || chr(code);
    END IF;
  END LOOP;
  IF substr(bits, 7 * (length(bits) / 7) + 1) ~ '1' THEN RETURN NULL; END IF;
  RETURN CASE WHEN decoded ~ '^[-!"%&''()*+,./0-9:;<=>?A-Z_a-z]+$' THEN decoded END;
END $$;--> statement-breakpoint
-- An unsigned number of at most 63 bits (as 0s and 1s), in decimal
CREATE FUNCTION pg_temp.rfid_tag_number(bits text) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN bits = '' THEN 0 ELSE lpad(bits, 64, '0')::bit(64)::bigint::numeric END
$$;--> statement-breakpoint
-- The key of an ITIP-110 (header 40) or ITIP-212 (41) tag's hex, or null when it is none: header (8 bits),
-- filter (3), partition (3), company prefix and indicator with item reference (44, split as an SGTIN's),
-- piece (7), total (7), serial (38 bits, a number; or 140, text of 7-bit characters), zeros up to whole
-- hex digits and beyond them up to whole 16-bit words
CREATE FUNCTION pg_temp.rfid_itip_key(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  digits int;
  own text;
  bits text;
  partition int;
  prefix_bits int;
  number numeric;
  prefix text;
  reference text;
  piece int;
  total int;
  serial text;
BEGIN
  IF value !~ '^4[01][0-9A-F]+$' THEN RETURN NULL; END IF;
  digits := CASE substr(value, 1, 2) WHEN '40' THEN 28 ELSE 53 END;
  own := CASE WHEN length(value) > digits AND length(value) <= (digits + 3) / 4 * 4 AND substr(value, digits + 1) ~ '^0*$'
    THEN substr(value, 1, digits) ELSE value END;
  IF length(own) <> digits THEN RETURN NULL; END IF;
  bits := ('x' || own)::varbit::text;
  partition := substr(bits, 12, 3)::bit(3)::int;
  IF partition > 6 THEN RETURN NULL; END IF;
  prefix_bits := (ARRAY[40, 37, 34, 30, 27, 24, 20])[partition + 1];
  number := pg_temp.rfid_tag_number(substr(bits, 15, prefix_bits));
  IF number >= 10::numeric ^ (12 - partition) THEN RETURN NULL; END IF;
  prefix := lpad(number::text, 12 - partition, '0');
  number := pg_temp.rfid_tag_number(substr(bits, 15 + prefix_bits, 44 - prefix_bits));
  IF number >= 10::numeric ^ (partition + 1) THEN RETURN NULL; END IF;
  reference := lpad(number::text, partition + 1, '0');
  piece := substr(bits, 59, 7)::bit(7)::int;
  total := substr(bits, 66, 7)::bit(7)::int;
  IF piece < 1 OR total < 1 OR piece > 99 OR total > 99 OR piece > total THEN RETURN NULL; END IF;
  IF digits = 28 THEN
    IF substr(bits, 111) ~ '1' THEN RETURN NULL; END IF;
    serial := pg_temp.rfid_tag_number(substr(bits, 73, 38))::text;
  ELSE
    serial := pg_temp.rfid_tag_text(substr(bits, 73, 140));
    IF serial IS NULL THEN RETURN NULL; END IF;
  END IF;
  RETURN 'https://id.gs1.org/8006/' || pg_temp.gs1_with_check_digit(substr(reference, 1, 1) || prefix || substr(reference, 2))
    || lpad(piece::text, 2, '0') || lpad(total::text, 2, '0') || '/21/' || pg_temp.rfid_link_value(serial);
END $$;--> statement-breakpoint
DO $$
DECLARE clashing text;
BEGIN
  SELECT string_agg(names, '; ') INTO clashing FROM (
    SELECT coalesce(pg_temp.rfid_itip_key(value), value) || ': '
      || string_agg(value || ' (party ' || party_code || ', lot ' || lot_code || ')', ', ' ORDER BY value COLLATE "C") AS names
    FROM rfid_tags WHERE kind = 'epc' GROUP BY coalesce(pg_temp.rfid_itip_key(value), value) HAVING count(*) > 1) groups;
  IF clashing IS NOT NULL THEN
    RAISE EXCEPTION 'RFID tag bindings that are one tag under different spellings: %. Bindings are keyed by the GS1 key a tag carries: keep one binding of each tag (DELETE FROM rfid_tags WHERE kind = ''epc'' AND value = ...) and start again.', clashing;
  END IF;
END $$;--> statement-breakpoint
UPDATE rfid_tags SET value = pg_temp.rfid_itip_key(value) WHERE kind = 'epc' AND pg_temp.rfid_itip_key(value) IS NOT NULL;--> statement-breakpoint
CREATE TEMPORARY TABLE rfid_rekeyed ON COMMIT DROP AS
  SELECT read_point_id, tag_key, window_start, coalesce(pg_temp.rfid_itip_key(tag), tag_key) AS new_key FROM rfid_reads;--> statement-breakpoint
UPDATE rfid_reads r SET
  read_count = f.read_count, last_seen = f.last_seen, peak_rssi = f.peak_rssi, first_received_at = f.first_received_at,
  tid = coalesce(r.tid, f.tid), processed_at = d.processed_at, outcome = d.outcome, lot_code = d.lot_code, event_id = d.event_id,
  detail = d.detail, attempts = d.attempts, retry_at = d.retry_at, awaits_shipment_id = d.awaits_shipment_id,
  received_in_code = d.received_in_code
FROM (
  SELECT r.read_point_id, k.new_key, r.window_start, least(sum(r.read_count::int8), 2147483647)::int AS read_count,
    max(r.last_seen) AS last_seen, max(r.peak_rssi) AS peak_rssi, min(coalesce(r.first_received_at, b.received_at)) AS first_received_at,
    (array_agg(r.tid ORDER BY r.first_seen, r.tag) FILTER (WHERE r.tid IS NOT NULL))[1] AS tid,
    (array_agg(r.tag_key ORDER BY r.first_seen, coalesce(r.batch_position, -1), r.tag))[1] AS first_key,
    (array_agg(r.tag_key ORDER BY r.processed_at IS NULL, coalesce(r.outcome = 'failed', false), r.processed_at, r.first_seen,
      coalesce(r.batch_position, -1), r.tag))[1] AS decided_key
  FROM rfid_reads r
  JOIN rfid_rekeyed k ON k.read_point_id = r.read_point_id AND k.tag_key = r.tag_key AND k.window_start = r.window_start
  JOIN rfid_batches b ON b.id = r.batch_id
  GROUP BY r.read_point_id, k.new_key, r.window_start
  HAVING count(*) > 1
) f
JOIN rfid_reads d ON d.read_point_id = f.read_point_id AND d.tag_key = f.decided_key AND d.window_start = f.window_start
WHERE r.read_point_id = f.read_point_id AND r.tag_key = f.first_key AND r.window_start = f.window_start;--> statement-breakpoint
DELETE FROM rfid_reads r USING (
  SELECT r.read_point_id, r.window_start, k.new_key,
    (array_agg(r.tag_key ORDER BY r.first_seen, coalesce(r.batch_position, -1), r.tag))[1] AS first_key
  FROM rfid_reads r
  JOIN rfid_rekeyed k ON k.read_point_id = r.read_point_id AND k.tag_key = r.tag_key AND k.window_start = r.window_start
  GROUP BY r.read_point_id, r.window_start, k.new_key
  HAVING count(*) > 1
) f, rfid_rekeyed k
WHERE k.read_point_id = r.read_point_id AND k.tag_key = r.tag_key AND k.window_start = r.window_start
  AND r.read_point_id = f.read_point_id AND r.window_start = f.window_start AND k.new_key = f.new_key AND r.tag_key <> f.first_key;--> statement-breakpoint
UPDATE rfid_reads r SET tag_key = k.new_key FROM rfid_rekeyed k
WHERE k.read_point_id = r.read_point_id AND k.tag_key = r.tag_key AND k.window_start = r.window_start AND k.new_key <> k.tag_key;--> statement-breakpoint
DROP TABLE rfid_rekeyed;--> statement-breakpoint
DROP FUNCTION pg_temp.rfid_itip_key(text);--> statement-breakpoint
DROP FUNCTION pg_temp.rfid_tag_number(text);--> statement-breakpoint
DROP FUNCTION pg_temp.rfid_tag_text(text);--> statement-breakpoint
DROP FUNCTION pg_temp.rfid_link_value(text);--> statement-breakpoint
DROP FUNCTION pg_temp.gs1_with_check_digit(text);
