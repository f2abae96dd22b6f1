import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import {
  REPORT_ACTIONS,
  REPORT_REASONS,
  REPORT_STATUSES,
  REPORT_SUBJECTS,
} from '../../drizzle/tables/index.ts';
import { RateLimitedError, ValidationError } from '../../server/errors.ts';
import {
  removePost,
  removeThread,
  restorePost,
  restoreThread,
} from '../../server/services/content-removal.ts';
import {
  type ReportTarget,
  reportContent,
  resolveReport,
} from '../../server/services/moderation.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { nullUnlessVisible } from './community.ts';
import { enumFromValues } from './enums.ts';

const ReportReasonEnum = enumFromValues(
  'ReportReason',
  REPORT_REASONS,
  'Why something was reported. HELD_LINK is set by the server alone, for a new account’s post with links held for review.',
);
const ReportSubjectKindEnum = enumFromValues(
  'ReportSubjectKind',
  REPORT_SUBJECTS,
  'What a report is about: a thread, a post, a live session chat message or a person.',
);
const ReportStatusEnum = enumFromValues(
  'ReportStatus',
  REPORT_STATUSES,
  'OPEN reports wait in the review queue; RESOLVED ones carry the decision.',
);
const ReportActionEnum = enumFromValues(
  'ReportAction',
  REPORT_ACTIONS,
  'The decision taken on a report.',
);

const ReportDecisionEnum = builder.enumType('ReportDecision', {
  description: 'What to do about a report.',
  values: {
    DISMISS: { value: 'dismissed', description: 'Nothing is wrong; change nothing.' },
    APPROVE: {
      value: 'approved',
      description: 'Release a held thread or post, so that everyone sees it.',
    },
    REMOVE: {
      value: 'removed',
      description: 'Remove the thread, post or chat message from everyone but moderators.',
    },
    WARN: { value: 'warned', description: 'Send the person a warning with the note.' },
    MUTE: {
      value: 'muted',
      description:
        'Keep the person from posting, replying, editing and chatting in the community for muteMinutes.',
    },
    BAN: { value: 'banned', description: 'Ban the person from the community.' },
  },
});

const SUBJECT_TYPENAMES = {
  Thread: 'thread',
  Post: 'post',
  ChatMessage: 'chat_message',
  User: 'person',
} as const;

/** Decodes the global id of a Thread, Post, ChatMessage or User into what a report is about. */
function parseReportTarget(value: string): ReportTarget {
  let typename = '';
  try {
    typename = decodeGlobalID(value).typename;
  } catch {
    // Reported below as an invalid id.
  }
  const kind = SUBJECT_TYPENAMES[typename as keyof typeof SUBJECT_TYPENAMES];
  if (!kind) {
    throw ValidationError.of(
      'subjectId',
      `"${value.slice(0, 80)}" is not the id of a Thread, Post, ChatMessage or User`,
    );
  }
  return { kind, id: parseGlobalId(value, typename, 'subjectId') };
}

interface SubjectPreview {
  title: string | null;
  body: string;
  threadId: number | null;
  liveSessionId: number | null;
  removed: boolean;
  held: boolean;
  deleted: boolean;
}

const ReportSubjectPreview = builder.objectRef<SubjectPreview>('ReportSubjectPreview').implement({
  description:
    'The reported content as it is now, for moderators, even when it was removed or is held. Empty for a person.',
  fields: (t) => ({
    title: t.exposeString('title', {
      nullable: true,
      description: "The thread's title, or the title of the post's thread; null otherwise.",
    }),
    body: t.exposeString('body', {
      description:
        'The text as written. For a chat message a moderator removed, the text kept in the audit log.',
    }),
    threadId: t.id({
      nullable: true,
      description: 'The Thread it is or belongs to, for a link; null for a chat message or person.',
      resolve: (preview) =>
        preview.threadId === null ? null : encodeGlobalID('Thread', preview.threadId),
    }),
    liveSessionId: t.id({
      nullable: true,
      description: 'The LiveSession of a chat message; null otherwise.',
      resolve: (preview) =>
        preview.liveSessionId === null
          ? null
          : encodeGlobalID('LiveSession', preview.liveSessionId),
    }),
    removed: t.exposeBoolean('removed', {
      description: 'Whether a moderator removed it.',
    }),
    held: t.exposeBoolean('held', { description: 'Whether it waits for review before it shows.' }),
    deleted: t.exposeBoolean('deleted', { description: 'Whether its author deleted it.' }),
  }),
});

