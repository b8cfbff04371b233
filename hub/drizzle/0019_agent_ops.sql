CREATE TABLE "agent_findings" (
	"id" text PRIMARY KEY NOT NULL,
	"agent" text NOT NULL,
	"run_id" text,
	"instance_id" text,
	"client_id" text,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"what" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_proposals" (
	"id" text PRIMARY KEY NOT NULL,
	"agent" text NOT NULL,
	"run_id" text,
	"finding_id" text,
	"title" text NOT NULL,
	"commands" jsonb NOT NULL,
	"expected_effect" text NOT NULL,
	"risk" text NOT NULL,
	"reasoning" text NOT NULL,
	"status" text NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"refusal" jsonb,
	"outcomes" jsonb,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"executed_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "agent_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"agent" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"findings" integer DEFAULT 0 NOT NULL,
	"proposals" integer DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"tokens_in" integer DEFAULT 0 NOT NULL,
	"tokens_out" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "ops_agents" (
	"name" text PRIMARY KEY NOT NULL,
	"account_id" text,
	"paused" boolean DEFAULT false NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"actions" jsonb NOT NULL,
	"max_instances_per_hour" integer,
	"failure_limit" integer,
	"failures" integer DEFAULT 0 NOT NULL,
	"breaker_opened_at" timestamp with time zone,
	"breaker_reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "agent_findings_agent_idx" ON "agent_findings" USING btree ("agent","created_at");--> statement-breakpoint
CREATE INDEX "agent_proposals_status_idx" ON "agent_proposals" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "agent_proposals_idem_idx" ON "agent_proposals" USING btree ("agent","idempotency_key");--> statement-breakpoint
CREATE INDEX "agent_runs_agent_idx" ON "agent_runs" USING btree ("agent","started_at");