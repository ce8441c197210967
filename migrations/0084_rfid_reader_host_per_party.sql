DROP INDEX "rfid_readers_host_key";--> statement-breakpoint
CREATE UNIQUE INDEX "rfid_readers_host_key" ON "rfid_readers" USING btree ("party_code",lower("host_name"));