CREATE TABLE "badge_rule_badges" (
	"rule_id" integer,
	"badge_id" integer,
	CONSTRAINT "badge_rule_badges_pkey" PRIMARY KEY("rule_id","badge_id")
);
--> statement-breakpoint
CREATE TABLE "badge_rules" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "badge_rules_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"badge_id" integer NOT NULL,
	"kind" text NOT NULL,
	"threshold" integer NOT NULL,
	"min_minutes" integer DEFAULT 0 NOT NULL,
	"created_by_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "badge_rules_kind" CHECK ("kind" in ('sessions_attended', 'replies_posted', 'threads_started', 'reactions_received', 'pathway')),
	CONSTRAINT "badge_rules_threshold" CHECK ("threshold" between 1 and 10000),
	CONSTRAINT "badge_rules_min_minutes" CHECK ("min_minutes" between 0 and 720)
);
--> statement-breakpoint
CREATE TABLE "evidence_files" (
	"revision_id" integer,
	"upload_id" integer,
	"position" integer NOT NULL,
	CONSTRAINT "evidence_files_pkey" PRIMARY KEY("revision_id","upload_id")
);
--> statement-breakpoint
CREATE TABLE "evidence_reviews" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "evidence_reviews_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"submission_id" integer NOT NULL,
	"revision_id" integer NOT NULL,
	"reviewer_id" integer,
	"decision" text NOT NULL,
	"feedback" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evidence_reviews_decision" CHECK ("decision" in ('approved', 'changes_requested', 'declined')),
	CONSTRAINT "evidence_reviews_feedback_length" CHECK (char_length("feedback") <= 5000)
);
--> statement-breakpoint
CREATE TABLE "evidence_revisions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "evidence_revisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"submission_id" integer NOT NULL,
	"number" integer NOT NULL,
	"reflection" text NOT NULL,
	"links" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evidence_revisions_reflection_length" CHECK (char_length("reflection") between 1 and 10000),
	CONSTRAINT "evidence_revisions_links" CHECK (cardinality("links") <= 10)
);
--> statement-breakpoint
CREATE TABLE "evidence_submissions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "evidence_submissions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"badge_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evidence_submissions_status" CHECK ("status" in ('pending', 'changes_requested', 'approved', 'declined', 'withdrawn'))
);
--> statement-breakpoint
CREATE TABLE "uploads" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "uploads_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"owner_id" integer,
	"purpose" text NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"byte_size" integer NOT NULL,
	"sha256" text NOT NULL,
	"content" bytea NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "uploads_purpose" CHECK ("purpose" in ('badge_image', 'evidence')),
	CONSTRAINT "uploads_file_name_length" CHECK (char_length("file_name") between 1 and 255),
	CONSTRAINT "uploads_byte_size" CHECK ("byte_size" between 1 and 26214400)
);
--> statement-breakpoint
ALTER TABLE "badge_awards" ADD COLUMN "source" text DEFAULT 'manual' NOT NULL;--> statement-breakpoint
ALTER TABLE "badge_awards" ADD COLUMN "rule_id" integer;--> statement-breakpoint
ALTER TABLE "badge_awards" ADD COLUMN "submission_id" integer;--> statement-breakpoint
ALTER TABLE "badges" ADD COLUMN "district_id" integer;--> statement-breakpoint
ALTER TABLE "badges" ADD COLUMN "image_upload_id" integer;--> statement-breakpoint
ALTER TABLE "badges" ADD COLUMN "image_template" jsonb;--> statement-breakpoint
ALTER TABLE "badges" ALTER COLUMN "community_id" DROP NOT NULL;--> statement-breakpoint
CREATE INDEX "badge_rule_badges_badge_idx" ON "badge_rule_badges" ("badge_id");--> statement-breakpoint
CREATE INDEX "badge_rules_badge_idx" ON "badge_rules" ("badge_id");--> statement-breakpoint
CREATE INDEX "badge_rules_kind_idx" ON "badge_rules" ("kind");--> statement-breakpoint
CREATE INDEX "badges_district_idx" ON "badges" ("district_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "badges_district_name_unique" ON "badges" ("district_id",lower("name"));--> statement-breakpoint
CREATE INDEX "evidence_files_upload_idx" ON "evidence_files" ("upload_id");--> statement-breakpoint
CREATE INDEX "evidence_reviews_submission_idx" ON "evidence_reviews" ("submission_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_revisions_number_unique" ON "evidence_revisions" ("submission_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_submissions_one_open" ON "evidence_submissions" ("badge_id","user_id") WHERE "status" in ('pending', 'changes_requested');--> statement-breakpoint
CREATE INDEX "evidence_submissions_queue_idx" ON "evidence_submissions" ("badge_id","status","id");--> statement-breakpoint
CREATE INDEX "evidence_submissions_user_idx" ON "evidence_submissions" ("user_id","id");--> statement-breakpoint
CREATE INDEX "uploads_owner_idx" ON "uploads" ("owner_id","id");--> statement-breakpoint
ALTER TABLE "badge_awards" ADD CONSTRAINT "badge_awards_rule_id_badge_rules_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "badge_rules"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "badge_awards" ADD CONSTRAINT "badge_awards_submission_id_evidence_submissions_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "evidence_submissions"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "badge_rule_badges" ADD CONSTRAINT "badge_rule_badges_rule_id_badge_rules_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "badge_rules"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "badge_rule_badges" ADD CONSTRAINT "badge_rule_badges_badge_id_badges_id_fkey" FOREIGN KEY ("badge_id") REFERENCES "badges"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "badge_rules" ADD CONSTRAINT "badge_rules_badge_id_badges_id_fkey" FOREIGN KEY ("badge_id") REFERENCES "badges"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "badge_rules" ADD CONSTRAINT "badge_rules_created_by_id_users_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "badges" ADD CONSTRAINT "badges_district_id_districts_id_fkey" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "badges" ADD CONSTRAINT "badges_image_upload_id_uploads_id_fkey" FOREIGN KEY ("image_upload_id") REFERENCES "uploads"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "evidence_files" ADD CONSTRAINT "evidence_files_revision_id_evidence_revisions_id_fkey" FOREIGN KEY ("revision_id") REFERENCES "evidence_revisions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "evidence_files" ADD CONSTRAINT "evidence_files_upload_id_uploads_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "uploads"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "evidence_reviews" ADD CONSTRAINT "evidence_reviews_submission_id_evidence_submissions_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "evidence_submissions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "evidence_reviews" ADD CONSTRAINT "evidence_reviews_revision_id_evidence_revisions_id_fkey" FOREIGN KEY ("revision_id") REFERENCES "evidence_revisions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "evidence_reviews" ADD CONSTRAINT "evidence_reviews_reviewer_id_users_id_fkey" FOREIGN KEY ("reviewer_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "evidence_revisions" ADD CONSTRAINT "evidence_revisions_submission_id_evidence_submissions_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "evidence_submissions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "evidence_submissions" ADD CONSTRAINT "evidence_submissions_badge_id_badges_id_fkey" FOREIGN KEY ("badge_id") REFERENCES "badges"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "evidence_submissions" ADD CONSTRAINT "evidence_submissions_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_owner_id_users_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "badge_awards" ADD CONSTRAINT "badge_awards_source" CHECK ("source" in ('manual', 'rule', 'review'));--> statement-breakpoint
ALTER TABLE "badges" ADD CONSTRAINT "badges_one_issuer" CHECK (("community_id" is null) <> ("district_id" is null));--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_kind", ADD CONSTRAINT "notifications_kind" CHECK ("kind" in ('reply', 'badge_awarded', 'seat_confirmed', 'starting_soon', 'evidence_submitted', 'review_result', 'badge_revoked'));