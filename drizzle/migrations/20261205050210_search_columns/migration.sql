-- Full-text search columns. They are generated from the text they index and kept out of the
-- drizzle table definitions, so that ordinary selects do not carry them.
ALTER TABLE "threads" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', "title"), 'A') || setweight(to_tsvector('english', "body"), 'B')) STORED;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (to_tsvector('english', "body")) STORED;--> statement-breakpoint
ALTER TABLE "live_sessions" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', "title"), 'A') || setweight(to_tsvector('english', "description"), 'B')) STORED;--> statement-breakpoint
ALTER TABLE "badges" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', "name"), 'A') || setweight(to_tsvector('english', "description"), 'B') || setweight(to_tsvector('english', "criteria"), 'C')) STORED;--> statement-breakpoint
ALTER TABLE "communities" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', "name"), 'A') || setweight(to_tsvector('english', "description"), 'B')) STORED;--> statement-breakpoint
CREATE INDEX "threads_search_idx" ON "threads" USING gin ("search");--> statement-breakpoint
CREATE INDEX "posts_search_idx" ON "posts" USING gin ("search");--> statement-breakpoint
CREATE INDEX "live_sessions_search_idx" ON "live_sessions" USING gin ("search");--> statement-breakpoint
CREATE INDEX "badges_search_idx" ON "badges" USING gin ("search");--> statement-breakpoint
CREATE INDEX "communities_search_idx" ON "communities" USING gin ("search");
