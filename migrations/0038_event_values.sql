CREATE TABLE "event_values" (
	"party_code" text NOT NULL,
	"field" text NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "event_values_party_code_field_value_pk" PRIMARY KEY("party_code","field","value")
);
--> statement-breakpoint
ALTER TABLE "event_values" ADD CONSTRAINT "event_values_party_code_parties_code_fk" FOREIGN KEY ("party_code") REFERENCES "public"."parties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_values_field_value_idx" ON "event_values" USING btree ("field","value");--> statement-breakpoint
-- Backfill: the values of every event stored before the event writer kept them, as it keeps them
-- now (a correction's fields are none of the lists' values; every link's lot is, a correction's too).
-- A custom business step or disposition of more than 2000 bytes, which POST /events took while it
-- counted characters alone, is left out: no index entry holds it (some 2,700 bytes at most).
INSERT INTO "event_values" ("party_code", "field", "value")
SELECT party_code, field, value FROM (
SELECT party_code, 'bizStep' AS field, biz_step AS value FROM events WHERE type <> 'correction' AND biz_step IS NOT NULL
UNION SELECT party_code, 'disposition', disposition FROM events WHERE type <> 'correction' AND disposition IS NOT NULL
UNION SELECT party_code, 'readPoint', read_point FROM events WHERE type <> 'correction' AND read_point IS NOT NULL
UNION SELECT party_code, 'bizLocation', biz_location FROM events WHERE type <> 'correction' AND biz_location IS NOT NULL
UNION SELECT e.party_code, 'lot', el.lot_code FROM event_lots el JOIN events e ON e.id = el.event_id
) stored WHERE octet_length(value) <= 2000;
