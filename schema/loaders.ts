import DataLoader from 'dataloader';
import { and, eq, inArray } from 'drizzle-orm';
import {
  badges,
  communities,
  evidenceSubmissions,
  liveQuestionVotes,
  liveSessions,
  posts,
  threads,
  users,
} from '../drizzle/tables/index.ts';
import type { GraphQLContext } from './builder.ts';

const tables = { threads, posts, badges, users, liveSessions, communities, evidenceSubmissions };
type LoadableTable = keyof typeof tables;
type RowOf<K extends LoadableTable> = (typeof tables)[K]['$inferSelect'];

const loadersByContext = new WeakMap<
  GraphQLContext,
  Map<LoadableTable, DataLoader<number, unknown>>
>();

/** Loads a row by id, batched with the other loads of the same table in this request. */
export function loadRow<K extends LoadableTable>(
  ctx: GraphQLContext,
  tableName: K,
  id: number,
): Promise<RowOf<K> | null> {
  let loaders = loadersByContext.get(ctx);
  if (!loaders) {
    loaders = new Map();
    loadersByContext.set(ctx, loaders);
  }
  let loader = loaders.get(tableName);
  if (!loader) {
    const table = tables[tableName];
    loader = new DataLoader<number, unknown>(async (ids) => {
      const rows = (await ctx.db
        .select()
        .from(table)
        .where(inArray(table.id, [...ids]))) as { id: number }[];
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((key) => byId.get(key) ?? null);
    });
    loaders.set(tableName, loader);
  }
  return loader.load(id) as Promise<RowOf<K> | null>;
}

const votesByContext = new WeakMap<GraphQLContext, DataLoader<number, boolean>>();

/**
 * Reports whether the viewer upvoted a question, batched with the other questions of this
 * request. Read when the field is resolved, not when the query is planned, so that a live session
 * event without a question does not depend on the viewer.
 */
export function viewerHasVoted(ctx: GraphQLContext, questionId: number): Promise<boolean> {
  const viewer = ctx.viewer;
  if (!viewer) {
    return Promise.resolve(false);
  }
  let loader = votesByContext.get(ctx);
  if (!loader) {
    loader = new DataLoader<number, boolean>(async (ids) => {
      const rows = await ctx.db
        .select({ questionId: liveQuestionVotes.questionId })
        .from(liveQuestionVotes)
        .where(
          and(
            eq(liveQuestionVotes.userId, viewer.id),
            inArray(liveQuestionVotes.questionId, [...ids]),
          ),
        );
      const voted = new Set(rows.map((row) => row.questionId));
      return ids.map((id) => voted.has(id));
    });
    votesByContext.set(ctx, loader);
  }
  return loader.load(questionId);
}
