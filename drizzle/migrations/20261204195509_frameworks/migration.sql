CREATE TABLE "badge_alignments" (
	"badge_id" integer,
	"standard_id" integer,
	CONSTRAINT "badge_alignments_pkey" PRIMARY KEY("badge_id","standard_id")
);
--> statement-breakpoint
CREATE TABLE "framework_standards" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "framework_standards_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"framework_id" integer NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"summary" text NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "framework_standards_code_unique" UNIQUE("framework_id","code"),
	CONSTRAINT "framework_standards_code_length" CHECK (char_length("code") between 1 and 20),
	CONSTRAINT "framework_standards_name_length" CHECK (char_length("name") between 1 and 120),
	CONSTRAINT "framework_standards_summary_length" CHECK (char_length("summary") between 1 and 300)
);
--> statement-breakpoint
CREATE TABLE "frameworks" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "frameworks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"district_id" integer,
	"name" text NOT NULL,
	"url" text,
	"created_by_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "frameworks_name_length" CHECK (char_length("name") between 1 and 200),
	CONSTRAINT "frameworks_url" CHECK ("url" is null or "url" ~ '^https?://')
);
--> statement-breakpoint
CREATE INDEX "badge_alignments_standard_idx" ON "badge_alignments" ("standard_id");--> statement-breakpoint
CREATE INDEX "framework_standards_order_idx" ON "framework_standards" ("framework_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "frameworks_district_name_unique" ON "frameworks" (coalesce("district_id", 0),lower("name"));--> statement-breakpoint
ALTER TABLE "badge_alignments" ADD CONSTRAINT "badge_alignments_badge_id_badges_id_fkey" FOREIGN KEY ("badge_id") REFERENCES "badges"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "badge_alignments" ADD CONSTRAINT "badge_alignments_standard_id_framework_standards_id_fkey" FOREIGN KEY ("standard_id") REFERENCES "framework_standards"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "framework_standards" ADD CONSTRAINT "framework_standards_framework_id_frameworks_id_fkey" FOREIGN KEY ("framework_id") REFERENCES "frameworks"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "frameworks" ADD CONSTRAINT "frameworks_district_id_districts_id_fkey" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "frameworks" ADD CONSTRAINT "frameworks_created_by_id_users_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL;