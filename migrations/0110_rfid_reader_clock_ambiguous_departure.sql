-- A batch keeps the latest time its reader gave a read (null for the batches stored before: the
-- reader's clock offset is unknown for them, not guessed); a batch's windows are indexed by it. A pack
-- an exit gate flagged as possibly leaving in one of several shipments gets an outcome of its own,
-- ambiguous_departure, and keeps those shipments; the packs flagged before (outcome
-- unexpected_departure, their detail naming the shipments) are given it, and their shipments from it.
DROP INDEX "rfid_reads_passed_idx";--> statement-breakpoint
ALTER TABLE "rfid_batches" ADD COLUMN "latest_read_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "rfid_reads" ADD COLUMN "may_have_left_in" text[];--> statement-breakpoint
CREATE INDEX "rfid_reads_batch_idx" ON "rfid_reads" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "rfid_reads_passed_idx" ON "rfid_reads" USING btree ("tag_key","party_code") WHERE "rfid_reads"."outcome" in ('received', 'departed', 'unexpected_departure', 'ambiguous_departure');--> statement-breakpoint
UPDATE "rfid_reads" SET "outcome" = 'ambiguous_departure',
  "may_have_left_in" = regexp_split_to_array(substring("detail" from '^may have left in shipment (.+) of lot '), ', | or ')
WHERE "outcome" = 'unexpected_departure' AND "detail" ~ '^may have left in shipment .+ of lot .+: no tag read with it says which$';