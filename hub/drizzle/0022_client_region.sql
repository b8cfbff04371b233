ALTER TABLE "backups" ADD COLUMN "storage_region" text;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "location" text;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "location_city" text;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "location_country" text;