CREATE TABLE "sso_domain_claims" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"domain" text NOT NULL,
	"token" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"verified_by" text,
	"verified_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sso_domain_claims" ADD CONSTRAINT "sso_domain_claims_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sso_domain_claims_client_domain_idx" ON "sso_domain_claims" USING btree ("client_id","domain");--> statement-breakpoint
CREATE UNIQUE INDEX "sso_domain_claims_verified_idx" ON "sso_domain_claims" USING btree ("domain") WHERE status = 'verified';--> statement-breakpoint
CREATE INDEX "sso_domain_claims_domain_idx" ON "sso_domain_claims" USING btree ("domain");