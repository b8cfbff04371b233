ALTER TABLE "instance_credentials" ADD COLUMN "mosquitto_hash" text;--> statement-breakpoint
ALTER TABLE "instance_credentials" ADD COLUMN "next_mosquitto_hash" text;