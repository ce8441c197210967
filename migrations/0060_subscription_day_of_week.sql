-- A schedule's dayOfWeek is the EPCIS standard's, 1 (Monday) through 7 (Sunday), where it was 0 (Sunday)
-- through 6: a stored 0 is Sunday, now 7 (a range from 0 is the range from 1 and 7); 1 through 6 keep their days.
UPDATE "epcis_subscriptions" AS s SET "schedule" = jsonb_set(s."schedule", '{dayOfWeek}', to_jsonb((
  SELECT string_agg(CASE
    WHEN part ~ '^[0-9]{1,2}$' AND part::int = 0 THEN '7'
    WHEN part ~ '^\[?[0-9]{1,2}-[0-9]{1,2}\]?$' AND substring(part FROM '^\[?([0-9]{1,2})-')::int = 0 THEN
      CASE
        WHEN substring(part FROM '-([0-9]{1,2})\]?$')::int = 0 THEN '7'
        WHEN part LIKE '[%' THEN '[1-' || substring(part FROM '-([0-9]{1,2})\]$') || '],7'
        ELSE '1-' || substring(part FROM '-([0-9]{1,2})$') || ',7'
      END
    ELSE part
  END, ',' ORDER BY n)
  FROM unnest(string_to_array(s."schedule"->>'dayOfWeek', ',')) WITH ORDINALITY AS parts(part, n)
)))
WHERE s."schedule" ? 'dayOfWeek';
