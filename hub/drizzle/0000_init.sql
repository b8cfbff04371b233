CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"client_id" text,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"industry" text DEFAULT '' NOT NULL,
	"plan" text DEFAULT 'starter' NOT NULL,
	"status" text DEFAULT 'onboarding' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "command_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"command_id" text NOT NULL,
	"t" timestamp with time zone NOT NULL,
	"state" text NOT NULL,
	"progress" jsonb,
	"result" jsonb,
	"error" jsonb
);
--> statement-breakpoint
CREATE TABLE "commands" (
	"id" text PRIMARY KEY NOT NULL,
	"instance_id" text NOT NULL,
	"type" text NOT NULL,
	"params" jsonb NOT NULL,
	"status" text NOT NULL,
	"issued_by" text NOT NULL,
	"idempotency_key" text,
	"issued_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	"progress" jsonb,
	"result" jsonb,
	"error" jsonb
);
--> statement-breakpoint
CREATE TABLE "conversation_messages" (
	"instance_id" text NOT NULL,
	"message_id" text NOT NULL,
	"t" timestamp with time zone NOT NULL,
	"session_key" text NOT NULL,
	"channel" text NOT NULL,
	"role" text NOT NULL,
	"text" text NOT NULL,
	"tokens_in" integer DEFAULT 0 NOT NULL,
	"tokens_out" integer DEFAULT 0 NOT NULL,
	"cost" double precision DEFAULT 0 NOT NULL,
	"model" text,
	"provider" text,
	"latency_ms" integer,
	CONSTRAINT "conversation_messages_instance_id_message_id_pk" PRIMARY KEY("instance_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"instance_id" text NOT NULL,
	"t" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"severity" text NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "ingest_cursors" (
	"instance_id" text NOT NULL,
	"boot_id" text NOT NULL,
	"stream" text NOT NULL,
	"contiguous" bigint DEFAULT -1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ingest_cursors_instance_id_boot_id_stream_pk" PRIMARY KEY("instance_id","boot_id","stream")
);
--> statement-breakpoint
CREATE TABLE "ingest_gaps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"instance_id" text NOT NULL,
	"boot_id" text NOT NULL,
	"stream" text NOT NULL,
	"from_seq" bigint NOT NULL,
	"to_seq" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ingest_seen" (
	"instance_id" text NOT NULL,
	"boot_id" text NOT NULL,
	"stream" text NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "ingest_seen_instance_id_boot_id_stream_seq_pk" PRIMARY KEY("instance_id","boot_id","stream","seq")
);
--> statement-breakpoint
CREATE TABLE "instance_credentials" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rotated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "instances" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"hostname" text NOT NULL,
	"presence" text,
	"last_seen" timestamp with time zone,
	"paused" boolean DEFAULT false NOT NULL,
	"sidecar_version" text,
	"openclaw_version" text,
	"capabilities" jsonb,
	"hello" jsonb,
	"openclaw" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_lines" (
	"instance_id" text NOT NULL,
	"t" timestamp with time zone NOT NULL,
	"level" text NOT NULL,
	"subsystem" text DEFAULT '' NOT NULL,
	"msg" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metric_rollups_1h" (
	"instance_id" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"samples" integer NOT NULL,
	"cpu" real,
	"memory" real,
	"disk" real,
	"load1" real,
	"load5" real,
	"load15" real,
	"swap" real,
	"net_rx" double precision,
	"net_tx" double precision,
	"uptime" double precision,
	"openclaw_cpu" real,
	"openclaw_rss" double precision,
	CONSTRAINT "metric_rollups_1h_instance_id_bucket_pk" PRIMARY KEY("instance_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "metric_rollups_1m" (
	"instance_id" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"samples" integer NOT NULL,
	"cpu" real,
	"memory" real,
	"disk" real,
	"load1" real,
	"load5" real,
	"load15" real,
	"swap" real,
	"net_rx" double precision,
	"net_tx" double precision,
	"uptime" double precision,
	"openclaw_cpu" real,
	"openclaw_rss" double precision,
	CONSTRAINT "metric_rollups_1m_instance_id_bucket_pk" PRIMARY KEY("instance_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "metric_samples" (
	"instance_id" text NOT NULL,
	"t" timestamp with time zone NOT NULL,
	"cpu" real,
	"memory" real,
	"disk" real,
	"load1" real,
	"load5" real,
	"load15" real,
	"swap" real,
	"net_rx" double precision,
	"net_tx" double precision,
	"uptime" double precision,
	"openclaw_cpu" real,
	"openclaw_rss" double precision
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"client_id" text,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
ALTER TABLE "commands" ADD CONSTRAINT "commands_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instance_credentials" ADD CONSTRAINT "instance_credentials_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instances" ADD CONSTRAINT "instances_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_t_idx" ON "audit_log" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "command_results_command_idx" ON "command_results" USING btree ("command_id");--> statement-breakpoint
CREATE INDEX "commands_instance_idx" ON "commands" USING btree ("instance_id","issued_at");--> statement-breakpoint
CREATE INDEX "commands_status_idx" ON "commands" USING btree ("status","expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "commands_idempotency_idx" ON "commands" USING btree ("instance_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "conversation_messages_instance_t_idx" ON "conversation_messages" USING btree ("instance_id","t");--> statement-breakpoint
CREATE INDEX "events_instance_t_idx" ON "events" USING btree ("instance_id","t");--> statement-breakpoint
CREATE INDEX "instances_client_idx" ON "instances" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "log_lines_instance_t_idx" ON "log_lines" USING btree ("instance_id","t");--> statement-breakpoint
CREATE INDEX "metric_samples_instance_t_idx" ON "metric_samples" USING btree ("instance_id","t");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");