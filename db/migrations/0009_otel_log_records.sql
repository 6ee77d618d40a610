CREATE TABLE "otel_log_records" (
	"org_id" uuid NOT NULL,
	"span_id" text NOT NULL,
	"key" text NOT NULL,
	"seq" bigserial NOT NULL,
	"event" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "otel_log_records_org_id_span_id_key_pk" PRIMARY KEY("org_id","span_id","key")
);
--> statement-breakpoint
ALTER TABLE "otel_log_records" ADD CONSTRAINT "otel_log_records_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "otel_log_records_received_idx" ON "otel_log_records" USING btree ("received_at");