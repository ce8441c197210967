ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_party_code_parties_code_fk";
