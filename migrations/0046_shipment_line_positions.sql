ALTER TABLE "shipment_lines" ADD COLUMN "position" integer;--> statement-breakpoint
-- the lines stored before kept no order: numbered as the writer sends them, the loose lines first,
-- then what was packed in containers, each by its code
UPDATE "shipment_lines" l SET "position" = n.position
FROM (SELECT "shipment_id", "lot_code", "container_code",
    (row_number() OVER (PARTITION BY "shipment_id" ORDER BY "container_code" NULLS FIRST, "lot_code") - 1)::integer AS position
  FROM "shipment_lines") n
WHERE l.shipment_id = n.shipment_id AND l.lot_code = n.lot_code AND l.container_code IS NOT DISTINCT FROM n.container_code;--> statement-breakpoint
ALTER TABLE "shipment_lines" ALTER COLUMN "position" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_position_key" UNIQUE("shipment_id","position");