builder.drizzleNode('reports', {
  name: 'Report',
  description:
    "A report of a thread, post, chat message or person to a community's moderators, or a post the server held for review. Visible to the community's moderators and to the person who made it.",
  id: { column: (report) => report.id },
  authScopes: (report) => ({
    $any: {
      moderateContent: report.communityId,
      ...(report.reporterId !== null && { isViewer: report.reporterId }),
    },
  }),
  fields: (t) => ({
    subjectKind: t.field({
      type: ReportSubjectKindEnum,
      description: 'What kind of thing is reported.',
      resolve: (report) => report.subjectKind,
    }),
    subjectId: t.id({
      description: 'The global id of the reported Thread, Post, ChatMessage or User.',
      resolve: (report) => {
        if (report.subjectKind === 'thread') {
          return encodeGlobalID('Thread', report.threadId ?? 0);
        }
        if (report.subjectKind === 'post') {
          return encodeGlobalID('Post', report.postId ?? 0);
        }
        if (report.subjectKind === 'chat_message') {
          return encodeGlobalID('ChatMessage', report.chatMessageId ?? 0);
        }
        return encodeGlobalID('User', report.subjectUserId ?? 0);
      },
    }),
    reason: t.field({
      type: ReportReasonEnum,
      description: 'Why it was reported.',
      resolve: (report) => report.reason,
    }),
    details: t.exposeString('details', {
      description: 'What the reporter wrote, up to 1,000 characters; may be empty.',
    }),
    status: t.field({
      type: ReportStatusEnum,
      description: 'Open or resolved.',
      resolve: (report) => report.status,
    }),
    action: t.field({
      type: ReportActionEnum,
      nullable: true,
      description: 'The decision; null while open.',
      resolve: (report) => report.action,
    }),
    resolutionNote: t.exposeString('resolutionNote', {
      nullable: true,
      description:
        "The moderator's note on the decision; null while open or when none was written.",
    }),
    mutedUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'For a MUTED decision, when the mute ends.',
      resolve: (report) => report.mutedUntil,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was reported.',
      resolve: (report) => report.createdAt,
    }),
    resolvedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was resolved; null while open.',
      resolve: (report) => report.resolvedAt,
    }),
    community: t.relation('community', {
      description: 'The community whose moderators review it.',
    }),
    reporter: t.relation('reporter', {
      nullable: true,
      description:
        'Who reported it; null for a post the server held (HELD_LINK) and when the account is gone.',
    }),
    subjectUser: t.relation('subjectUser', {
      nullable: true,
      description:
        'The reported person, or the author of the reported content; null when the account is gone.',
    }),
    resolvedBy: t.relation('resolvedBy', {
      nullable: true,
      description: 'The moderator who resolved it; null while open.',
    }),
    subject: t.field({
      type: ReportSubjectPreview,
      nullable: true,
      description:
        'The reported content, even removed or held; null for a person, and when the content is gone.',
      authScopes: (report: { communityId: number }) => ({ moderateContent: report.communityId }),
      unauthorizedResolver: () => null,
      select: {
        with: {
          thread: { columns: { title: true, body: true, removedAt: true, heldAt: true } },
          post: {
            columns: { body: true, threadId: true, removedAt: true, heldAt: true, deletedAt: true },
            with: { thread: { columns: { title: true } } },
          },
          chatMessage: { columns: { body: true, liveSessionId: true, deletedAt: true } },
        },
        extras: {
          removedChatText: (table, { sql }) =>
            sql<
              string | null
            >`(select a.details->>'body' from audit_log a where a.action = 'live_session.message_removed' and a.details->>'chatMessageId' = ${table.chatMessageId}::text order by a.id desc limit 1)`,
        },
      },
      resolve: (report): SubjectPreview | null => {
        const base = { liveSessionId: null, deleted: false };
        if (report.thread) {
          const { thread } = report;
          return {
            ...base,
            title: thread.title,
            body: thread.body,
            threadId: report.threadId,
            removed: thread.removedAt !== null,
            held: thread.heldAt !== null,
          };
        }
        if (report.post) {
          const { post } = report;
          return {
            ...base,
            title: post.thread.title,
            body: post.body,
            threadId: post.threadId,
            removed: post.removedAt !== null,
            held: post.heldAt !== null,
            deleted: post.deletedAt !== null,
          };
        }
        if (report.chatMessage) {
          const { chatMessage } = report;
          return {
            title: null,
            body: chatMessage.body || (report.removedChatText ?? ''),
            threadId: null,
            liveSessionId: chatMessage.liveSessionId,
            removed: chatMessage.deletedAt !== null && report.removedChatText !== null,
            held: false,
            deleted: chatMessage.deletedAt !== null && report.removedChatText === null,
          };
        }
        return null;
      },
    }),
    openReportsOnSubject: t.int({
      description:
        'Open reports on the same subject, this one included when open; null for anyone but moderators.',
      nullable: true,
      authScopes: (report: { communityId: number }) => ({ moderateContent: report.communityId }),
      unauthorizedResolver: () => null,
      select: {
        extras: {
          openReportsOnSubject: (table, { sql }) =>
            sql<number>`(select count(*)::int from reports o where o.community_id = ${table.communityId} and o.status = 'open' and o.subject_kind = ${table.subjectKind} and o.thread_id is not distinct from ${table.threadId} and o.post_id is not distinct from ${table.postId} and o.chat_message_id is not distinct from ${table.chatMessageId} and (${table.subjectKind} <> 'person' or o.subject_user_id = ${table.subjectUserId}))`,
        },
      },
      resolve: (report) => report.openReportsOnSubject,
    }),
  }),
});

