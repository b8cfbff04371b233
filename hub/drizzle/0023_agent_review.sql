CREATE TABLE "invoice_holds" (
	"client_id" text NOT NULL,
	"period" text NOT NULL,
	"reason" text NOT NULL,
	"evidence" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"held_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cleared_by" text,
	"cleared_at" timestamp with time zone,
	"clear_note" text,
	CONSTRAINT "invoice_holds_client_id_period_pk" PRIMARY KEY("client_id","period")
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "escalation_reason" text;