CREATE TABLE "embed_key_communities" (
	"embed_key_id" integer,
	"community_id" integer,
	CONSTRAINT "embed_key_communities_pkey" PRIMARY KEY("embed_key_id","community_id")
);
--> statement-breakpoint
CREATE TABLE "embed_key_usage" (
	"embed_key_id" integer,
	"day" date,
	"requests" integer DEFAULT 0 NOT NULL,
	"subscriptions" integer DEFAULT 0 NOT NULL,
	"frames" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "embed_key_usage_pkey" PRIMARY KEY("embed_key_id","day")
);
--> statement-breakpoint
CREATE TABLE "embed_keys" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "embed_keys_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"public_key" text NOT NULL UNIQUE,
	"name" text NOT NULL,
	"community_id" integer,
	"district_id" integer,
	"allowed_origins" text[] NOT NULL,
	"district_read_accepted_at" timestamp with time zone,
	"district_read_accepted_by" integer,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" integer,
	"use_count" integer DEFAULT 0 NOT NULL,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "embed_keys_one_owner" CHECK (("community_id" is null) <> ("district_id" is null)),
	CONSTRAINT "embed_keys_district_read_only_for_district_keys" CHECK ("district_read_accepted_at" is null or "district_id" is not null),
	CONSTRAINT "embed_keys_name_length" CHECK (char_length("name") between 1 and 80),
	CONSTRAINT "embed_keys_origin_count" CHECK (cardinality("allowed_origins") between 1 and 20)
);
--> statement-breakpoint
ALTER TABLE "auth_sessions" ADD COLUMN "embed_key_id" integer;--> statement-breakpoint
ALTER TABLE "auth_sessions" ADD COLUMN "origin" text;--> statement-breakpoint
CREATE INDEX "embed_key_communities_community_idx" ON "embed_key_communities" ("community_id");--> statement-breakpoint
CREATE INDEX "embed_keys_community_idx" ON "embed_keys" ("community_id");--> statement-breakpoint
CREATE INDEX "embed_keys_district_idx" ON "embed_keys" ("district_id");--> statement-breakpoint
ALTER TABLE "embed_key_communities" ADD CONSTRAINT "embed_key_communities_embed_key_id_embed_keys_id_fkey" FOREIGN KEY ("embed_key_id") REFERENCES "embed_keys"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "embed_key_communities" ADD CONSTRAINT "embed_key_communities_community_id_communities_id_fkey" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "embed_key_usage" ADD CONSTRAINT "embed_key_usage_embed_key_id_embed_keys_id_fkey" FOREIGN KEY ("embed_key_id") REFERENCES "embed_keys"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "embed_keys" ADD CONSTRAINT "embed_keys_community_id_communities_id_fkey" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "embed_keys" ADD CONSTRAINT "embed_keys_district_id_districts_id_fkey" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "embed_keys" ADD CONSTRAINT "embed_keys_district_read_accepted_by_users_id_fkey" FOREIGN KEY ("district_read_accepted_by") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "embed_keys" ADD CONSTRAINT "embed_keys_created_by_users_id_fkey" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "embed_keys" ADD CONSTRAINT "embed_keys_revoked_by_users_id_fkey" FOREIGN KEY ("revoked_by") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_embed_key_id_embed_keys_id_fkey" FOREIGN KEY ("embed_key_id") REFERENCES "embed_keys"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_widget_binding" CHECK (("kind" = 'widget') = ("embed_key_id" is not null and "origin" is not null));--> statement-breakpoint
ALTER TABLE "auth_sessions" DROP CONSTRAINT "auth_sessions_kind", ADD CONSTRAINT "auth_sessions_kind" CHECK ("kind" in ('cookie', 'bearer', 'api_token', 'widget'));