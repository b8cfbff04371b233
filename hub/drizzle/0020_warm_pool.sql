CREATE TABLE "pool_servers" (
	"id" text PRIMARY KEY NOT NULL,
	"location" text NOT NULL,
	"server_type" text NOT NULL,
	"image" text NOT NULL,
	"openclaw_version" text NOT NULL,
	"sidecar_sha256" text NOT NULL,
	"state" text NOT NULL,
	"instance_id" text NOT NULL,
	"server_name" text NOT NULL,
	"server_id" bigint,
	"action_id" bigint,
	"ipv4" text,
	"tailnet_key_id" text,
	"tailnet_device_id" text,
	"tailnet_ip" text,
	"tailnet_name" text,
	"secret_hash" text,
	"mosquitto_hash" text,
	"monthly_price" double precision,
	"deployment_id" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ready_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "pool_servers_location_idx" ON "pool_servers" USING btree ("location","state");