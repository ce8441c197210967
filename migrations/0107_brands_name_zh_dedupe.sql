-- Brands sharing a Chinese name before it was made unique (0108): the first registered (by created_at,
-- then code) keeps the name, each other one gets its code added, e.g. 奉节腊肉 (FJLR2).
update brands b set name_zh = b.name_zh || ' (' || b.code || ')'
from (
  select code, row_number() over (partition by name_zh order by created_at, code) as n from brands
) ranked
where ranked.code = b.code and ranked.n > 1;
