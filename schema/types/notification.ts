import { desc, eq } from 'drizzle-orm';
import {
  evidenceReviews,
  NOTIFICATION_KINDS,
  type notifications,
} from '../../drizzle/tables/index.ts';
import { canReadBadgeAward, loadBadgeAward } from '../../server/services/badge-award-access.ts';
import {
  countUnreadNotifications,
  markNotificationsRead,
} from '../../server/services/notification.ts';
import { builder, type GraphQLContext } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { loadRow } from '../loaders.ts';
import { enumFromValues } from './enums.ts';
import { messageOfNewKind, notificationThreadId } from './notification-kinds.ts';

const DECISION_WORDS = {
  approved: 'approved',
  changes_requested: 'asked for changes to',
  declined: 'declined',
  reviewed: 'reviewed',
} as const;

/** Returns the decision of a submission's latest review, or null when it has none. */
async function latestDecision(
  ctx: GraphQLContext,
  submissionId: number,
): Promise<keyof typeof DECISION_WORDS | null> {
  const [review] = await ctx.db
    .select({ decision: evidenceReviews.decision })
    .from(evidenceReviews)
    .where(eq(evidenceReviews.submissionId, submissionId))
    .orderBy(desc(evidenceReviews.id))
    .limit(1);
  return review?.decision ?? null;
}

/**
 * Checks in one batch whether the viewer may read the badges that notifications point at. The
 * badge, badgeAward and submission fields check the same badges once their own rows arrive, in
 * whatever order the database returns them. Checked up front, the results are cached by then, so
 * a page of notifications runs the same statements in any order.
 */
async function checkBadgeAccess(
  ctx: GraphQLContext,
  rows: readonly (typeof notifications.$inferSelect)[],
): Promise<void> {
  const badgeIds = new Set(rows.flatMap(({ subject }) => subject.badgeId ?? []));
  await Promise.all([...badgeIds].map((badgeId) => ctx.access.canReadBadge(badgeId)));
}

export const NotificationKindEnum = enumFromValues(
  'NotificationKind',
  NOTIFICATION_KINDS,
  "What a notification is about: a reply, a mention, a reply in a followed thread, a new thread in a followed community, an accepted answer, a moderation outcome or report result, a badge awarded or revoked, evidence to review or a review's result, a seat confirmed, or a session starting soon.",
);

export const Notification = builder.drizzleNode('notifications', {
  name: 'Notification',
  description:
    'Something that happened to a person: a reply to their thread or post, a badge awarded to them or revoked, evidence sent to them for review or the result of a review of theirs, a seat that opened for them in a full live session, or a session of theirs starting soon. Visible to that person only.',
  id: { column: (notification) => notification.id },
  authScopes: (notification) => ({ isViewer: notification.userId }),
  fields: (t) => ({
    kind: t.field({
      type: NotificationKindEnum,
      description: 'What it is about.',
      resolve: (notification) => notification.kind,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it happened.',
      resolve: (notification) => notification.createdAt,
    }),
    read: t.boolean({
      description: 'Whether it was marked read with markNotificationsRead.',
      resolve: (notification) => notification.readAt !== null,
    }),
    message: t.string({
      description:
        'A sentence for the viewer, such as "Maya Chen replied to your post in “Fractions”."',
      resolve: async (notification, _args, ctx) => {
        const { subject } = notification;
        const newKindMessage = await messageOfNewKind(ctx, notification);
        if (newKindMessage !== null) {
          return newKindMessage;
        }
        const actor = subject.actorId ? await loadRow(ctx, 'users', subject.actorId) : null;
        const actorName = actor?.displayName ?? 'Someone';
        if (notification.kind === 'starting_soon') {
          const liveSession = subject.liveSessionId
            ? await loadRow(ctx, 'liveSessions', subject.liveSessionId)
            : null;
          return `“${liveSession?.title ?? 'A live session'}” starts soon.`;
        }
        if (notification.kind === 'seat_confirmed') {
          const liveSession = subject.liveSessionId
            ? await loadRow(ctx, 'liveSessions', subject.liveSessionId)
            : null;
          return `A seat opened in “${liveSession?.title ?? 'a live session'}”, and it is yours now.`;
        }
        const badge = subject.badgeId ? await loadRow(ctx, 'badges', subject.badgeId) : null;
        const badgeName = badge?.name ?? 'a badge';
        if (notification.kind === 'badge_awarded') {
          return subject.actorId
            ? `${actorName} awarded you the badge “${badgeName}”.`
            : `You earned the badge “${badgeName}”.`;
        }
        if (notification.kind === 'badge_revoked') {
          const award = subject.awardId ? await loadBadgeAward(ctx.db, subject.awardId) : null;
          // The notification is the recipient's own, and the recipient reads the reason.
          return award?.status === 'revoked' && award.revokeReason
            ? `${actorName} revoked your badge “${badgeName}”: ${award.revokeReason}`
            : `${actorName} revoked your badge “${badgeName}”.`;
        }
        if (notification.kind === 'evidence_submitted') {
          return `${actorName} sent evidence for “${badgeName}” to review.`;
        }
        if (notification.kind === 'review_result') {
          const decision =
            subject.decision ??
            (subject.submissionId ? await latestDecision(ctx, subject.submissionId) : null);
          return `${actorName} ${DECISION_WORDS[decision ?? 'reviewed']} your evidence for “${badgeName}”.`;
        }
        const thread = subject.threadId ? await loadRow(ctx, 'threads', subject.threadId) : null;
        return `${actorName} replied to you in “${thread?.title ?? 'a thread'}”.`;
      },
    }),
    community: t.drizzleField({
      type: 'communities',
      nullable: true,
      description:
        "The community it happened in; null when the community was deleted, or for a district's badge.",
      resolve: (_query, notification, _args, ctx) =>
        notification.subject.communityId === undefined
          ? null
          : loadRow(ctx, 'communities', notification.subject.communityId),
    }),
    thread: t.drizzleField({
      type: 'threads',
      nullable: true,
      description:
        'The thread it happened in, for REPLY, MENTION, FOLLOWED_REPLY, NEW_THREAD, ANSWER_ACCEPTED, and MODERATION or REPORT_RESOLVED about a thread or post; null for other kinds, a deleted thread, or a community the viewer may no longer read.',
      resolve: async (_query, notification, _args, ctx) => {
        const threadId = await notificationThreadId(ctx, notification);
        const thread = threadId === null ? null : await loadRow(ctx, 'threads', threadId);
        // A banned or removed member may no longer read the community, so the link is left out.
        return thread && (await ctx.access.canRead(thread.communityId)) ? thread : null;
      },
    }),
    post: t.drizzleField({
      type: 'posts',
      nullable: true,
      description:
        'The reply, for REPLY, FOLLOWED_REPLY, ANSWER_ACCEPTED and a MENTION in a reply; null for other kinds or when its thread was deleted.',
      resolve: (_query, notification, _args, ctx) =>
        notification.subject.postId ? loadRow(ctx, 'posts', notification.subject.postId) : null,
    }),
    badge: t.drizzleField({
      type: 'badges',
      nullable: true,
      description:
        'The badge, for BADGE_AWARDED, BADGE_REVOKED, EVIDENCE_SUBMITTED and REVIEW_RESULT; null for other kinds or a deleted badge.',
      resolve: (_query, notification, _args, ctx) =>
        notification.subject.badgeId ? loadRow(ctx, 'badges', notification.subject.badgeId) : null,
    }),
    badgeAward: t.drizzleField({
      type: 'badgeAwards',
      nullable: true,
      description:
        'The award, for BADGE_AWARDED, BADGE_REVOKED and a REVIEW_RESULT that approved evidence, with its status and, once revoked, the reason; null for other kinds, or when the viewer may no longer read it.',
      resolve: async (_query, notification, _args, ctx) => {
        const awardId = notification.subject.awardId;
        const award = awardId ? await loadBadgeAward(ctx.db, awardId) : null;
        return award && (await canReadBadgeAward(ctx, award)) ? award : null;
      },
    }),
    liveSession: t.drizzleField({
      type: 'liveSessions',
      nullable: true,
      description:
        'The live session, for SEAT_CONFIRMED and STARTING_SOON; null for other kinds or a deleted session.',
      resolve: (_query, notification, _args, ctx) =>
        notification.subject.liveSessionId
          ? loadRow(ctx, 'liveSessions', notification.subject.liveSessionId)
          : null,
    }),
  }),
});

