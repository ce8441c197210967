-- Each code of the jobs issued before 0065 gets its place in its job, in code order: the order
-- codes.csv listed them and label sheets were paged in until then, so a sheet printed before keeps
-- its number. (Jobs issued since number their codes as they issue them.)
UPDATE "items" i SET "seq" = n.seq
FROM (SELECT code, row_number() OVER (PARTITION BY job_id ORDER BY code)::int AS seq FROM "items") n
WHERE n.code = i.code;
