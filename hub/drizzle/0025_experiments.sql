CREATE TABLE "experiment_peers" (
	"experiment_id" text NOT NULL,
	"peer" text NOT NULL,
	"variant" text NOT NULL,
	"assigned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "experiment_peers_experiment_id_peer_pk" PRIMARY KEY("experiment_id","peer")
);
--> statement-breakpoint
CREATE TABLE "experiments" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"instance_id" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"variant_a" jsonb NOT NULL,
	"variant_b" jsonb NOT NULL,
	"rule" jsonb NOT NULL,
	"winner" text,
	"stop_reason" text,
	"evaluation" jsonb,
	"proposal_id" text,
	"routing_command_id" text,
	"created_by" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stopped_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "weekly_reports" (
	"client_id" text NOT NULL,
	"week" text NOT NULL,
	"report" jsonb NOT NULL,
	"mailed_to" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "weekly_reports_client_id_week_pk" PRIMARY KEY("client_id","week")
);
