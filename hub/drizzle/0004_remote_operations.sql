CREATE TABLE "announcements" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"level" text NOT NULL,
	"client_ids" jsonb,
	"rollout_id" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "backups" (
	"id" text PRIMARY KEY NOT NULL,
	"instance_id" text NOT NULL,
	"client_id" text,
	"command_id" text,
	"status" text NOT NULL,
	"size" bigint,
	"sha256" text,
	"files" integer,
	"storage_key" text,
	"scheduled" boolean DEFAULT false NOT NULL,
	"error" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "console_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"instance_id" text NOT NULL,
	"client_id" text,
	"user_id" text NOT NULL,
	"command_id" text,
	"status" text NOT NULL,
	"cols" integer NOT NULL,
	"rows" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"exit_code" integer,
	"reason" text,
	"bytes_out" bigint DEFAULT 0 NOT NULL,
	"recording" text
);
--> statement-breakpoint
CREATE TABLE "rollout_items" (
	"rollout_id" text NOT NULL,
	"instance_id" text NOT NULL,
	"wave" integer NOT NULL,
	"position" integer NOT NULL,
	"command_id" text,
	"status" text NOT NULL,
	"reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rollout_items_rollout_id_instance_id_pk" PRIMARY KEY("rollout_id","instance_id")
);
--> statement-breakpoint
CREATE TABLE "rollouts" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"params" jsonb NOT NULL,
	"target" jsonb NOT NULL,
	"wave_size" integer NOT NULL,
	"pause_between_sec" integer NOT NULL,
	"max_failure_rate" double precision NOT NULL,
	"min_executed" integer NOT NULL,
	"expires_in_sec" integer,
	"status" text NOT NULL,
	"current_wave" integer DEFAULT -1 NOT NULL,
	"next_wave_at" timestamp with time zone,
	"reason" text,
	"created_by" text NOT NULL,
	"created_by_email" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "commands" ADD COLUMN "rollout_id" text;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "labels" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "rollout_items" ADD CONSTRAINT "rollout_items_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "announcements_created_idx" ON "announcements" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "backups_instance_idx" ON "backups" USING btree ("instance_id","created_at");--> statement-breakpoint
CREATE INDEX "console_sessions_instance_idx" ON "console_sessions" USING btree ("instance_id","created_at");--> statement-breakpoint
CREATE INDEX "rollout_items_command_idx" ON "rollout_items" USING btree ("command_id");--> statement-breakpoint
CREATE INDEX "rollouts_status_idx" ON "rollouts" USING btree ("status");