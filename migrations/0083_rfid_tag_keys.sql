-- A tag's EPC binding is keyed by the GS1 key the tag carries, as its canonical Digital Link
-- (https://id.gs1.org/01/{GTIN}/21/{serial}, …/00/{SSCC}), whichever way it was bound: hex,
-- a tag URI (stored as its hex), a pure-identity URN or a Digital Link on any host. Rekeyed here:
-- SGTIN-96 and SSCC-96 hex, SGTIN and SSCC URNs, and Digital Links of an SGTIN or SSCC spelled
-- as /01/…/21/… or /00/… (the forms readers and labels use). Bindings of other schemes keep their
-- spelling, and are still found by it.
CREATE FUNCTION pg_temp.gs1_with_check_digit(digits text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT digits || ((10 - sum(substr(digits, i, 1)::int * CASE WHEN (length(digits) - i) % 2 = 0 THEN 3 ELSE 1 END) % 10) % 10)::text
  FROM generate_series(1, length(digits)) i
$$;--> statement-breakpoint
CREATE FUNCTION pg_temp.rfid_tag_key(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  bits text;
  sgtin boolean;
  partition int;
  prefix_bits int;
  prefix_digits int;
  reference_bits int;
  reference_digits int;
  prefix numeric;
  reference numeric;
  body text;
  parts text[];
BEGIN
  IF value ~ '^3[01][0-9A-F]{22}$' THEN
    -- SGTIN-96: header, filter, partition, company prefix and item reference (44 bits, 13 digits), serial (38 bits);
    -- SSCC-96: the same up to company prefix and serial reference (58 bits, 17 digits), then 24 bits of zeros
    bits := ('x' || value)::bit(96)::text;
    sgtin := substr(value, 2, 1) = '0';
    partition := substr(bits, 12, 3)::bit(3)::int;
    IF partition > 6 OR (NOT sgtin AND substr(bits, 73) ~ '1') THEN RETURN value; END IF;
    prefix_digits := 12 - partition;
    prefix_bits := (ARRAY[40, 37, 34, 30, 27, 24, 20])[partition + 1];
    reference_bits := CASE WHEN sgtin THEN 44 ELSE 58 END - prefix_bits;
    reference_digits := CASE WHEN sgtin THEN 13 ELSE 17 END - prefix_digits;
    prefix := lpad(substr(bits, 15, prefix_bits), 64, '0')::bit(64)::bigint;
    reference := lpad(substr(bits, 15 + prefix_bits, reference_bits), 64, '0')::bit(64)::bigint;
    IF prefix >= 10::numeric ^ prefix_digits OR reference >= 10::numeric ^ reference_digits THEN RETURN value; END IF;
    body := lpad(reference::text, reference_digits, '0');
    body := substr(body, 1, 1) || lpad(prefix::text, prefix_digits, '0') || substr(body, 2);
    IF NOT sgtin THEN RETURN 'https://id.gs1.org/00/' || pg_temp.gs1_with_check_digit(body); END IF;
    RETURN 'https://id.gs1.org/01/' || pg_temp.gs1_with_check_digit(body) || '/21/'
      || (lpad(substr(bits, 59, 38), 64, '0')::bit(64)::bigint)::text;
  END IF;
  parts := regexp_match(value, '^urn:epc:id:sgtin:([0-9]{6,12})\.([0-9]+)\.([A-Za-z0-9_-]{1,20})$', 'i');
  IF parts IS NOT NULL AND length(parts[1]) + length(parts[2]) = 13 THEN
    RETURN 'https://id.gs1.org/01/' || pg_temp.gs1_with_check_digit(substr(parts[2], 1, 1) || parts[1] || substr(parts[2], 2))
      || '/21/' || parts[3];
  END IF;
  parts := regexp_match(value, '^urn:epc:id:sscc:([0-9]{6,12})\.([0-9]+)$', 'i');
  IF parts IS NOT NULL AND length(parts[1]) + length(parts[2]) = 17 THEN
    RETURN 'https://id.gs1.org/00/' || pg_temp.gs1_with_check_digit(substr(parts[2], 1, 1) || parts[1] || substr(parts[2], 2));
  END IF;
  parts := regexp_match(value, '^https?://[^/?#]+/01/([0-9]{14}|[0-9]{13}|[0-9]{12}|[0-9]{8})/21/([A-Za-z0-9_-]{1,20})$');
  IF parts IS NOT NULL THEN RETURN 'https://id.gs1.org/01/' || lpad(parts[1], 14, '0') || '/21/' || parts[2]; END IF;
  parts := regexp_match(value, '^https?://[^/?#]+/00/([0-9]{18})$');
  IF parts IS NOT NULL THEN RETURN 'https://id.gs1.org/00/' || parts[1]; END IF;
  RETURN value;
END $$;--> statement-breakpoint
-- Bindings that are one tag under different spellings (the service took both until now) stop the
-- upgrade, named: which of them stands is for their parties to say.
DO $$
DECLARE clashing text;
BEGIN
  SELECT string_agg(names, '; ') INTO clashing FROM (
    SELECT pg_temp.rfid_tag_key(value) || ': ' || string_agg(value || ' (party ' || party_code || ', lot ' || lot_code || ')', ', ' ORDER BY value COLLATE "C") AS names
    FROM rfid_tags WHERE kind = 'epc' GROUP BY pg_temp.rfid_tag_key(value) HAVING count(*) > 1) groups;
  IF clashing IS NOT NULL THEN
    RAISE EXCEPTION 'RFID tag bindings that are one tag under different spellings: %. Bindings are now keyed by the GS1 key a tag carries: keep one binding of each tag (DELETE FROM rfid_tags WHERE kind = ''epc'' AND value = ...) and start again.', clashing;
  END IF;
END $$;--> statement-breakpoint
UPDATE rfid_tags SET value = pg_temp.rfid_tag_key(value) WHERE kind = 'epc' AND value <> pg_temp.rfid_tag_key(value);--> statement-breakpoint
DROP FUNCTION pg_temp.rfid_tag_key(text);--> statement-breakpoint
DROP FUNCTION pg_temp.gs1_with_check_digit(text);
