ALTER TABLE "runs" ALTER COLUMN "input_tokens" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "runs" ALTER COLUMN "output_tokens" SET DATA TYPE bigint;