builder.drizzleObjectFields('communities', (t) => ({
  reports: t.relatedConnection('reports', {
    nullable: true,
    description:
      "The review queue: reports with the given status, open ones oldest first and resolved ones newest first; null unless the viewer is an owner or facilitator, or an admin of the community's district.",
    args: {
      status: t.arg({
        type: ReportStatusEnum,
        defaultValue: 'open',
        description: 'Which reports; OPEN by default.',
      }),
    },
    authScopes: (community: { id: number }) => ({ moderateContent: community.id }),
    unauthorizedResolver: nullUnlessVisible,
    query: (args) => ({
      where: { status: args.status ?? 'open' },
      orderBy: { id: args.status === 'resolved' ? 'desc' : 'asc' },
    }),
  }),
  openReportCount: t.int({
    nullable: true,
    description:
      "Open reports in the review queue; null unless the viewer is an owner or facilitator, or an admin of the community's district.",
    authScopes: (community: { id: number }) => ({ moderateContent: community.id }),
    unauthorizedResolver: () => null,
    select: {
      extras: {
        openReportCount: (table, { sql }) =>
          sql<number>`(select count(*)::int from reports r where r.community_id = ${table.id} and r.status = 'open')`,
      },
    },
    resolve: (community) => community.openReportCount,
  }),
  viewerCanReviewReports: t.boolean({
    description:
      "Whether the viewer reviews this community's reports and removes its content: its owners and facilitators, and admins of its district.",
    authScopes: (community: { id: number }) => ({ moderateContent: community.id }),
    unauthorizedResolver: () => false,
    resolve: () => true,
  }),
}));

