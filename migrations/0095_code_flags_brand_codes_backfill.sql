-- The brands of the brand_misuse flags stored before code_flags.brand_codes: those their findings name, read
-- from the detail of their latest occurrence as the brand offices' reads did until then, a brand per line:
-- the code in the last parentheses right before a colon with none after (MISUSE_FINDING_BRAND of that
-- time), each once, in the order of their characters (as the service sorts them). Flags of other kinds
-- keep none.
UPDATE "code_flags" SET "brand_codes" = array(
  SELECT DISTINCT substring(finding.line from '\(([A-Z0-9][A-Z0-9-]*)\): [^()]*$') COLLATE "C" AS brand
  FROM unnest(string_to_array(coalesce("detail", ''), E'\n')) AS finding(line)
  WHERE substring(finding.line from '\(([A-Z0-9][A-Z0-9-]*)\): [^()]*$') IS NOT NULL
  ORDER BY brand
)
WHERE "kind" = 'brand_misuse';
