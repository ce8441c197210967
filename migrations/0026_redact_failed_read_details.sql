-- Failed RFID windows stored before the gate logged its errors hold the error's text, which may
-- quote SQL and its parameters, and GET /rfid/reads shows it: they get the detail the gate writes now.
UPDATE "rfid_reads" SET "detail" = 'the service failed while turning these reads into events; the cause is logged'
WHERE "outcome" = 'failed' AND "detail" IS DISTINCT FROM 'the service failed while turning these reads into events; the cause is logged';
