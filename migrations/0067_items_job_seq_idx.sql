DROP INDEX "items_job_idx";--> statement-breakpoint
ALTER TABLE "items" ALTER COLUMN "seq" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "items_job_seq_idx" ON "items" USING btree ("job_id","seq");