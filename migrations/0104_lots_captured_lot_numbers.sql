-- Lots captured through EPCIS from an LGTIN (stored as https://id.gs1.org/01/{GTIN}/10/{lot}) before
-- capture gave them its lot number get it now, decoded from its URI escapes, as capture gives it to the
-- lots it makes (mapping.ts lotNumberOfClass). A party's live lots carry a number once
-- (lots_party_lot_number_key): a number one of its live lots carries already, or that two of its captured
-- lots would share, is given to none of them (which is meant, nothing stored says), nor is one that does not
-- decode to a GS1 lot number (AI 10: 1-20 characters of GS1 charset 82).
CREATE FUNCTION pg_temp.decoded_lot(lot text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  decoded text := '';
  rest text := lot;
BEGIN
  WHILE rest <> '' LOOP
    IF left(rest, 1) = '%' THEN
      -- GS1 charset 82 is printable ASCII: any other escape, or a stray %, names no lot number
      IF substr(rest, 2, 2) !~ '^[2-7][0-9A-Fa-f]$' THEN
        RETURN NULL;
      END IF;
      decoded := decoded || chr(('x' || substr(rest, 2, 2))::bit(8)::int);
      rest := substr(rest, 4);
    ELSE
      decoded := decoded || left(rest, 1);
      rest := substr(rest, 2);
    END IF;
  END LOOP;
  RETURN decoded;
END
$$;--> statement-breakpoint
WITH captured AS (
  SELECT l.code, l.party_code, pg_temp.decoded_lot(substring(i.value from '^https://id\.gs1\.org/01/[0-9]{14}/10/([^/]+)$')) AS lot_number
  FROM lots l JOIN lot_identifiers i ON i.lot_code = l.code AND i.kind = 'epc'
  WHERE l.kind = 'lot' AND l.lot_number IS NULL AND l.voided_by_event_id IS NULL
    AND i.value ~ '^https://id\.gs1\.org/01/[0-9]{14}/10/[^/]+$'
), numbered AS (
  SELECT code, party_code, min(lot_number) AS lot_number FROM captured
  WHERE lot_number ~ '^[-!"%&''()*+,./0-9:;<=>?A-Z_a-z]{1,20}$'
  GROUP BY code, party_code
  -- a lot captured under two LGTINs of different lots has no one number
  HAVING count(DISTINCT lot_number) = 1
), once AS (
  SELECT n.code, n.party_code, n.lot_number FROM numbered n
  WHERE (SELECT count(*) FROM numbered m WHERE m.party_code = n.party_code AND m.lot_number = n.lot_number) = 1
    AND NOT EXISTS (
      SELECT 1 FROM lots taken
      WHERE taken.party_code = n.party_code AND taken.lot_number = n.lot_number AND taken.voided_by_event_id IS NULL
    )
)
UPDATE lots SET lot_number = once.lot_number FROM once WHERE lots.code = once.code;