builder.queryFields((t) => ({
  notifications: t.drizzleConnection({
    type: 'notifications',
    description: "The viewer's notifications, newest first; empty when signed out.",
    args: {
      unreadOnly: t.arg.boolean({
        required: false,
        description: 'Only unread notifications when true.',
      }),
    },
    resolve: async (query, _parent, args, ctx) => {
      const rows = await ctx.db.query.notifications.findMany(
        query({
          where: {
            userId: ctx.viewer?.id ?? -1,
            ...(args.unreadOnly && { readAt: { isNull: true } }),
          },
          orderBy: { id: 'desc' },
        }),
      );
      // The connection's query keeps every column, so the rows are whole notifications.
      await checkBadgeAccess(ctx, rows as unknown as (typeof notifications.$inferSelect)[]);
      return rows;
    },
  }),
  unreadNotificationCount: t.int({
    description: 'Unread notifications of the viewer; 0 when signed out.',
    resolve: (_parent, _args, ctx) =>
      ctx.viewer ? countUnreadNotifications(ctx.db, ctx.viewer.id) : 0,
  }),
}));

const MarkNotificationsReadPayload = builder
  .objectRef<{ unreadCount: number }>('MarkNotificationsReadPayload')
  .implement({
    description: 'The outcome of marking notifications read.',
    fields: (t) => ({
      unreadCount: t.exposeInt('unreadCount', {
        description: "The viewer's unread notifications after the change.",
      }),
    }),
  });

builder.mutationField('markNotificationsRead', (t) =>
  t.field({
    type: MarkNotificationsReadPayload,
    description: 'Marks the given notifications, or all with all: true, as read.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('MarkNotificationsReadInput', {
          description: 'The notifications to mark read: give notificationIds, or set all to true.',
          fields: (f) => ({
            notificationIds: f.idList({
              description:
                "Notifications of the viewer, at most 500; ids of other people's notifications are ignored.",
            }),
            all: f.boolean({
              description: 'True marks every notification of the viewer read, whatever the ids.',
            }),
          }),
        }),
      }),
    },
    resolve: async (_parent, { input }, ctx) => ({
      unreadCount: await markNotificationsRead(ctx, {
        all: input.all,
        notificationIds: input.notificationIds?.map((id, index) =>
          parseGlobalId(String(id), 'Notification', `notificationIds.${index}`),
        ),
      }),
    }),
  }),
);
