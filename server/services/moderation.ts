import { and, eq, sql } from 'drizzle-orm';
import type { Transaction } from '../../drizzle/db.ts';
import {
  chatMessages,
  liveSessions,
  memberships,
  posts,
  type REPORT_REASONS,
  reports,
  threads,
  users,
} from '../../drizzle/tables/index.ts';
import type { ContentFacts } from '../auth/content-visibility.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { InputValidator } from '../validation.ts';
import { requireViewer, runInTransaction, type ServiceContext } from './context.ts';
import { type ReportRow, type ReportSubject, sameSubjectCondition } from './report-resolution.ts';

export { resolveReport } from './report-actions.ts';
export type { ReportAction, ReportRow } from './report-resolution.ts';
export type ReportReason = (typeof REPORT_REASONS)[number];

export const REPORT_DETAILS_MAX_LENGTH = 1000;
/**
 * Reports per person per hour, counted in the database so that every server process shares the
 * count. It bounds how much one account can flood a review queue.
 */
export const REPORT_RATE_LIMIT: RateLimitRule = { limit: 30, windowSeconds: 60 * 60 };

/** The thread, post, chat message or person that someone reports, by row id. */
export interface ReportTarget {
  kind: ReportSubject['subjectKind'];
  id: number;
}

/**
 * Finds what a report is about and checks that the viewer may read it. A person is reported in
 * a community they belong to (or were banned from), which the viewer may read.
 */
async function resolveReportTarget(
  ctx: ServiceContext,
  target: ReportTarget,
  communityId: number | null,
): Promise<ReportSubject> {
  const none = { threadId: null, postId: null, chatMessageId: null };
  if (target.kind === 'person') {
    const [person] = await ctx.db
      .select({ id: users.id, status: memberships.status })
      .from(users)
      .leftJoin(
        memberships,
        and(eq(memberships.userId, users.id), eq(memberships.communityId, communityId ?? -1)),
      )
      .where(eq(users.id, target.id));
    if (!person) {
      throw new NotFoundError(`Person ${target.id} not found.`);
    }
    await ctx.access.requireReadable(communityId ?? -1);
    if (person.status === null || person.status === 'requested') {
      throw ValidationError.of('subjectId', 'names a person who is not a member of this community');
    }
    return {
      communityId: communityId ?? -1,
      subjectKind: 'person',
      ...none,
      subjectUserId: target.id,
    };
  }
  const loaded = await loadContentSubject(ctx, target);
  const name = `The reported ${target.kind.replace('_', ' ')}`;
  if (!loaded) {
    throw new NotFoundError(`${name} was not found.`);
  }
  const { hiding, ...found } = loaded;
  await ctx.access.requireReadable(found.communityId, name);
  // Only people who see removed, held or blocked content may report it, so that a report does
  // not reveal content or authors hidden from the reporter.
  for (const facts of hiding) {
    if (!(await ctx.access.canSeeContent(found.communityId, facts))) {
      throw new NotFoundError(`${name} was not found, or you do not have access to it.`);
    }
  }
  if (communityId !== null && communityId !== found.communityId) {
    throw ValidationError.of('communityId', 'is not the community of the reported content');
  }
  return found;
}

/**
 * Loads the community and author of a thread, post or chat message, or null when it is missing.
 * `hiding` lists the rows whose visibility (canSeeContent) decides whether the viewer sees it: the
 * thread, or the post and its thread. A chat message is hidden by a block only.
 */
async function loadContentSubject(
  ctx: ServiceContext,
  target: ReportTarget,
): Promise<(ReportSubject & { hiding: ContentFacts[] }) | null> {
  const none = { threadId: null, postId: null, chatMessageId: null };
  const facts = { removedAt: null, heldAt: null };
  if (target.kind === 'thread') {
    const [row] = await ctx.db
      .select({
        communityId: threads.communityId,
        authorId: threads.authorId,
        removedAt: threads.removedAt,
        heldAt: threads.heldAt,
      })
      .from(threads)
      .where(eq(threads.id, target.id));
    return row
      ? {
          ...none,
          communityId: row.communityId,
          subjectKind: 'thread',
          threadId: target.id,
          subjectUserId: row.authorId,
          hiding: [row],
        }
      : null;
  }
  if (target.kind === 'post') {
    const [row] = await ctx.db
      .select({
        communityId: threads.communityId,
        authorId: posts.authorId,
        removedAt: posts.removedAt,
        heldAt: posts.heldAt,
        threadAuthorId: threads.authorId,
        threadRemovedAt: threads.removedAt,
        threadHeldAt: threads.heldAt,
      })
      .from(posts)
      .innerJoin(threads, eq(threads.id, posts.threadId))
      .where(eq(posts.id, target.id));
    return row
      ? {
          ...none,
          communityId: row.communityId,
          subjectKind: 'post',
          postId: target.id,
          subjectUserId: row.authorId,
          hiding: [
            row,
            {
              authorId: row.threadAuthorId,
              removedAt: row.threadRemovedAt,
              heldAt: row.threadHeldAt,
            },
          ],
        }
      : null;
  }
  const [row] = await ctx.db
    .select({ communityId: liveSessions.communityId, authorId: chatMessages.authorId })
    .from(chatMessages)
    .innerJoin(liveSessions, eq(liveSessions.id, chatMessages.liveSessionId))
    .where(eq(chatMessages.id, target.id));
  return row
    ? {
        ...none,
        communityId: row.communityId,
        subjectKind: 'chat_message',
        chatMessageId: target.id,
        subjectUserId: row.authorId,
        hiding: [{ authorId: row.authorId, ...facts }],
      }
    : null;
}

