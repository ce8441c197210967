CREATE TABLE "lot_balances" (
	"lot_code" text NOT NULL,
	"party_code" text NOT NULL,
	"container_code" text,
	"quantity" numeric(18, 3) NOT NULL,
	CONSTRAINT "lot_balances_holding_key" UNIQUE NULLS NOT DISTINCT("lot_code","party_code","container_code")
);
--> statement-breakpoint
ALTER TABLE "lot_balances" ADD CONSTRAINT "lot_balances_lot_code_lots_code_fk" FOREIGN KEY ("lot_code") REFERENCES "public"."lots"("code") ON DELETE no action ON UPDATE no action;