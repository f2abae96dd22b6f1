CREATE TABLE "live_series" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "live_series_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"community_id" integer NOT NULL,
	"host_id" integer,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"join_url" text,
	"capacity" integer,
	"time_zone" text NOT NULL,
	"frequency" text NOT NULL,
	"interval" integer NOT NULL,
	"monthly_kind" text,
	"start_date" date NOT NULL,
	"start_time" time NOT NULL,
	"duration_seconds" integer NOT NULL,
	"until" date,
	"count" integer,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "live_series_title_length" CHECK (char_length("title") between 1 and 200),
	CONSTRAINT "live_series_description_length" CHECK (char_length("description") <= 5000),
	CONSTRAINT "live_series_frequency" CHECK ("frequency" in ('weekly', 'monthly')),
	CONSTRAINT "live_series_interval" CHECK (("frequency" = 'weekly' and "interval" between 1 and 4 and "monthly_kind" is null)
        or ("frequency" = 'monthly' and "interval" between 1 and 12 and "monthly_kind" in ('day_of_month', 'nth_weekday', 'last_weekday'))),
	CONSTRAINT "live_series_end" CHECK (("until" is null) <> ("count" is null) and ("count" is null or "count" between 1 and 52)),
	CONSTRAINT "live_series_duration" CHECK ("duration_seconds" between 1 and 43200)
);
--> statement-breakpoint
ALTER TABLE "live_sessions" ADD COLUMN "series_id" integer;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD COLUMN "occurrence_index" integer;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD COLUMN "detached_from_series" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD CONSTRAINT "live_sessions_series_occurrence_unique" UNIQUE("series_id","occurrence_index");--> statement-breakpoint
CREATE INDEX "live_series_community_idx" ON "live_series" ("community_id","id");--> statement-breakpoint
ALTER TABLE "live_series" ADD CONSTRAINT "live_series_community_id_communities_id_fkey" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_series" ADD CONSTRAINT "live_series_host_id_users_id_fkey" FOREIGN KEY ("host_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD CONSTRAINT "live_sessions_series_id_live_series_id_fkey" FOREIGN KEY ("series_id") REFERENCES "live_series"("id") ON DELETE SET NULL;