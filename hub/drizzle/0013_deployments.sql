CREATE TABLE "deployments" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"instance_id" text NOT NULL,
	"kind" text DEFAULT 'deploy' NOT NULL,
	"status" text NOT NULL,
	"provider" text DEFAULT 'hetzner' NOT NULL,
	"location" text NOT NULL,
	"server_type" text NOT NULL,
	"image" text NOT NULL,
	"steps" jsonb NOT NULL,
	"server_id" bigint,
	"server_name" text NOT NULL,
	"action_id" bigint,
	"ipv4" text,
	"tailnet_ip" text,
	"tailnet_name" text,
	"tailnet_device_id" text,
	"tailnet_key_id" text,
	"monthly_price" double precision,
	"error" jsonb,
	"cleanup" jsonb,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "instance_hosts" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"server_id" bigint,
	"server_name" text NOT NULL,
	"server_type" text NOT NULL,
	"location" text NOT NULL,
	"country" text,
	"ipv4" text,
	"tailnet_ip" text,
	"tailnet_name" text,
	"tailnet_device_id" text,
	"monthly_price" double precision,
	"state" text DEFAULT 'running' NOT NULL,
	"snapshot_id" bigint,
	"operation" jsonb,
	"deployment_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instance_hosts" ADD CONSTRAINT "instance_hosts_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deployments_client_idx" ON "deployments" USING btree ("client_id","created_at");--> statement-breakpoint
CREATE INDEX "deployments_status_idx" ON "deployments" USING btree ("status");