-- the order brand changes were made in, which recorded_at cannot tell for changes of one instant; the rows
-- already stored are numbered in their (recorded_at, id) order by 0074
ALTER TABLE "brand_authorization_changes" ADD COLUMN "seq" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "brand_authorization_changes_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);
