CREATE TABLE "change_snapshots" (
	"id" text PRIMARY KEY NOT NULL,
	"instance_id" text NOT NULL,
	"client_id" text,
	"command_id" text NOT NULL,
	"command_type" text NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"info" jsonb NOT NULL,
	"outcome" text NOT NULL,
	"failed_check" text,
	"checks" jsonb,
	"restored_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "change_snapshots_instance_idx" ON "change_snapshots" USING btree ("instance_id","taken_at");