CREATE TABLE "conversations" (
	"org_id" uuid NOT NULL,
	"id" text NOT NULL,
	"run_count" integer DEFAULT 0 NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"activity_at" timestamp with time zone DEFAULT now() NOT NULL,
	"summary" text,
	"summary_source" text,
	"summarized_at" timestamp with time zone,
	"summary_due" boolean DEFAULT true NOT NULL,
	"summary_attempts" integer DEFAULT 0 NOT NULL,
	"summary_lease_until" timestamp with time zone,
	"summary_error" text,
	CONSTRAINT "conversations_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
DROP INDEX "runs_org_started_idx";--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "input_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "output_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cost_usd" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "span_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "error_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "workflow" text GENERATED ALWAYS AS (nullif(split_part(workflow_version_id, '@', 1), '')) STORED;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, id || ' ' || name || ' ' || coalesce(conversation_id, '') || ' ' || coalesce(error, '')) || jsonb_to_tsvector('simple'::regconfig, coalesce(input, 'null'::jsonb), '["string", "numeric"]'::jsonb) || jsonb_to_tsvector('simple'::regconfig, coalesce(output, 'null'::jsonb), '["string", "numeric"]'::jsonb)) STORED;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversations_org_last_idx" ON "conversations" USING btree ("org_id","last_at","id");--> statement-breakpoint
CREATE INDEX "conversations_due_idx" ON "conversations" USING btree ("activity_at") WHERE summary_due;--> statement-breakpoint
CREATE INDEX "runs_org_workflow_started_idx" ON "runs" USING btree ("org_id","workflow","started_at","id");--> statement-breakpoint
CREATE INDEX "runs_org_status_started_idx" ON "runs" USING btree ("org_id","status","started_at","id");--> statement-breakpoint
CREATE INDEX "runs_tags_idx" ON "runs" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "runs_search_idx" ON "runs" USING gin ("search");--> statement-breakpoint
CREATE INDEX "runs_org_started_idx" ON "runs" USING btree ("org_id","started_at","id");--> statement-breakpoint
UPDATE "runs" r SET "input_tokens" = a.input_tokens, "output_tokens" = a.output_tokens, "cost_usd" = a.cost_usd, "span_count" = a.span_count, "error_count" = a.error_count
FROM (
	SELECT org_id, run_id, coalesce(sum(input_tokens), 0)::int AS input_tokens, coalesce(sum(output_tokens), 0)::int AS output_tokens,
		coalesce(sum(cost_usd), 0) AS cost_usd, count(*)::int AS span_count, (count(*) FILTER (WHERE status = 'error'))::int AS error_count
	FROM "spans" GROUP BY org_id, run_id
) a
WHERE r.org_id = a.org_id AND r.id = a.run_id;--> statement-breakpoint
INSERT INTO "conversations" ("org_id", "id", "run_count", "error_count", "first_at", "last_at")
SELECT org_id, conversation_id, count(*)::int, (count(*) FILTER (WHERE status = 'error'))::int, min(started_at), max(coalesce(ended_at, started_at))
FROM "runs" WHERE conversation_id IS NOT NULL GROUP BY org_id, conversation_id;
