-- lot_balances is the ledger summed per lot, party and container. One statement trigger keeps it:
-- every insert into lot_movements (the ledger is append-only; corrections append reversals) adds
-- its rows, grouped and in key order, within the inserting statement.
CREATE FUNCTION "lot_balances_add_movements"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "lot_balances" ("lot_code", "party_code", "container_code", "quantity")
  SELECT "lot_code", "party_code", "container_code", sum("quantity") FROM "added_movements"
  GROUP BY "lot_code", "party_code", "container_code"
  ORDER BY "lot_code", "party_code", "container_code"
  ON CONFLICT ("lot_code", "party_code", "container_code")
  DO UPDATE SET "quantity" = "lot_balances"."quantity" + excluded."quantity";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "lot_movements_into_balances" AFTER INSERT ON "lot_movements"
  REFERENCING NEW TABLE AS "added_movements"
  FOR EACH STATEMENT EXECUTE FUNCTION "lot_balances_add_movements"();--> statement-breakpoint
INSERT INTO "lot_balances" ("lot_code", "party_code", "container_code", "quantity")
SELECT "lot_code", "party_code", "container_code", sum("quantity") FROM "lot_movements"
GROUP BY "lot_code", "party_code", "container_code";
