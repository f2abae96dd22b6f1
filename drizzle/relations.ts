import { defineRelations } from 'drizzle-orm';
import * as tables from './tables/index.ts';

export const relations = defineRelations(tables, (r) => ({
  districts: {
    schools: r.many.schools(),
    communities: r.many.communities(),
    domains: r.many.districtDomains(),
    staff: r.many.users({ from: r.districts.id, to: r.users.districtId, alias: 'districtStaff' }),
    auditLog: r.many.auditLog({ from: r.districts.id, to: r.auditLog.districtId }),
    ssoProvider: r.one.oidcProviders({ from: r.districts.id, to: r.oidcProviders.districtId }),
    badges: r.many.badges(),
  },
  districtDomains: {
    district: r.one.districts({
      from: r.districtDomains.districtId,
      to: r.districts.id,
      optional: false,
    }),
  },
  oidcProviders: {
    district: r.one.districts({
      from: r.oidcProviders.districtId,
      to: r.districts.id,
      optional: false,
    }),
  },
  authSessions: {
    user: r.one.users({ from: r.authSessions.userId, to: r.users.id, optional: false }),
  },
  embedKeys: {
    community: r.one.communities({ from: r.embedKeys.communityId, to: r.communities.id }),
    district: r.one.districts({ from: r.embedKeys.districtId, to: r.districts.id }),
    createdByUser: r.one.users({
      from: r.embedKeys.createdBy,
      to: r.users.id,
      alias: 'embedKeyCreator',
    }),
  },
  communityInvitations: {
    community: r.one.communities({
      from: r.communityInvitations.communityId,
      to: r.communities.id,
      optional: false,
    }),
    invitedBy: r.one.users({ from: r.communityInvitations.invitedById, to: r.users.id }),
  },
  auditLog: {
    actor: r.one.users({ from: r.auditLog.actorId, to: r.users.id, alias: 'auditActor' }),
    subjectUser: r.one.users({
      from: r.auditLog.subjectUserId,
      to: r.users.id,
      alias: 'auditSubject',
    }),
    community: r.one.communities({ from: r.auditLog.communityId, to: r.communities.id }),
    district: r.one.districts({ from: r.auditLog.districtId, to: r.districts.id }),
  },
  schools: {
    district: r.one.districts({ from: r.schools.districtId, to: r.districts.id, optional: false }),
  },
  users: {
    school: r.one.schools({ from: r.users.schoolId, to: r.schools.id }),
    district: r.one.districts({
      from: r.users.districtId,
      to: r.districts.id,
      alias: 'districtStaff',
    }),
    memberships: r.many.memberships(),
    awards: r.many.badgeAwards({ from: r.users.id, to: r.badgeAwards.recipientId }),
  },
  communities: {
    district: r.one.districts({ from: r.communities.districtId, to: r.districts.id }),
    memberships: r.many.memberships(),
    threads: r.many.threads(),
    liveSessions: r.many.liveSessions(),
    badges: r.many.badges(),
    invitations: r.many.communityInvitations(),
    auditLog: r.many.auditLog({ from: r.communities.id, to: r.auditLog.communityId }),
    reports: r.many.reports({ from: r.communities.id, to: r.reports.communityId }),
  },
  memberships: {
    community: r.one.communities({
      from: r.memberships.communityId,
      to: r.communities.id,
      optional: false,
    }),
    user: r.one.users({ from: r.memberships.userId, to: r.users.id, optional: false }),
  },
  threads: {
    community: r.one.communities({
      from: r.threads.communityId,
      to: r.communities.id,
      optional: false,
    }),
    author: r.one.users({ from: r.threads.authorId, to: r.users.id }),
    posts: r.many.posts({ from: r.threads.id, to: r.posts.threadId }),
    acceptedPost: r.one.posts({ from: r.threads.acceptedPostId, to: r.posts.id }),
  },
  posts: {
    thread: r.one.threads({ from: r.posts.threadId, to: r.threads.id, optional: false }),
    author: r.one.users({ from: r.posts.authorId, to: r.users.id }),
    parent: r.one.posts({ from: r.posts.parentId, to: r.posts.id, alias: 'replies' }),
    replies: r.many.posts({ from: r.posts.id, to: r.posts.parentId, alias: 'replies' }),
    reactions: r.many.reactions(),
    revisions: r.many.postRevisions(),
  },
  postRevisions: {
    post: r.one.posts({ from: r.postRevisions.postId, to: r.posts.id, optional: false }),
  },
  reactions: {
    post: r.one.posts({ from: r.reactions.postId, to: r.posts.id, optional: false }),
    user: r.one.users({ from: r.reactions.userId, to: r.users.id, optional: false }),
  },
  liveSessions: {
    community: r.one.communities({
      from: r.liveSessions.communityId,
      to: r.communities.id,
      optional: false,
    }),
    host: r.one.users({ from: r.liveSessions.hostId, to: r.users.id }),
    series: r.one.liveSeries({ from: r.liveSessions.seriesId, to: r.liveSeries.id }),
    rsvps: r.many.rsvps(),
    chatMessages: r.many.chatMessages(),
    questions: r.many.liveQuestions(),
    hands: r.many.liveHands(),
    presence: r.many.livePresence(),
    attendance: r.many.liveAttendance(),
    mutes: r.many.liveSessionMutes(),
  },
  liveSeries: {
    community: r.one.communities({
      from: r.liveSeries.communityId,
      to: r.communities.id,
      optional: false,
    }),
    host: r.one.users({ from: r.liveSeries.hostId, to: r.users.id }),
    occurrences: r.many.liveSessions({ from: r.liveSeries.id, to: r.liveSessions.seriesId }),
  },
  liveQuestions: {
    liveSession: r.one.liveSessions({
      from: r.liveQuestions.liveSessionId,
      to: r.liveSessions.id,
      optional: false,
    }),
    author: r.one.users({ from: r.liveQuestions.authorId, to: r.users.id }),
    votes: r.many.liveQuestionVotes(),
  },
  liveQuestionVotes: {
    question: r.one.liveQuestions({
      from: r.liveQuestionVotes.questionId,
      to: r.liveQuestions.id,
      optional: false,
    }),
  },
  liveHands: {
    liveSession: r.one.liveSessions({
      from: r.liveHands.liveSessionId,
      to: r.liveSessions.id,
      optional: false,
    }),
    user: r.one.users({ from: r.liveHands.userId, to: r.users.id, optional: false }),
  },
  livePresence: {
    liveSession: r.one.liveSessions({
      from: r.livePresence.liveSessionId,
      to: r.liveSessions.id,
      optional: false,
    }),
    user: r.one.users({ from: r.livePresence.userId, to: r.users.id, optional: false }),
  },
  liveAttendance: {
    liveSession: r.one.liveSessions({
      from: r.liveAttendance.liveSessionId,
      to: r.liveSessions.id,
      optional: false,
    }),
    user: r.one.users({ from: r.liveAttendance.userId, to: r.users.id, optional: false }),
  },
  liveSessionMutes: {
    liveSession: r.one.liveSessions({
      from: r.liveSessionMutes.liveSessionId,
      to: r.liveSessions.id,
      optional: false,
    }),
    user: r.one.users({ from: r.liveSessionMutes.userId, to: r.users.id, optional: false }),
  },
  rsvps: {
    liveSession: r.one.liveSessions({
      from: r.rsvps.liveSessionId,
      to: r.liveSessions.id,
      optional: false,
    }),
    user: r.one.users({ from: r.rsvps.userId, to: r.users.id, optional: false }),
  },
  chatMessages: {
    liveSession: r.one.liveSessions({
      from: r.chatMessages.liveSessionId,
      to: r.liveSessions.id,
      optional: false,
    }),
    author: r.one.users({ from: r.chatMessages.authorId, to: r.users.id }),
  },
  badges: {
    community: r.one.communities({ from: r.badges.communityId, to: r.communities.id }),
    district: r.one.districts({ from: r.badges.districtId, to: r.districts.id }),
    imageUpload: r.one.uploads({ from: r.badges.imageUploadId, to: r.uploads.id }),
    rules: r.many.badgeRules(),
    submissions: r.many.evidenceSubmissions(),
    awards: r.many.badgeAwards(),
    alignments: r.many.frameworkStandards({
      from: r.badges.id.through(r.badgeAlignments.badgeId),
      to: r.frameworkStandards.id.through(r.badgeAlignments.standardId),
    }),
  },
  frameworks: {
    district: r.one.districts({ from: r.frameworks.districtId, to: r.districts.id }),
    standards: r.many.frameworkStandards(),
  },
  frameworkStandards: {
    framework: r.one.frameworks({
      from: r.frameworkStandards.frameworkId,
      to: r.frameworks.id,
      optional: false,
    }),
  },
  badgeRules: {
    badge: r.one.badges({ from: r.badgeRules.badgeId, to: r.badges.id, optional: false }),
    requiredBadges: r.many.badges({
      from: r.badgeRules.id.through(r.badgeRuleBadges.ruleId),
      to: r.badges.id.through(r.badgeRuleBadges.badgeId),
      alias: 'pathwayRules',
    }),
  },
  evidenceSubmissions: {
    badge: r.one.badges({
      from: r.evidenceSubmissions.badgeId,
      to: r.badges.id,
      optional: false,
    }),
    user: r.one.users({ from: r.evidenceSubmissions.userId, to: r.users.id, optional: false }),
    revisions: r.many.evidenceRevisions(),
    reviews: r.many.evidenceReviews(),
  },
  evidenceRevisions: {
    submission: r.one.evidenceSubmissions({
      from: r.evidenceRevisions.submissionId,
      to: r.evidenceSubmissions.id,
      optional: false,
    }),
    files: r.many.uploads({
      from: r.evidenceRevisions.id.through(r.evidenceFiles.revisionId),
      to: r.uploads.id.through(r.evidenceFiles.uploadId),
    }),
  },
  evidenceReviews: {
    submission: r.one.evidenceSubmissions({
      from: r.evidenceReviews.submissionId,
      to: r.evidenceSubmissions.id,
      optional: false,
    }),
    revision: r.one.evidenceRevisions({
      from: r.evidenceReviews.revisionId,
      to: r.evidenceRevisions.id,
      optional: false,
    }),
    reviewer: r.one.users({ from: r.evidenceReviews.reviewerId, to: r.users.id }),
  },
  uploads: {
    owner: r.one.users({ from: r.uploads.ownerId, to: r.users.id }),
  },
  badgeAwards: {
    badge: r.one.badges({ from: r.badgeAwards.badgeId, to: r.badges.id, optional: false }),
    rule: r.one.badgeRules({ from: r.badgeAwards.ruleId, to: r.badgeRules.id }),
    submission: r.one.evidenceSubmissions({
      from: r.badgeAwards.submissionId,
      to: r.evidenceSubmissions.id,
    }),
    recipient: r.one.users({
      from: r.badgeAwards.recipientId,
      to: r.users.id,
      optional: false,
      alias: 'recipient',
    }),
    awardedBy: r.one.users({ from: r.badgeAwards.awardedById, to: r.users.id }),
    revokedBy: r.one.users({
      from: r.badgeAwards.revokedById,
      to: r.users.id,
      alias: 'revokedAwards',
    }),
  },
  notifications: {
    user: r.one.users({ from: r.notifications.userId, to: r.users.id, optional: false }),
  },
  reports: {
    community: r.one.communities({
      from: r.reports.communityId,
      to: r.communities.id,
      optional: false,
    }),
    thread: r.one.threads({ from: r.reports.threadId, to: r.threads.id }),
    post: r.one.posts({ from: r.reports.postId, to: r.posts.id }),
    chatMessage: r.one.chatMessages({ from: r.reports.chatMessageId, to: r.chatMessages.id }),
    subjectUser: r.one.users({
      from: r.reports.subjectUserId,
      to: r.users.id,
      alias: 'reportedPeople',
    }),
    reporter: r.one.users({ from: r.reports.reporterId, to: r.users.id, alias: 'reportsMade' }),
    resolvedBy: r.one.users({
      from: r.reports.resolvedById,
      to: r.users.id,
      alias: 'reportsResolved',
    }),
  },
}));

export type Relations = typeof relations;