function subjectKey(subject: ReportSubject): string {
  const id =
    subject.threadId ?? subject.postId ?? subject.chatMessageId ?? subject.subjectUserId ?? 0;
  return `${subject.communityId}:${subject.subjectKind}:${id}`;
}

/**
 * Reports a thread, post, chat message or person to the community's moderators. Anyone signed in
 * who may read the subject may, and a person is reported in one community. Throws ConflictError when
 * the viewer already has an open report on the same subject, and RateLimitedError past
 * REPORT_RATE_LIMIT.
 */
export async function reportContent(
  ctx: ServiceContext,
  input: {
    target: ReportTarget;
    communityId: number | null;
    reason: ReportReason;
    details?: string | null;
  },
): Promise<ReportRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const details =
    validator.optionalText('details', input.details, {
      min: 0,
      max: REPORT_DETAILS_MAX_LENGTH,
      multiline: true,
    }) ?? '';
  if (input.reason === 'held_link') {
    validator.add('reason', 'HELD_LINK is set by the server only; choose another reason');
  }
  if (input.target.kind === 'person' && input.communityId === null) {
    validator.add('communityId', 'is required to report a person');
  }
  if (input.target.kind === 'person' && input.target.id === viewer.id) {
    validator.add('subjectId', 'names yourself; you cannot report yourself');
  }
  validator.check();
  await consumeRateLimit(ctx.db, `report:account:${viewer.id}`, REPORT_RATE_LIMIT);
  const subject = await resolveReportTarget(ctx, input.target, input.communityId);

  return runInTransaction(ctx, async (tx) => {
    // Serializes one person's reports of one subject, so that two quick submits make one report.
    await tx.execute(
      sql`select pg_advisory_xact_lock(${viewer.id}, hashtext(${subjectKey(subject)}))`,
    );
    const [existing] = await tx
      .select({ id: reports.id })
      .from(reports)
      .where(
        and(
          sameSubjectCondition(subject),
          eq(reports.reporterId, viewer.id),
          eq(reports.status, 'open'),
        ),
      );
    if (existing) {
      throw new ConflictError(
        'You already reported this, and the report is still open; the moderators will review it.',
      );
    }
    // NOTE: no event is recorded for a new report, so an open review queue shows it only when it
    // loads again.
    const [report] = await tx
      .insert(reports)
      .values({ ...subject, reporterId: viewer.id, reason: input.reason, details })
      .returning();
    if (!report) {
      throw new Error('Inserting a report returned no row');
    }
    return report;
  });
}

/**
 * Holds a new thread or post for review inside the caller's transaction: sets its held_at (unless
 * already set) and writes an open report with reason HELD_LINK and no reporter, which the
 * community's review queue shows. Resolving it as APPROVED clears held_at. Pass `postId` for a
 * post, or only `threadId` for a thread.
 */
export async function holdForReview(
  tx: Transaction,
  input: { communityId: number; threadId?: number; postId?: number; authorId: number },
): Promise<ReportRow> {
  const isPost = input.postId !== undefined;
  if (isPost) {
    await tx
      .update(posts)
      .set({ heldAt: sql`coalesce(${posts.heldAt}, now())` })
      .where(eq(posts.id, input.postId ?? -1));
  } else if (input.threadId !== undefined) {
    await tx
      .update(threads)
      .set({ heldAt: sql`coalesce(${threads.heldAt}, now())` })
      .where(eq(threads.id, input.threadId));
  } else {
    throw new Error('holdForReview needs a threadId or a postId');
  }
  const [report] = await tx
    .insert(reports)
    .values({
      communityId: input.communityId,
      subjectKind: isPost ? 'post' : 'thread',
      threadId: isPost ? null : (input.threadId ?? null),
      postId: input.postId ?? null,
      subjectUserId: input.authorId,
      reporterId: null,
      reason: 'held_link',
    })
    .returning();
  if (!report) {
    throw new Error('Inserting a held-link report returned no row');
  }
  return report;
}
