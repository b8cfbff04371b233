CREATE TABLE "billing_plans" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"currency" text DEFAULT 'EUR' NOT NULL,
	"price_cents" integer NOT NULL,
	"included_messages" integer NOT NULL,
	"included_tokens" bigint NOT NULL,
	"overage_per_1k_messages_cents" integer NOT NULL,
	"models" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"hard_limit" text DEFAULT 'none' NOT NULL,
	"fallback_model" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "client_billing" (
	"client_id" text PRIMARY KEY NOT NULL,
	"country" text,
	"vat_id" text,
	"billing_email" text,
	"company_name" text,
	"address" text,
	"budget_soft_cents" integer,
	"budget_hard_cents" integer,
	"hard_limit" text,
	"enforcement" jsonb,
	"soft_warned_period" text,
	"stripe_customer_id" text,
	"paused_for_dunning" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dunning_log" (
	"invoice_id" text NOT NULL,
	"stage" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"email" text,
	"action" text,
	CONSTRAINT "dunning_log_invoice_id_stage_pk" PRIMARY KEY("invoice_id","stage")
);
--> statement-breakpoint
CREATE TABLE "invoice_counters" (
	"series" text PRIMARY KEY NOT NULL,
	"last" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" text PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"kind" text DEFAULT 'invoice' NOT NULL,
	"client_id" text NOT NULL,
	"period" text NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"lines" jsonb NOT NULL,
	"subtotal" integer NOT NULL,
	"tax_rate" double precision NOT NULL,
	"tax_note" text,
	"tax" integer NOT NULL,
	"total" integer NOT NULL,
	"bill_to" jsonb NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"credit_for" text,
	"stripe_invoice_id" text,
	"pay_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invoices_number_unique" UNIQUE("number")
);
--> statement-breakpoint
CREATE TABLE "plan_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"from_plan" text,
	"to_plan" text,
	"from_status" text,
	"to_status" text,
	"actor" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_daily" (
	"client_id" text NOT NULL,
	"instance_id" text NOT NULL,
	"model" text DEFAULT '' NOT NULL,
	"channel" text DEFAULT '' NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	"replies" integer DEFAULT 0 NOT NULL,
	"tokens_in" bigint DEFAULT 0 NOT NULL,
	"tokens_out" bigint DEFAULT 0 NOT NULL,
	"cost" double precision DEFAULT 0 NOT NULL,
	"latency_sum" bigint DEFAULT 0 NOT NULL,
	"latency_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_daily_client_id_bucket_instance_id_model_channel_pk" PRIMARY KEY("client_id","bucket","instance_id","model","channel")
);
--> statement-breakpoint
CREATE TABLE "usage_hourly" (
	"client_id" text NOT NULL,
	"instance_id" text NOT NULL,
	"model" text DEFAULT '' NOT NULL,
	"channel" text DEFAULT '' NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	"replies" integer DEFAULT 0 NOT NULL,
	"tokens_in" bigint DEFAULT 0 NOT NULL,
	"tokens_out" bigint DEFAULT 0 NOT NULL,
	"cost" double precision DEFAULT 0 NOT NULL,
	"latency_sum" bigint DEFAULT 0 NOT NULL,
	"latency_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_hourly_client_id_bucket_instance_id_model_channel_pk" PRIMARY KEY("client_id","bucket","instance_id","model","channel")
);
--> statement-breakpoint
CREATE INDEX "invoices_client_idx" ON "invoices" USING btree ("client_id","period");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_client_period_idx" ON "invoices" USING btree ("client_id","period") WHERE kind = 'invoice';--> statement-breakpoint
CREATE INDEX "plan_changes_client_idx" ON "plan_changes" USING btree ("client_id","at");--> statement-breakpoint
CREATE INDEX "usage_daily_bucket_idx" ON "usage_daily" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "usage_hourly_bucket_idx" ON "usage_hourly" USING btree ("bucket");