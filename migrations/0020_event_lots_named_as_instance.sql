ALTER TABLE "event_lots" ADD COLUMN "named_as_instance" boolean;--> statement-breakpoint
-- Events captured before: a parent or a lot with a quantity was named as an instance or a class
-- for certain; otherwise the event's lists for the role say it, unless it has both kinds, where a
-- GTIN with or without a lot (LGTIN), or an identifier the quantity list names as written, is the
-- class and anything else an instance.
UPDATE "event_lots" el SET "named_as_instance" = CASE
  WHEN el.role = 'parent' THEN true
  WHEN el.quantity IS NOT NULL THEN false
  WHEN coalesce(e.payload->'epcis'->(CASE el.role WHEN 'subject' THEN 'epcList' WHEN 'child' THEN 'childEPCs' WHEN 'input' THEN 'inputEPCList' ELSE 'outputEPCList' END), '[]') = '[]' THEN false
  WHEN coalesce(e.payload->'epcis'->(CASE el.role WHEN 'subject' THEN 'quantityList' WHEN 'child' THEN 'childQuantityList' WHEN 'input' THEN 'inputQuantityList' ELSE 'outputQuantityList' END), '[]') = '[]' THEN true
  ELSE NOT EXISTS (SELECT 1 FROM "lot_identifiers" li WHERE li.lot_code = el.lot_code AND li.kind = 'epc'
    AND (li.value ~ '^https://id\.gs1\.org/01/[0-9]{14}(/10/[^/]+)?$'
      -- an identifier that is no GS1 key is stored as written: a class if the quantity list names it
      OR EXISTS (SELECT 1 FROM jsonb_array_elements(e.payload->'epcis'->(CASE el.role WHEN 'subject' THEN 'quantityList' WHEN 'child' THEN 'childQuantityList' WHEN 'input' THEN 'inputQuantityList' ELSE 'outputQuantityList' END)) q
        WHERE q->>'epcClass' = li.value)))
END
FROM "events" e WHERE e.id = el.event_id AND e.payload ? 'epcis';
