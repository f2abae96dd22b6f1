ALTER TABLE "badge_awards" ADD COLUMN "revoked_by_id" integer;--> statement-breakpoint
ALTER TABLE "badge_awards" ADD COLUMN "revoke_reason" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "badges" ADD COLUMN "kind" text DEFAULT 'participation' NOT NULL;--> statement-breakpoint
ALTER TABLE "badges" ADD COLUMN "valid_for_days" integer;--> statement-breakpoint
ALTER TABLE "badge_awards" ADD CONSTRAINT "badge_awards_revoked_by_id_users_id_fkey" FOREIGN KEY ("revoked_by_id") REFERENCES "users"("id") ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE "badge_awards" ADD CONSTRAINT "badge_awards_revoke_reason_length" CHECK (char_length("revoke_reason") <= 500);--> statement-breakpoint
ALTER TABLE "badges" ADD CONSTRAINT "badges_kind" CHECK ("kind" in ('participation', 'microcredential'));--> statement-breakpoint
ALTER TABLE "badges" ADD CONSTRAINT "badges_valid_for_days" CHECK ("valid_for_days" is null or "valid_for_days" between 1 and 3650);