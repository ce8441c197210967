-- Failed code jobs stored before issuance logged its errors hold the error's text, which may quote
-- SQL and its parameters, and GET /code-jobs/{id} shows it: they get the error issuance writes now.
-- 'interrupted by a restart', which the service itself wrote for a job a stop cut off (before such
-- jobs ran again), holds nothing of the kind and stays. Only failed jobs: issuance writes no error
-- on any other.
UPDATE "code_jobs" SET "error" = 'issuing the codes failed; the cause is logged'
WHERE "status" = 'failed' AND "error" NOT IN ('issuing the codes failed; the cause is logged', 'interrupted by a restart');
