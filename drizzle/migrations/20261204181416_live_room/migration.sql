CREATE TABLE "live_attendance" (
	"live_session_id" integer,
	"user_id" integer,
	"first_joined_at" timestamp with time zone NOT NULL,
	"last_left_at" timestamp with time zone,
	"seconds_present" integer DEFAULT 0 NOT NULL,
	"adjusted_minutes" integer,
	CONSTRAINT "live_attendance_pkey" PRIMARY KEY("live_session_id","user_id"),
	CONSTRAINT "live_attendance_seconds" CHECK ("seconds_present" >= 0),
	CONSTRAINT "live_attendance_adjusted" CHECK ("adjusted_minutes" is null or "adjusted_minutes" between 0 and 720)
);
--> statement-breakpoint
CREATE TABLE "live_attendance_adjustments" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "live_attendance_adjustments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"live_session_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"adjusted_by_id" integer,
	"minutes_before" integer NOT NULL,
	"minutes_after" integer NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "live_attendance_adjustments_reason" CHECK (char_length("reason") between 1 and 500)
);
--> statement-breakpoint
CREATE TABLE "live_hands" (
	"live_session_id" integer,
	"user_id" integer,
	"raised_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	CONSTRAINT "live_hands_pkey" PRIMARY KEY("live_session_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "live_presence" (
	"live_session_id" integer,
	"user_id" integer,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"visible" boolean DEFAULT true NOT NULL,
	CONSTRAINT "live_presence_pkey" PRIMARY KEY("live_session_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "live_question_votes" (
	"question_id" integer,
	"user_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "live_question_votes_pkey" PRIMARY KEY("question_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "live_questions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "live_questions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"live_session_id" integer NOT NULL,
	"author_id" integer,
	"body" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"vote_count" integer DEFAULT 0 NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "live_questions_body_length" CHECK (char_length("body") between 1 and 500),
	CONSTRAINT "live_questions_status" CHECK ("status" in ('open', 'answered', 'dismissed')),
	CONSTRAINT "live_questions_vote_count" CHECK ("vote_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "live_session_mutes" (
	"live_session_id" integer,
	"user_id" integer,
	"muted_by_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "live_session_mutes_pkey" PRIMARY KEY("live_session_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "sequence" integer;--> statement-breakpoint
UPDATE "chat_messages" AS m SET "sequence" = numbered.n FROM (SELECT "id", row_number() OVER (PARTITION BY "live_session_id" ORDER BY "id") AS n FROM "chat_messages") AS numbered WHERE m."id" = numbered."id";--> statement-breakpoint
ALTER TABLE "chat_messages" ALTER COLUMN "sequence" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "edited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "deleted_by_id" integer;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD COLUMN "slow_mode_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD COLUMN "chat_sequence" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "live_sessions" AS s SET "chat_sequence" = counted.n FROM (SELECT "live_session_id", max("sequence") AS n FROM "chat_messages" GROUP BY "live_session_id") AS counted WHERE s."id" = counted."live_session_id";--> statement-breakpoint
ALTER TABLE "live_sessions" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD COLUMN "attendance_closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD COLUMN "attendance_closed_by_id" integer;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_sequence_unique" UNIQUE("live_session_id","sequence");--> statement-breakpoint
CREATE INDEX "chat_messages_author_idx" ON "chat_messages" ("live_session_id","author_id","created_at");--> statement-breakpoint
CREATE INDEX "live_attendance_user_idx" ON "live_attendance" ("user_id");--> statement-breakpoint
CREATE INDEX "live_attendance_adjustments_session_idx" ON "live_attendance_adjustments" ("live_session_id","id");--> statement-breakpoint
CREATE INDEX "live_hands_queue_idx" ON "live_hands" ("live_session_id","raised_at");--> statement-breakpoint
CREATE INDEX "live_presence_last_seen_idx" ON "live_presence" ("last_seen_at");--> statement-breakpoint
CREATE INDEX "live_questions_session_idx" ON "live_questions" ("live_session_id","id");--> statement-breakpoint
CREATE INDEX "live_sessions_status_ends_idx" ON "live_sessions" ("status","ends_at");--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_deleted_by_id_users_id_fkey" FOREIGN KEY ("deleted_by_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "live_attendance" ADD CONSTRAINT "live_attendance_live_session_id_live_sessions_id_fkey" FOREIGN KEY ("live_session_id") REFERENCES "live_sessions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_attendance" ADD CONSTRAINT "live_attendance_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_attendance_adjustments" ADD CONSTRAINT "live_attendance_adjustments_TrCvudTd6R8I_fkey" FOREIGN KEY ("live_session_id") REFERENCES "live_sessions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_attendance_adjustments" ADD CONSTRAINT "live_attendance_adjustments_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_attendance_adjustments" ADD CONSTRAINT "live_attendance_adjustments_adjusted_by_id_users_id_fkey" FOREIGN KEY ("adjusted_by_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "live_hands" ADD CONSTRAINT "live_hands_live_session_id_live_sessions_id_fkey" FOREIGN KEY ("live_session_id") REFERENCES "live_sessions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_hands" ADD CONSTRAINT "live_hands_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_presence" ADD CONSTRAINT "live_presence_live_session_id_live_sessions_id_fkey" FOREIGN KEY ("live_session_id") REFERENCES "live_sessions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_presence" ADD CONSTRAINT "live_presence_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_question_votes" ADD CONSTRAINT "live_question_votes_question_id_live_questions_id_fkey" FOREIGN KEY ("question_id") REFERENCES "live_questions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_question_votes" ADD CONSTRAINT "live_question_votes_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_questions" ADD CONSTRAINT "live_questions_live_session_id_live_sessions_id_fkey" FOREIGN KEY ("live_session_id") REFERENCES "live_sessions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_questions" ADD CONSTRAINT "live_questions_author_id_users_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "live_questions" ADD CONSTRAINT "live_questions_resolved_by_id_users_id_fkey" FOREIGN KEY ("resolved_by_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "live_session_mutes" ADD CONSTRAINT "live_session_mutes_live_session_id_live_sessions_id_fkey" FOREIGN KEY ("live_session_id") REFERENCES "live_sessions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_session_mutes" ADD CONSTRAINT "live_session_mutes_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_session_mutes" ADD CONSTRAINT "live_session_mutes_muted_by_id_users_id_fkey" FOREIGN KEY ("muted_by_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD CONSTRAINT "live_sessions_attendance_closed_by_id_users_id_fkey" FOREIGN KEY ("attendance_closed_by_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD CONSTRAINT "live_sessions_slow_mode" CHECK ("slow_mode_seconds" between 0 and 600);--> statement-breakpoint
ALTER TABLE "chat_messages" DROP CONSTRAINT "chat_messages_body_length", ADD CONSTRAINT "chat_messages_body_length" CHECK (("deleted_at" is null and char_length("body") between 1 and 2000) or ("deleted_at" is not null and "body" = ''));