-- the authorization's terms as of each change, which the change's audit entry covers; changes recorded before are left
-- without them, as their entries hashed none
ALTER TABLE "brand_authorization_changes" ADD COLUMN "tier" text;--> statement-breakpoint
ALTER TABLE "brand_authorization_changes" ADD COLUMN "valid_from" date;--> statement-breakpoint
ALTER TABLE "brand_authorization_changes" ADD COLUMN "valid_until" date;