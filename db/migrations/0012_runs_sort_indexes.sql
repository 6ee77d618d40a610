CREATE INDEX "runs_org_duration_idx" ON "runs" USING btree ("org_id",coalesce(extract(epoch from ended_at - started_at), -1),"id");--> statement-breakpoint
CREATE INDEX "runs_org_tokens_idx" ON "runs" USING btree ("org_id",(input_tokens + output_tokens),"id");--> statement-breakpoint
CREATE INDEX "runs_org_cost_idx" ON "runs" USING btree ("org_id","cost_usd","id");