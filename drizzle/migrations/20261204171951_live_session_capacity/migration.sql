ALTER TABLE "live_sessions" ADD COLUMN "capacity" integer;--> statement-breakpoint
ALTER TABLE "rsvps" ADD COLUMN "seat" text;--> statement-breakpoint
ALTER TABLE "rsvps" ADD COLUMN "waitlisted_at" timestamp with time zone;--> statement-breakpoint
-- Sessions had no capacity before, so every earlier "going" RSVP holds a seat.
UPDATE "rsvps" SET "seat" = 'confirmed' WHERE "status" = 'going';--> statement-breakpoint
CREATE INDEX "rsvps_waitlist_idx" ON "rsvps" ("live_session_id","waitlisted_at","id");--> statement-breakpoint
ALTER TABLE "live_sessions" ADD CONSTRAINT "live_sessions_capacity" CHECK ("capacity" is null or "capacity" between 1 and 10000);--> statement-breakpoint
ALTER TABLE "rsvps" ADD CONSTRAINT "rsvps_seat" CHECK (("status" = 'going') = ("seat" is not null) and ("seat" is null or "seat" in ('confirmed', 'waitlisted')) and (("seat" = 'waitlisted') = ("waitlisted_at" is not null)));--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_kind", ADD CONSTRAINT "notifications_kind" CHECK ("kind" in ('reply', 'badge_awarded', 'seat_confirmed'));