builder.mutationFields((t) => ({
  reportContent: t.drizzleField({
    type: 'reports',
    description:
      "Reports a thread, post, chat message or person to the community's moderators. Anyone signed in who may read it may; one open report per person and subject, and at most 30 reports per person per hour.",
    errors: { types: [...COMMON_ERRORS, RateLimitedError] },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('ReportContentInput', {
          description: 'What is reported, and why.',
          fields: (f) => ({
            subjectId: f.id({
              required: true,
              description: 'The global id of a Thread, Post, ChatMessage or User.',
            }),
            communityId: f.id({
              description:
                'The community in which a person is reported; required for a User, optional otherwise.',
            }),
            reason: f.field({
              type: ReportReasonEnum,
              required: true,
              description: 'Why; any reason but HELD_LINK.',
            }),
            details: f.string({ description: 'More about it, up to 1,000 characters.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      reportContent(ctx, {
        target: parseReportTarget(String(input.subjectId)),
        communityId: input.communityId
          ? parseGlobalId(String(input.communityId), 'Community', 'communityId')
          : null,
        reason: input.reason,
        details: input.details,
      }),
  }),
  resolveReport: t.drizzleField({
    type: 'reports',
    description:
      'Decides on an open report. Every open report on the same subject is resolved with the same decision. Moderators only.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('ResolveReportInput', {
          description: 'A report and the decision on it.',
          fields: (f) => ({
            reportId: f.id({ required: true, description: 'The Report.' }),
            action: f.field({
              type: ReportDecisionEnum,
              required: true,
              description: 'The decision.',
            }),
            note: f.string({
              description:
                'Why, up to 1,000 characters: kept in the audit log, shown to the person acted on, and the removal reason of REMOVE.',
            }),
            muteMinutes: f.int({
              description: 'For MUTE only: how long, in minutes, from 1 to 525,600 (a year).',
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      resolveReport(ctx, {
        reportId: parseGlobalId(String(input.reportId), 'Report', 'reportId'),
        action: input.action,
        note: input.note,
        muteMinutes: input.muteMinutes,
      }),
  }),
  removePost: t.drizzleField({
    type: 'posts',
    description:
      "Removes a post from everyone's view but moderators', with a reason kept in the audit log. Open thread pages and widgets drop it at once.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RemovePostInput', {
          description: 'A post and why it is removed.',
          fields: (f) => ({
            postId: f.id({ required: true, description: 'The post.' }),
            reason: f.string({ required: true, description: '1 to 500 characters, one line.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      removePost(ctx, {
        postId: parseGlobalId(String(input.postId), 'Post', 'postId'),
        reason: input.reason,
      }),
  }),
  removeThread: t.drizzleField({
    type: 'threads',
    description:
      "Removes a thread, with its replies, from everyone's view but moderators', with a reason kept in the audit log.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RemoveThreadInput', {
          description: 'A thread and why it is removed.',
          fields: (f) => ({
            threadId: f.id({ required: true, description: 'The thread.' }),
            reason: f.string({ required: true, description: '1 to 500 characters, one line.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      removeThread(ctx, {
        threadId: parseGlobalId(String(input.threadId), 'Thread', 'threadId'),
        reason: input.reason,
      }),
  }),
  restorePost: t.drizzleField({
    type: 'posts',
    description: 'Undoes removePost. Moderators only.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RestorePostInput', {
          description: 'A removed post.',
          fields: (f) => ({ postId: f.id({ required: true, description: 'The post.' }) }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      restorePost(ctx, { postId: parseGlobalId(String(input.postId), 'Post', 'postId') }),
  }),
  restoreThread: t.drizzleField({
    type: 'threads',
    description: 'Undoes removeThread. Moderators only.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RestoreThreadInput', {
          description: 'A removed thread.',
          fields: (f) => ({ threadId: f.id({ required: true, description: 'The thread.' }) }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      restoreThread(ctx, {
        threadId: parseGlobalId(String(input.threadId), 'Thread', 'threadId'),
      }),
  }),
}));
