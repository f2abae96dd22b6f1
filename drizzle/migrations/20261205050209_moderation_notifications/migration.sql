CREATE TABLE "reports" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reports_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"community_id" integer NOT NULL,
	"subject_kind" text NOT NULL,
	"thread_id" integer,
	"post_id" integer,
	"chat_message_id" integer,
	"subject_user_id" integer,
	"reporter_id" integer,
	"reason" text NOT NULL,
	"details" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"action" text,
	"resolution_note" text,
	"muted_until" timestamp with time zone,
	"resolved_by_id" integer,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reports_subject_kind" CHECK ("subject_kind" in ('thread', 'post', 'chat_message', 'person')),
	CONSTRAINT "reports_subject_ids" CHECK (("subject_kind" = 'thread') = ("thread_id" is not null and "post_id" is null and "chat_message_id" is null) and ("subject_kind" = 'post') = ("post_id" is not null) and ("subject_kind" = 'chat_message') = ("chat_message_id" is not null) and ("subject_kind" <> 'person' or ("subject_user_id" is not null and "thread_id" is null and "post_id" is null and "chat_message_id" is null))),
	CONSTRAINT "reports_reason" CHECK ("reason" in ('spam', 'harassment', 'inappropriate', 'off_topic', 'privacy', 'other', 'held_link')),
	CONSTRAINT "reports_details_length" CHECK (char_length("details") <= 1000),
	CONSTRAINT "reports_status" CHECK ("status" in ('open', 'resolved')),
	CONSTRAINT "reports_action" CHECK (("status" = 'open') = ("action" is null) and ("action" is null or "action" in ('dismissed', 'approved', 'removed', 'warned', 'muted', 'banned'))),
	CONSTRAINT "reports_resolution_note_length" CHECK (char_length("resolution_note") <= 1000)
);
--> statement-breakpoint
CREATE TABLE "user_blocks" (
	"blocker_id" integer,
	"blocked_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_blocks_pkey" PRIMARY KEY("blocker_id","blocked_id"),
	CONSTRAINT "user_blocks_not_self" CHECK ("blocker_id" <> "blocked_id")
);
--> statement-breakpoint
CREATE TABLE "follows" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "follows_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" integer NOT NULL,
	"thread_id" integer,
	"community_id" integer,
	"state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "follows_one_target" CHECK (("thread_id" is null) <> ("community_id" is null)),
	CONSTRAINT "follows_state" CHECK ("state" in ('following', 'muted'))
);
--> statement-breakpoint
CREATE TABLE "notification_settings" (
	"user_id" integer PRIMARY KEY,
	"delivery" text DEFAULT 'in_app' NOT NULL,
	"last_digest_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_settings_delivery" CHECK ("delivery" in ('in_app', 'email', 'daily_digest', 'weekly_digest'))
);
--> statement-breakpoint
CREATE TABLE "thread_reads" (
	"user_id" integer,
	"thread_id" integer,
	"last_read_post_id" integer DEFAULT 0 NOT NULL,
	"read_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "thread_reads_pkey" PRIMARY KEY("user_id","thread_id")
);
--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "muted_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "mailed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "removed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "removed_by_id" integer;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "removal_reason" text;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "held_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "removed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "removed_by_id" integer;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "removal_reason" text;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "held_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "reports_community_status_idx" ON "reports" ("community_id","status","id");--> statement-breakpoint
CREATE INDEX "reports_reporter_idx" ON "reports" ("reporter_id","id");--> statement-breakpoint
CREATE INDEX "reports_subject_user_idx" ON "reports" ("subject_user_id");--> statement-breakpoint
CREATE INDEX "user_blocks_blocked_idx" ON "user_blocks" ("blocked_id");--> statement-breakpoint
CREATE UNIQUE INDEX "follows_user_thread_unique" ON "follows" ("user_id","thread_id") WHERE "thread_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "follows_user_community_unique" ON "follows" ("user_id","community_id") WHERE "community_id" is not null;--> statement-breakpoint
CREATE INDEX "follows_thread_idx" ON "follows" ("thread_id");--> statement-breakpoint
CREATE INDEX "follows_community_idx" ON "follows" ("community_id");--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_community_id_communities_id_fkey" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_thread_id_threads_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_post_id_posts_id_fkey" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_chat_message_id_chat_messages_id_fkey" FOREIGN KEY ("chat_message_id") REFERENCES "chat_messages"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_subject_user_id_users_id_fkey" FOREIGN KEY ("subject_user_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_reporter_id_users_id_fkey" FOREIGN KEY ("reporter_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_resolved_by_id_users_id_fkey" FOREIGN KEY ("resolved_by_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "user_blocks" ADD CONSTRAINT "user_blocks_blocker_id_users_id_fkey" FOREIGN KEY ("blocker_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "user_blocks" ADD CONSTRAINT "user_blocks_blocked_id_users_id_fkey" FOREIGN KEY ("blocked_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "follows" ADD CONSTRAINT "follows_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "follows" ADD CONSTRAINT "follows_thread_id_threads_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "follows" ADD CONSTRAINT "follows_community_id_communities_id_fkey" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "notification_settings" ADD CONSTRAINT "notification_settings_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "thread_reads" ADD CONSTRAINT "thread_reads_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "thread_reads" ADD CONSTRAINT "thread_reads_thread_id_threads_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_removed_by_id_users_id_fkey" FOREIGN KEY ("removed_by_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_removed_by_id_users_id_fkey" FOREIGN KEY ("removed_by_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_removal_reason_length" CHECK (char_length("removal_reason") <= 500);--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_removal_reason_length" CHECK (char_length("removal_reason") <= 500);--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_kind", ADD CONSTRAINT "notifications_kind" CHECK ("kind" in ('reply', 'badge_awarded', 'seat_confirmed', 'starting_soon', 'evidence_submitted', 'review_result', 'badge_revoked', 'mention', 'answer_accepted', 'followed_reply', 'new_thread', 'moderation', 'report_resolved'));