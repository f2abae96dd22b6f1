CREATE TABLE "credential_keys" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "credential_keys_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"key_id" text NOT NULL,
	"public_key" jsonb NOT NULL,
	"encrypted_secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "credential_keys_key_id" CHECK ("key_id" ~ '^key-[0-9]{1,9}$')
);
--> statement-breakpoint
CREATE UNIQUE INDEX "credential_keys_key_id_unique" ON "credential_keys" ("key_id");--> statement-breakpoint
CREATE UNIQUE INDEX "credential_keys_one_active" ON "credential_keys" ((true)) WHERE "retired_at" is null;