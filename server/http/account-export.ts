import { desc, eq, or } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import {
  auditLog,
  authSessions,
  badgeAwards,
  badges,
  chatMessages,
  communities,
  liveQuestions,
  liveQuestionVotes,
  liveSessions,
  memberships,
  notifications,
  posts,
  reactions,
  rsvps,
  threads,
  users,
} from '../../drizzle/tables/index.ts';
import { recordAudit } from '../services/audit.ts';
import { contextOrUnauthorized, type HttpRoute, type HttpRouteDeps, sendJson } from './route.ts';

export const ACCOUNT_EXPORT_PATH = '/account/export';

/**
 * GET /account/export: the signed-in person's data as a JSON download. It needs a bearer token
 * or the session cookie (accepted as on /graphql, from a trusted origin only) and returns 401
 * JSON without one. Token hashes and password hashes are left out.
 */
export function createAccountExportRoute(routeDeps: HttpRouteDeps): HttpRoute {
  return async (request, response, url) => {
    if (url.pathname !== ACCOUNT_EXPORT_PATH) {
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      sendJson(response, 405, { error: `Use GET for ${ACCOUNT_EXPORT_PATH}.` });
      return true;
    }
    const context = await contextOrUnauthorized(routeDeps, request, response);
    if (!context) {
      return true;
    }
    const viewerId = context.viewer?.id ?? null;
    if (viewerId === null) {
      sendJson(response, 401, { error: 'Sign in to export your data.' });
      return true;
    }

    const data = await collectAccountData(routeDeps.deps.db, viewerId);
    if (!data) {
      sendJson(response, 401, { error: 'Sign in to export your data.' });
      return true;
    }
    await recordAudit(routeDeps.deps.db, {
      actorId: viewerId,
      action: 'account.exported',
      subjectUserId: viewerId,
    });
    const date = new Date().toISOString().slice(0, 10);
    response.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="staffroom-export-${viewerId}-${date}.json"`,
      'Cache-Control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : JSON.stringify(data, null, 2));
    return true;
  };
}

/** Collects everything stored about one person, or null when the account does not exist. */
export async function collectAccountData(db: Database, userId: number) {
  const [profile] = await db
    .select({
      id: users.id,
      email: users.email,
      emailVerifiedAt: users.emailVerifiedAt,
      displayName: users.displayName,
      bio: users.bio,
      schoolId: users.schoolId,
      districtId: users.districtId,
      isPlatformAdmin: users.isPlatformAdmin,
      badgesPublic: users.badgesPublic,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!profile) {
    return null;
  }

  const [
    membershipRows,
    threadRows,
    postRows,
    chatRows,
    reactionRows,
    rsvpRows,
    awardRows,
    notificationRows,
    signInRows,
    auditRows,
    questionRows,
    voteRows,
  ] = await Promise.all([
    db
      .select({
        communityId: memberships.communityId,
        communitySlug: communities.slug,
        communityName: communities.name,
        role: memberships.role,
        status: memberships.status,
        joinedAt: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(communities, eq(communities.id, memberships.communityId))
      .where(eq(memberships.userId, userId))
      .orderBy(memberships.id),
    db
      .select({
        id: threads.id,
        communityId: threads.communityId,
        title: threads.title,
        body: threads.body,
        kind: threads.kind,
        createdAt: threads.createdAt,
        updatedAt: threads.updatedAt,
      })
      .from(threads)
      .where(eq(threads.authorId, userId))
      .orderBy(threads.id),
    db
      .select({
        id: posts.id,
        threadId: posts.threadId,
        parentId: posts.parentId,
        body: posts.body,
        createdAt: posts.createdAt,
        editedAt: posts.editedAt,
        deletedAt: posts.deletedAt,
      })
      .from(posts)
      .where(eq(posts.authorId, userId))
      .orderBy(posts.id),
    db
      .select({
        id: chatMessages.id,
        liveSessionId: chatMessages.liveSessionId,
        sequence: chatMessages.sequence,
        body: chatMessages.body,
        createdAt: chatMessages.createdAt,
        editedAt: chatMessages.editedAt,
        deletedAt: chatMessages.deletedAt,
      })
      .from(chatMessages)
      .where(eq(chatMessages.authorId, userId))
      .orderBy(chatMessages.id),
    db
      .select({ postId: reactions.postId, kind: reactions.kind, createdAt: reactions.createdAt })
      .from(reactions)
      .where(eq(reactions.userId, userId))
      .orderBy(reactions.createdAt),
    db
      .select({
        liveSessionId: rsvps.liveSessionId,
        liveSessionTitle: liveSessions.title,
        status: rsvps.status,
        createdAt: rsvps.createdAt,
      })
      .from(rsvps)
      .innerJoin(liveSessions, eq(liveSessions.id, rsvps.liveSessionId))
      .where(eq(rsvps.userId, userId))
      .orderBy(rsvps.id),
    db
      .select({
        id: badgeAwards.id,
        badgeId: badgeAwards.badgeId,
        badgeName: badges.name,
        communityId: badges.communityId,
        status: badgeAwards.status,
        note: badgeAwards.note,
        awardedAt: badgeAwards.awardedAt,
        expiresAt: badgeAwards.expiresAt,
        revokedAt: badgeAwards.revokedAt,
      })
      .from(badgeAwards)
      .innerJoin(badges, eq(badges.id, badgeAwards.badgeId))
      .where(eq(badgeAwards.recipientId, userId))
      .orderBy(badgeAwards.id),
    db
      .select({
        id: notifications.id,
        kind: notifications.kind,
        subject: notifications.subject,
        createdAt: notifications.createdAt,
        readAt: notifications.readAt,
      })
      .from(notifications)
      .where(eq(notifications.userId, userId))
      .orderBy(notifications.id),
    db
      .select({
        id: authSessions.id,
        kind: authSessions.kind,
        name: authSessions.name,
        scopes: authSessions.scopes,
        userAgent: authSessions.userAgent,
        createdAt: authSessions.createdAt,
        lastUsedAt: authSessions.lastUsedAt,
        expiresAt: authSessions.expiresAt,
        revokedAt: authSessions.revokedAt,
      })
      .from(authSessions)
      .where(eq(authSessions.userId, userId))
      .orderBy(authSessions.id),
    db
      .select({
        id: auditLog.id,
        action: auditLog.action,
        actorId: auditLog.actorId,
        subjectUserId: auditLog.subjectUserId,
        communityId: auditLog.communityId,
        districtId: auditLog.districtId,
        details: auditLog.details,
        createdAt: auditLog.createdAt,
      })
      .from(auditLog)
      .where(or(eq(auditLog.actorId, userId), eq(auditLog.subjectUserId, userId)))
      .orderBy(desc(auditLog.id)),
    db
      .select({
        id: liveQuestions.id,
        liveSessionId: liveQuestions.liveSessionId,
        body: liveQuestions.body,
        status: liveQuestions.status,
        voteCount: liveQuestions.voteCount,
        createdAt: liveQuestions.createdAt,
      })
      .from(liveQuestions)
      .where(eq(liveQuestions.authorId, userId))
      .orderBy(liveQuestions.id),
    db
      .select({ questionId: liveQuestionVotes.questionId, createdAt: liveQuestionVotes.createdAt })
      .from(liveQuestionVotes)
      .where(eq(liveQuestionVotes.userId, userId))
      .orderBy(liveQuestionVotes.createdAt),
  ]);

  return {
    exportedAt: new Date().toISOString(),
    profile,
    memberships: membershipRows,
    threads: threadRows,
    posts: postRows,
    chatMessages: chatRows,
    liveQuestions: questionRows,
    liveQuestionVotes: voteRows,
    reactions: reactionRows,
    rsvps: rsvpRows,
    badgeAwards: awardRows,
    notifications: notificationRows,
    signIns: signInRows,
    auditEntries: auditRows,
  };
}
