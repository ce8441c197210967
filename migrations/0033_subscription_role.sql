ALTER TABLE "epcis_subscriptions" ADD COLUMN "role" text;--> statement-breakpoint
-- A subscription records the role of the key that made it. Before named queries were kept to the
-- role that made them, a regulator party's operator key could subscribe to its regulator key's
-- query, and its subscription then delivered every party's events while the party held a regulator
-- key. What keys made those subscriptions was not recorded; the keys the party held when each was
-- made tell it where they leave one role:
-- - its party held no valid key of the query's role then: a key of another role made it. It is
--   paused, saying why, until a key of the query's role deletes it (and may subscribe again);
-- - its party held valid keys of the query's role only (or the query's owner is one key): that role;
-- - its party held keys of both: not known; left null, and it delivers as before.
UPDATE "epcis_subscriptions" s SET
  "role" = CASE
    WHEN h."owner" LIKE 'key:%' OR h."roles" = ARRAY[h."query_role"] THEN h."query_role"
    WHEN cardinality(h."roles") > 0 AND NOT (h."query_role" = ANY (h."roles")) THEN h."roles"[1]
  END,
  "last_error" = CASE
    WHEN h."owner" NOT LIKE 'key:%' AND cardinality(h."roles") > 0 AND NOT (h."query_role" = ANY (h."roles"))
      THEN 'paused: subscribed with a key of another role than the ' || h."query_role" || ' key that made the named query; a '
        || h."query_role" || ' key may delete it and subscribe again'
    ELSE s."last_error"
  END
FROM (
  SELECT s2."id", q."owner", q."role" AS "query_role",
    array(SELECT DISTINCT k."role" FROM "api_keys" k
      WHERE k."party_code" = q."party_code" AND k."created_at" <= s2."created_at"
        AND (k."revoked_at" IS NULL OR k."revoked_at" > s2."created_at")
      ORDER BY k."role") AS "roles"
  FROM "epcis_subscriptions" s2 JOIN "epcis_queries" q ON q."owner" = s2."owner" AND q."name" = s2."query_name"
) h
WHERE h."id" = s."id" AND s."role" IS NULL;
