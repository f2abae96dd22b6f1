CREATE TABLE "live_session_reminders" (
	"live_session_id" integer,
	"user_id" integer,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "live_session_reminders_pkey" PRIMARY KEY("live_session_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "live_session_reminders" ADD CONSTRAINT "live_session_reminders_live_session_id_live_sessions_id_fkey" FOREIGN KEY ("live_session_id") REFERENCES "live_sessions"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "live_session_reminders" ADD CONSTRAINT "live_session_reminders_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_kind", ADD CONSTRAINT "notifications_kind" CHECK ("kind" in ('reply', 'badge_awarded', 'seat_confirmed', 'starting_soon'));