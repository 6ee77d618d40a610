CREATE TABLE "replays" (
	"org_id" uuid NOT NULL,
	"id" text NOT NULL,
	"parent_run_id" text NOT NULL,
	"root_run_id" text NOT NULL,
	"mode" text NOT NULL,
	"fork_step" text NOT NULL,
	"overrides" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"policies" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"label" text,
	"executor" text DEFAULT 'server' NOT NULL,
	"created_by" uuid,
	"api_key_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "replays_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "replay_of" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "replay_from_step" text;--> statement-breakpoint
ALTER TABLE "replays" ADD CONSTRAINT "replays_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replays" ADD CONSTRAINT "replays_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "replays_org_parent_idx" ON "replays" USING btree ("org_id","parent_run_id","created_at");--> statement-breakpoint
CREATE INDEX "replays_org_root_idx" ON "replays" USING btree ("org_id","root_run_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_org_replay_of_idx" ON "runs" USING btree ("org_id","replay_of") WHERE replay_of is not null;