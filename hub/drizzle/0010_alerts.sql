CREATE TABLE "alert_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"alert_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"client_id" text,
	"instance_id" text,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL,
	"value" double precision,
	"t" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_instances" (
	"id" text PRIMARY KEY NOT NULL,
	"rule_id" text NOT NULL,
	"labels" jsonb NOT NULL,
	"annotations" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"client_id" text,
	"instance_id" text,
	"state" text NOT NULL,
	"severity" text NOT NULL,
	"value" double precision,
	"active_at" timestamp with time zone,
	"fired_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"last_true_at" timestamp with time zone,
	"acked_by" text,
	"acked_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"threshold" double precision,
	"for_sec" integer DEFAULT 0 NOT NULL,
	"keep_firing_sec" integer DEFAULT 0 NOT NULL,
	"severity" text NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"annotations" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"scope" text DEFAULT 'fleet' NOT NULL,
	"scope_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_silences" (
	"id" text PRIMARY KEY NOT NULL,
	"matchers" jsonb NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"comment" text NOT NULL,
	"client_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_channels" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"config" jsonb NOT NULL,
	"route" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"group_by" jsonb DEFAULT '["alertname","client"]'::jsonb NOT NULL,
	"group_wait_sec" integer DEFAULT 10 NOT NULL,
	"group_interval_sec" integer DEFAULT 60 NOT NULL,
	"repeat_interval_sec" integer DEFAULT 14400 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_groups" (
	"channel_id" text NOT NULL,
	"group_key" text NOT NULL,
	"labels" jsonb NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_sent_at" timestamp with time zone,
	"sent_firing" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "notification_groups_channel_id_group_key_pk" PRIMARY KEY("channel_id","group_key")
);
--> statement-breakpoint
CREATE TABLE "notification_outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"kind" text NOT NULL,
	"action" text NOT NULL,
	"group_key" text,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_status" integer,
	"last_error" text,
	"response" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "maintenance_windows" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"name" text NOT NULL,
	"time_zone" text NOT NULL,
	"start_date" text NOT NULL,
	"start_time" text NOT NULL,
	"duration_min" integer NOT NULL,
	"days" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"until_date" text,
	"rule_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "alert_history_t_idx" ON "alert_history" USING btree ("t");--> statement-breakpoint
CREATE INDEX "alert_history_alert_idx" ON "alert_history" USING btree ("alert_id","t");--> statement-breakpoint
CREATE INDEX "alert_instances_state_idx" ON "alert_instances" USING btree ("state");--> statement-breakpoint
CREATE INDEX "alert_instances_client_idx" ON "alert_instances" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "notification_outbox_due_idx" ON "notification_outbox" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "notification_outbox_channel_idx" ON "notification_outbox" USING btree ("channel_id","created_at");