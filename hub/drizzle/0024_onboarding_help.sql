CREATE TABLE "onboarding_help_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"author" text NOT NULL,
	"user_id" text,
	"text" text NOT NULL,
	"status" text NOT NULL,
	"reply_to" text,
	"facts" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "welcome_mails" (
	"client_id" text NOT NULL,
	"day" integer NOT NULL,
	"to_address" text NOT NULL,
	"subject" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "welcome_mails_client_id_day_pk" PRIMARY KEY("client_id","day")
);
--> statement-breakpoint
CREATE TABLE "welcome_preferences" (
	"client_id" text PRIMARY KEY NOT NULL,
	"opted_out_at" timestamp with time zone,
	"opted_out_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "onboarding_help_client_idx" ON "onboarding_help_messages" USING btree ("client_id","created_at");--> statement-breakpoint
CREATE INDEX "onboarding_help_status_idx" ON "onboarding_help_messages" USING btree ("status");