CREATE INDEX "posts_author_idx" ON "posts" ("author_id");--> statement-breakpoint
CREATE INDEX "threads_author_idx" ON "threads" ("author_id");