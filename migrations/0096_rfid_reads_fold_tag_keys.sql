-- RFID reads one row per tag key per window (what the service stores since: a window is a tag's by its
-- key, whichever spellings its reads came in). Until now a window was one row per spelling, so a tag
-- read as hex, a pure-identity URN and a Digital Link in one window could be two or three rows.
-- First, reads stored without a key get their tag's key, computed as migration 0091 computed it (the
-- function below is 0091's, carried here: a migration does not use the application's code). Then the
-- rows of one tag key in one window are folded into one: the row of the earliest read (least
-- first_seen) stays, with its spelling, batch, place in the batch, reader, antenna and raw time; it
-- takes the summed read count (capped at the int4 maximum, as the service caps it), the greatest last
-- time and peak RSSI, the earliest time the service first had a read of any of them, a TID if any
-- had one, and the outcome of the row the gate decided: a processed row (processed_at set) rather
-- than one not yet turned into events, and of two processed rows with different outcomes, one that
-- did not fail rather than a given-up failure, then the one processed first (the gate decided the
-- other in its light: a second spelling read at an entry gate is already_received with the first's
-- receipt), then the earliest read. Its processed time, outcome, lot, event, detail, attempts, retry
-- time, awaited shipment and receiving case come with it. The events the other rows led to stay in
-- the ledger; only their read rows are folded. Migration 0097 then keys the table by
-- (read_point_id, tag_key, window_start).
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
-- A URI component (an EPC URN's serial, a Digital Link's value) %-decoded, or null when it is no
-- component or is not GS1 text once decoded
CREATE FUNCTION pg_temp.rfid_uri_decoded(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  decoded text := '';
  code int;
  i int := 1;
BEGIN
  IF value IS NULL OR value !~ '^(%[0-9A-Fa-f]{2}|[-!''()*+,.0-9:;=A-Z_a-z])+$' THEN RETURN NULL; END IF;
  WHILE i <= length(value) LOOP
    IF substr(value, i, 1) = '%' THEN
      code := ('x' || substr(value, i + 1, 2))::bit(8)::int;
      IF code < 1 OR code > 127 THEN RETURN NULL; END IF;
      decoded := decoded || chr(code);
      i := i + 3;
    ELSE
      decoded := decoded || substr(value, i, 1);
      i := i + 1;
    END IF;
  END LOOP;
  RETURN CASE WHEN decoded ~ '^[-!"%&''()*+,./0-9:;<=>?A-Z_a-z]+$' THEN decoded END;
END $$;--> statement-breakpoint
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
CREATE FUNCTION pg_temp.rfid_tag_key(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  scheme text;
  digits int;
  own text;
  bits text;
  partition int;
  prefix_bits int;
  shared_bits int;
  reference_bits int;
  reference_digits int;
  tail_bits int;
  prefix text;
  reference text;
  tail text;
  number numeric;
  parts text[];
  fields text[];
  segments text[];
  at int;
  ai text;
  key text;
  qualifier text;
  qualifier_value text;
  qualifiers text[] := '{}';
  qualifier_values text[] := '{}';
  on_resolver boolean;
BEGIN
  IF value ~ '^[0-9A-F]+$' THEN
    scheme := CASE substr(value, 1, 2) WHEN '30' THEN 'sgtin-96' WHEN '31' THEN 'sscc-96' WHEN '32' THEN 'sgln-96'
      WHEN '33' THEN 'grai-96' WHEN '34' THEN 'giai-96' WHEN '36' THEN 'sgtin-198' WHEN '37' THEN 'grai-170'
      WHEN '38' THEN 'giai-202' WHEN '39' THEN 'sgln-195' WHEN '2C' THEN 'gdti-96' WHEN '3E' THEN 'gdti-174'
      WHEN '2D' THEN 'gsrn-96' WHEN '2E' THEN 'gsrnp-96' WHEN '3F' THEN 'sgcn-96' WHEN '3C' THEN 'cpi-96' WHEN '35' THEN 'gid-96' END;
    IF scheme IS NULL THEN RETURN value; END IF;
    -- GID-96: header, manager number (28 bits), object class (24), serial (36); no filter, no GS1 key
    IF scheme = 'gid-96' THEN
      IF length(value) <> 24 THEN RETURN value; END IF;
      bits := ('x' || value)::varbit::text;
      RETURN 'urn:epc:id:gid:' || pg_temp.rfid_tag_number(substr(bits, 9, 28))::text || '.'
        || pg_temp.rfid_tag_number(substr(bits, 37, 24))::text || '.' || pg_temp.rfid_tag_number(substr(bits, 61, 36))::text;
    END IF;
    digits := CASE scheme WHEN 'sgtin-198' THEN 50 WHEN 'sgln-195' THEN 49 WHEN 'grai-170' THEN 43 WHEN 'giai-202' THEN 51
      WHEN 'gdti-174' THEN 44 ELSE 24 END;
    -- zeros after the encoding, up to whole 16-bit words (a reader reports tag memory) or bytes
    own := CASE WHEN length(value) > digits AND length(value) <= (digits + 3) / 4 * 4 AND substr(value, digits + 1) ~ '^0*$'
      THEN substr(value, 1, digits) ELSE value END;
    IF length(own) <> digits THEN RETURN value; END IF;
    bits := ('x' || own)::varbit::text;
    -- header (8 bits), filter (3), partition (3), company prefix and reference (a width per scheme), tail
    partition := substr(bits, 12, 3)::bit(3)::int;
    IF partition > 6 THEN RETURN value; END IF;
    prefix_bits := (ARRAY[40, 37, 34, 30, 27, 24, 20])[partition + 1];
    number := pg_temp.rfid_tag_number(substr(bits, 15, prefix_bits));
    IF number >= 10::numeric ^ (12 - partition) THEN RETURN value; END IF;
    prefix := lpad(number::text, 12 - partition, '0');
    shared_bits := CASE split_part(scheme, '-', 1) WHEN 'sgtin' THEN 44 WHEN 'grai' THEN 44 WHEN 'sscc' THEN 58 WHEN 'sgln' THEN 41
      WHEN 'giai' THEN CASE scheme WHEN 'giai-96' THEN 82 ELSE 188 END
      WHEN 'gdti' THEN 41 WHEN 'sgcn' THEN 41 WHEN 'gsrn' THEN 58 WHEN 'gsrnp' THEN 58 WHEN 'cpi' THEN 51 END;
    reference_bits := shared_bits - prefix_bits;
    tail_bits := CASE scheme WHEN 'sgtin-96' THEN 38 WHEN 'grai-96' THEN 38 WHEN 'sgln-96' THEN 41 WHEN 'sscc-96' THEN 24
      WHEN 'sgtin-198' THEN 140 WHEN 'sgln-195' THEN 140 WHEN 'grai-170' THEN 112 WHEN 'gdti-96' THEN 41 WHEN 'gdti-174' THEN 119
      WHEN 'gsrn-96' THEN 24 WHEN 'gsrnp-96' THEN 24 WHEN 'sgcn-96' THEN 41 WHEN 'cpi-96' THEN 31 ELSE 0 END;
    -- the bits after the encoding, up to whole hex digits, are zeros
    IF substr(bits, 15 + shared_bits + tail_bits) ~ '1' THEN RETURN value; END IF;
    IF scheme = 'giai-202' THEN
      reference := pg_temp.rfid_tag_text(substr(bits, 15 + prefix_bits, reference_bits));
      IF reference IS NULL OR length(reference) > 18 + partition THEN RETURN value; END IF;
      RETURN 'https://id.gs1.org/8004/' || prefix || pg_temp.rfid_link_value(reference);
    END IF;
    number := pg_temp.rfid_tag_number(substr(bits, 15 + prefix_bits, reference_bits));
    IF scheme = 'giai-96' THEN RETURN 'https://id.gs1.org/8004/' || prefix || number::text; END IF;
    -- CPI-96: the part reference is a number of at most 3–9 digits (by partition), the serial (8011) one without leading zeros
    IF scheme = 'cpi-96' THEN
      IF number >= 10::numeric ^ (partition + 3) THEN RETURN value; END IF;
      tail := pg_temp.rfid_tag_number(substr(bits, 15 + shared_bits, tail_bits))::text;
      IF tail = '0' THEN RETURN value; END IF;
      RETURN 'https://id.gs1.org/8010/' || prefix || number::text || '/8011/' || tail;
    END IF;
    reference_digits := CASE split_part(scheme, '-', 1) WHEN 'sgtin' THEN 13 WHEN 'sscc' THEN 17 WHEN 'gsrn' THEN 17 WHEN 'gsrnp' THEN 17
      ELSE 12 END - (12 - partition);
    IF number >= 10::numeric ^ reference_digits THEN RETURN value; END IF;
    reference := CASE WHEN reference_digits = 0 THEN '' ELSE lpad(number::text, reference_digits, '0') END;
    tail := CASE
      WHEN scheme IN ('sgtin-96', 'grai-96', 'sgln-96', 'gdti-96') THEN pg_temp.rfid_tag_number(substr(bits, 15 + shared_bits, tail_bits))::text
      WHEN scheme IN ('sscc-96', 'gsrn-96', 'gsrnp-96') THEN CASE WHEN substr(bits, 15 + shared_bits, tail_bits) ~ '1' THEN NULL ELSE '' END
      -- SGCN-96: a 1, then the serial's digits (its leading zeros count), as one number
      WHEN scheme = 'sgcn-96' THEN substring(pg_temp.rfid_tag_number(substr(bits, 15 + shared_bits, tail_bits))::text FROM '^1([0-9]{1,12})$')
      ELSE pg_temp.rfid_tag_text(substr(bits, 15 + shared_bits, tail_bits)) END;
    IF tail IS NULL THEN RETURN value; END IF;
    RETURN 'https://id.gs1.org' || CASE split_part(scheme, '-', 1)
      WHEN 'sgtin' THEN '/01/' || pg_temp.gs1_with_check_digit(substr(reference, 1, 1) || prefix || substr(reference, 2))
        || '/21/' || pg_temp.rfid_link_value(tail)
      WHEN 'sscc' THEN '/00/' || pg_temp.gs1_with_check_digit(substr(reference, 1, 1) || prefix || substr(reference, 2))
      WHEN 'sgln' THEN '/414/' || pg_temp.gs1_with_check_digit(prefix || reference)
        || CASE WHEN tail = '0' THEN '' ELSE '/254/' || pg_temp.rfid_link_value(tail) END
      WHEN 'gdti' THEN '/253/' || pg_temp.gs1_with_check_digit(prefix || reference) || pg_temp.rfid_link_value(tail)
      WHEN 'sgcn' THEN '/255/' || pg_temp.gs1_with_check_digit(prefix || reference) || tail
      WHEN 'gsrn' THEN '/8018/' || pg_temp.gs1_with_check_digit(prefix || reference)
      WHEN 'gsrnp' THEN '/8017/' || pg_temp.gs1_with_check_digit(prefix || reference)
      ELSE '/8003/0' || pg_temp.gs1_with_check_digit(prefix || reference) || pg_temp.rfid_link_value(tail) END;
  END IF;

  -- a GID's URN, its head in any case: three numbers without leading zeros that fit their bits
  parts := regexp_match(value, '^urn:epc:id:gid:(0|[1-9][0-9]{0,10})\.(0|[1-9][0-9]{0,10})\.(0|[1-9][0-9]{0,11})$', 'i');
  IF parts IS NOT NULL THEN
    IF parts[1]::numeric >= 2::numeric ^ 28 OR parts[2]::numeric >= 2::numeric ^ 24 OR parts[3]::numeric >= 2::numeric ^ 36 THEN
      RETURN value;
    END IF;
    RETURN 'urn:epc:id:gid:' || parts[1] || '.' || parts[2] || '.' || parts[3];
  END IF;

  -- GSRN and GSRNP URNs: company prefix and service reference, 17 digits
  parts := regexp_match(value, '^urn:epc:id:(gsrnp?):([0-9]{6,12})\.([0-9]+)$', 'i');
  IF parts IS NOT NULL THEN
    IF length(parts[2] || parts[3]) <> 17 THEN RETURN value; END IF;
    RETURN 'https://id.gs1.org/' || CASE lower(parts[1]) WHEN 'gsrn' THEN '8018/' ELSE '8017/' END || pg_temp.gs1_with_check_digit(parts[2] || parts[3]);
  END IF;
  -- GDTI and SGCN URNs: company prefix and document type or coupon reference (12 digits), serial
  -- (a GDTI's up to 17 GS1 characters, %-escaped or not; an SGCN's 1–12 digits)
  parts := regexp_match(value, '^urn:epc:id:(gdti|sgcn):([0-9]{6,12})\.([0-9]*)\.(.*)$', 'i');
  IF parts IS NOT NULL THEN
    IF length(parts[2] || parts[3]) <> 12 THEN RETURN value; END IF;
    IF lower(parts[1]) = 'sgcn' THEN
      IF parts[4] !~ '^[0-9]{1,12}$' THEN RETURN value; END IF;
      RETURN 'https://id.gs1.org/255/' || pg_temp.gs1_with_check_digit(parts[2] || parts[3]) || parts[4];
    END IF;
    tail := pg_temp.rfid_uri_decoded(parts[4]);
    IF tail IS NULL OR length(tail) > 17 THEN RETURN value; END IF;
    RETURN 'https://id.gs1.org/253/' || pg_temp.gs1_with_check_digit(parts[2] || parts[3]) || pg_temp.rfid_link_value(tail);
  END IF;
  -- CPI URNs: company prefix, part reference (digits, upper-case letters and -: those of charset 39 that
  -- need no escape), serial (a number without leading zeros, up to 12 digits)
  parts := regexp_match(value, '^urn:epc:id:cpi:([0-9]{6,12})\.([-0-9A-Z]+)\.([1-9][0-9]{0,11})$', 'i');
  IF parts IS NOT NULL THEN
    IF parts[2] !~ '^[-0-9A-Z]+$' OR length(parts[1] || parts[2]) > 30 THEN RETURN value; END IF;
    RETURN 'https://id.gs1.org/8010/' || parts[1] || parts[2] || '/8011/' || parts[3];
  END IF;
  -- ITIP URNs: company prefix, indicator and item reference (13 digits), piece, total, serial
  parts := regexp_match(value, '^urn:epc:id:itip:([0-9]{6,12})\.([0-9]+)\.([0-9]{2})\.([0-9]{2})\.(.*)$', 'i');
  IF parts IS NOT NULL THEN
    IF length(parts[1] || parts[2]) <> 13 OR parts[3] !~ '[1-9]' OR parts[4] !~ '[1-9]' OR parts[3] > parts[4] THEN RETURN value; END IF;
    tail := pg_temp.rfid_uri_decoded(parts[5]);
    IF tail IS NULL OR length(tail) > 20 THEN RETURN value; END IF;
    RETURN 'https://id.gs1.org/8006/' || pg_temp.gs1_with_check_digit(substr(parts[2], 1, 1) || parts[1] || substr(parts[2], 2))
      || parts[3] || parts[4] || '/21/' || pg_temp.rfid_link_value(tail);
  END IF;

  -- a pure-identity URN, its head in any case: company prefix, reference and serial (which may hold dots)
  parts := regexp_match(value, '^urn:epc:id:(sgtin|sscc|sgln|grai|giai):(.*)$', 'i');
  IF parts IS NOT NULL THEN
    scheme := lower(parts[1]);
    fields := string_to_array(parts[2], '.');
    IF scheme IN ('sscc', 'giai') THEN
      IF cardinality(fields) < 2 THEN RETURN value; END IF;
      fields := ARRAY[fields[1], array_to_string(fields[2:], '.')];
    ELSE
      IF cardinality(fields) < 3 THEN RETURN value; END IF;
      fields := ARRAY[fields[1], fields[2], array_to_string(fields[3:], '.')];
    END IF;
    prefix := fields[1];
    IF prefix !~ '^[0-9]{6,12}$' THEN RETURN value; END IF;
    IF scheme = 'giai' THEN
      reference := pg_temp.rfid_uri_decoded(fields[2]);
      IF reference IS NULL OR length(prefix || reference) > 30 THEN RETURN value; END IF;
      RETURN 'https://id.gs1.org/8004/' || prefix || pg_temp.rfid_link_value(reference);
    END IF;
    reference := fields[2];
    IF reference !~ '^[0-9]*$' OR length(prefix || reference) <> (CASE scheme WHEN 'sgtin' THEN 13 WHEN 'sscc' THEN 17 ELSE 12 END) THEN
      RETURN value;
    END IF;
    IF scheme = 'sscc' THEN
      RETURN 'https://id.gs1.org/00/' || pg_temp.gs1_with_check_digit(substr(reference, 1, 1) || prefix || substr(reference, 2));
    END IF;
    IF scheme = 'sgln' AND fields[3] = '0' THEN RETURN 'https://id.gs1.org/414/' || pg_temp.gs1_with_check_digit(prefix || reference); END IF;
    tail := pg_temp.rfid_uri_decoded(fields[3]);
    IF tail IS NULL OR length(tail) > (CASE scheme WHEN 'grai' THEN 16 ELSE 20 END) THEN RETURN value; END IF;
    RETURN 'https://id.gs1.org' || CASE scheme
      WHEN 'sgtin' THEN '/01/' || pg_temp.gs1_with_check_digit(substr(reference, 1, 1) || prefix || substr(reference, 2))
        || '/21/' || pg_temp.rfid_link_value(tail)
      WHEN 'sgln' THEN '/414/' || pg_temp.gs1_with_check_digit(prefix || reference) || '/254/' || pg_temp.rfid_link_value(tail)
      ELSE '/8003/0' || pg_temp.gs1_with_check_digit(prefix || reference) || pg_temp.rfid_link_value(tail) END;
  END IF;

  -- a Digital Link: the primary key is the rightmost /AI/value pair that names one (what precedes it is
  -- a prefix), by numeric AI or short name; off GS1's resolver, and by a short name, only when the
  -- digits of such a key follow; then the key qualifiers it takes, in order
  parts := regexp_match(value, '^https?://([^/?#]+)(/[^?#]*)([?#].*)?$', 'i');
  IF parts IS NULL THEN RETURN value; END IF;
  on_resolver := lower(parts[1]) = 'id.gs1.org';
  segments := (string_to_array(regexp_replace(parts[2], '/$', ''), '/'))[2:];
  at := cardinality(segments) - 1;
  WHILE at >= 1 AND segments[at] NOT IN ('00', '01', '253', '255', '401', '402', '414', '417', '8003', '8004', '8006', '8010', '8017',
    '8018', 'sscc', 'gtin', 'gdti', 'gcn', 'ginc', 'gsin', 'gln', 'party', 'grai', 'giai', 'itip', 'cpid', 'gsrnp', 'gsrn') LOOP
    at := at - 2;
  END LOOP;
  IF at < 1 THEN RETURN value; END IF;
  ai := CASE segments[at] WHEN 'gtin' THEN '01' WHEN 'sscc' THEN '00' WHEN 'gln' THEN '414' WHEN 'grai' THEN '8003' WHEN 'giai' THEN '8004'
    WHEN 'gdti' THEN '253' WHEN 'gcn' THEN '255' WHEN 'gsrnp' THEN '8017' WHEN 'gsrn' THEN '8018' WHEN 'cpid' THEN '8010' WHEN 'itip' THEN '8006'
    ELSE segments[at] END;
  IF ai NOT IN ('00', '01', '414', '8003', '8004', '253', '255', '8017', '8018', '8010', '8006') THEN RETURN value; END IF;
  key := pg_temp.rfid_uri_decoded(segments[at + 1]);
  IF key IS NULL THEN RETURN value; END IF;
  IF (segments[at] <> ai OR NOT on_resolver) AND key !~ (CASE ai WHEN '00' THEN '^[0-9]{18}$' WHEN '01' THEN '^([0-9]{8}|[0-9]{12,14})$'
    WHEN '414' THEN '^[0-9]{13}$' WHEN '8003' THEN '^[0-9]{14}' WHEN '253' THEN '^[0-9]{13}' WHEN '255' THEN '^[0-9]{13,25}$'
    WHEN '8017' THEN '^[0-9]{18}$' WHEN '8018' THEN '^[0-9]{18}$' WHEN '8006' THEN '^[0-9]{18}$' ELSE '^[0-9]{6}' END) THEN
    RETURN value;
  END IF;
  IF key !~ (CASE ai WHEN '00' THEN '^[0-9]{18}$' WHEN '01' THEN '^([0-9]{8}|[0-9]{12,14})$' WHEN '414' THEN '^[0-9]{13}$'
    WHEN '8003' THEN '^[0-9]{14}.{0,16}$' WHEN '253' THEN '^[0-9]{13}.{0,17}$' WHEN '255' THEN '^[0-9]{13,25}$'
    WHEN '8017' THEN '^[0-9]{18}$' WHEN '8018' THEN '^[0-9]{18}$' WHEN '8006' THEN '^[0-9]{18}$' WHEN '8010' THEN '^[0-9]{4}[-0-9A-Z/]{0,26}$'
    ELSE '^.{1,30}$' END) THEN
    RETURN value;
  END IF;
  -- an ITIP's piece is not above its total, neither being 00
  IF ai = '8006' AND (substr(key, 15, 2) !~ '[1-9]' OR substr(key, 17, 2) !~ '[1-9]' OR substr(key, 15, 2) > substr(key, 17, 2)) THEN
    RETURN value;
  END IF;
  IF ai = '01' THEN key := lpad(key, 14, '0'); END IF;
  FOR i IN 1 .. (cardinality(segments) - at - 1) / 2 LOOP
    qualifier := segments[at + 2 * i];
    qualifier := CASE qualifier WHEN 'cpv' THEN '22' WHEN 'lot' THEN '10' WHEN 'ser' THEN '21' ELSE qualifier END;
    qualifier_value := pg_temp.rfid_uri_decoded(segments[at + 2 * i + 1]);
    -- a GTIN's extension (235) takes up to 28 characters, a CPID's serial (8011) a number without leading zeros
    IF qualifier_value IS NULL OR length(qualifier_value) > (CASE qualifier WHEN '235' THEN 28 ELSE 20 END)
      OR (qualifier = '8011' AND qualifier_value !~ '^[1-9][0-9]{0,11}$') THEN
      RETURN value;
    END IF;
    qualifiers := qualifiers || qualifier;
    qualifier_values := qualifier_values || qualifier_value;
  END LOOP;
  -- the qualifiers in their order (a GTIN's CPV, lot, serial, or its extension alone; an ITIP's CPV, lot,
  -- serial; a GLN's extension; a CPID's serial), each once
  IF array_to_string(qualifiers, '/') !~ (CASE ai WHEN '01' THEN '^((22/?)?(10/?)?(21)?|235)$' WHEN '8006' THEN '^(22/?)?(10/?)?(21)?$'
    WHEN '414' THEN '^(254)?$' WHEN '8010' THEN '^(8011)?$' ELSE '^$' END)
    OR array_to_string(qualifiers, '/') ~ '/$' THEN
    RETURN value;
  END IF;
  -- the finest identification level: a serial supersedes the lot, and the CPV is dropped
  RETURN 'https://id.gs1.org/' || ai || '/' || pg_temp.rfid_link_value(key) || CASE
    WHEN '21' = ANY(qualifiers) THEN '/21/' || pg_temp.rfid_link_value(qualifier_values[array_position(qualifiers, '21')])
    WHEN '10' = ANY(qualifiers) THEN '/10/' || pg_temp.rfid_link_value(qualifier_values[array_position(qualifiers, '10')])
    WHEN '254' = ANY(qualifiers) THEN '/254/' || pg_temp.rfid_link_value(qualifier_values[array_position(qualifiers, '254')])
    WHEN '235' = ANY(qualifiers) THEN '/235/' || pg_temp.rfid_link_value(qualifier_values[array_position(qualifiers, '235')])
    WHEN '8011' = ANY(qualifiers) THEN '/8011/' || qualifier_values[array_position(qualifiers, '8011')]
    ELSE '' END;
END $$;--> statement-breakpoint
UPDATE rfid_reads SET tag_key = pg_temp.rfid_tag_key(tag) WHERE tag_key IS NULL;--> statement-breakpoint
UPDATE rfid_reads r SET
  read_count = f.read_count, last_seen = f.last_seen, peak_rssi = f.peak_rssi, first_received_at = f.first_received_at,
  tid = coalesce(r.tid, f.tid), processed_at = d.processed_at, outcome = d.outcome, lot_code = d.lot_code, event_id = d.event_id,
  detail = d.detail, attempts = d.attempts, retry_at = d.retry_at, awaits_shipment_id = d.awaits_shipment_id,
  received_in_code = d.received_in_code
FROM (
  SELECT r.read_point_id, r.tag_key, r.window_start, least(sum(r.read_count::int8), 2147483647)::int AS read_count,
    max(r.last_seen) AS last_seen, max(r.peak_rssi) AS peak_rssi, min(coalesce(r.first_received_at, b.received_at)) AS first_received_at,
    (array_agg(r.tid ORDER BY r.first_seen, r.tag) FILTER (WHERE r.tid IS NOT NULL))[1] AS tid,
    (array_agg(r.tag ORDER BY r.first_seen, coalesce(r.batch_position, -1), r.tag))[1] AS first_tag,
    (array_agg(r.tag ORDER BY r.processed_at IS NULL, coalesce(r.outcome = 'failed', false), r.processed_at, r.first_seen,
      coalesce(r.batch_position, -1), r.tag))[1] AS decided_tag
  FROM rfid_reads r LEFT JOIN rfid_batches b ON b.id = r.batch_id
  GROUP BY r.read_point_id, r.tag_key, r.window_start
  HAVING count(*) > 1
) f
JOIN rfid_reads d ON d.read_point_id = f.read_point_id AND d.tag = f.decided_tag AND d.window_start = f.window_start
WHERE r.read_point_id = f.read_point_id AND r.tag = f.first_tag AND r.window_start = f.window_start;--> statement-breakpoint
DELETE FROM rfid_reads r USING (
  SELECT read_point_id, tag_key, window_start, (array_agg(tag ORDER BY first_seen, coalesce(batch_position, -1), tag))[1] AS first_tag
  FROM rfid_reads
  GROUP BY read_point_id, tag_key, window_start
  HAVING count(*) > 1
) f
WHERE r.read_point_id = f.read_point_id AND r.tag_key = f.tag_key AND r.window_start = f.window_start AND r.tag <> f.first_tag;--> statement-breakpoint
DROP FUNCTION pg_temp.rfid_tag_key(text);--> statement-breakpoint
DROP FUNCTION pg_temp.rfid_tag_number(text);--> statement-breakpoint
DROP FUNCTION pg_temp.rfid_tag_text(text);--> statement-breakpoint
DROP FUNCTION pg_temp.rfid_uri_decoded(text);--> statement-breakpoint
DROP FUNCTION pg_temp.rfid_link_value(text);--> statement-breakpoint
DROP FUNCTION pg_temp.gs1_with_check_digit(text);
