ALTER TABLE "replays" ADD COLUMN "number" integer;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "verdict" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "verdict_step" text;--> statement-breakpoint
UPDATE "replays" SET "number" = n.number FROM (
  SELECT "org_id", "id", row_number() OVER (PARTITION BY "org_id", "root_run_id" ORDER BY "created_at", "id") AS number
  FROM "replays"
) AS n WHERE "replays"."org_id" = n."org_id" AND "replays"."id" = n."id";--> statement-breakpoint
CREATE UNIQUE INDEX "replays_org_root_number_idx" ON "replays" USING btree ("org_id","root_run_id","number");
