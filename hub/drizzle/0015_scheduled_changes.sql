CREATE TABLE "scheduled_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"instance_id" text NOT NULL,
	"client_id" text NOT NULL,
	"type" text NOT NULL,
	"params" jsonb NOT NULL,
	"status" text NOT NULL,
	"run_after" timestamp with time zone NOT NULL,
	"window_id" text,
	"command_id" text,
	"error" text,
	"created_by" text NOT NULL,
	"issuer_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "scheduled_changes_status_idx" ON "scheduled_changes" USING btree ("status","run_after");--> statement-breakpoint
CREATE INDEX "scheduled_changes_instance_idx" ON "scheduled_changes" USING btree ("instance_id","created_at");