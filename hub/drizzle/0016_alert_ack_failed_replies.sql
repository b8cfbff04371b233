ALTER TABLE "conversation_messages" ADD COLUMN "error" text;--> statement-breakpoint
ALTER TABLE "notification_groups" ADD COLUMN "acked" boolean DEFAULT false NOT NULL;