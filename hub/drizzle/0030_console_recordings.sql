CREATE TABLE "console_recordings" (
	"session_id" text PRIMARY KEY NOT NULL,
	"gz" "bytea" NOT NULL,
	"bytes" bigint NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL
);
