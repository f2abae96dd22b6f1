import { sql } from 'drizzle-orm';
import { rowsOf } from '../../drizzle/db.ts';
import {
  LIVE_SESSION_STATUSES,
  MAX_CAPACITY,
  QUESTION_STATUSES,
  RSVP_SEATS,
  RSVP_STATUSES,
} from '../../drizzle/tables/index.ts';
import { canChatInLiveSession, canManageLiveSession } from '../../server/auth/access.ts';
import { notBlockedCondition } from '../../server/auth/content-visibility.ts';
import { renderMarkdown } from '../../server/markdown.ts';
import { topics } from '../../server/services/context.ts';
import { isMuted } from '../../server/services/live-room.ts';
import {
  changeLiveSessionStatus,
  rsvpToLiveSession,
  scheduleLiveSession,
  updateLiveSession,
} from '../../server/services/live-session.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId, tryParseGlobalId } from '../ids.ts';
import { viewerHasVoted } from '../loaders.ts';
import { enumFromValues } from './enums.ts';

export const LiveSessionStatusEnum = enumFromValues(
  'LiveSessionStatus',
  LIVE_SESSION_STATUSES,
  'Where a live session stands: SCHEDULED, then LIVE, then ENDED; or CANCELLED before it starts.',
);
export const RsvpStatusEnum = enumFromValues(
  'RsvpStatus',
  RSVP_STATUSES,
  "A member's RSVP to a live session: GOING, MAYBE or NOT_GOING.",
);

export const QuestionStatusEnum = enumFromValues(
  'QuestionStatus',
  QUESTION_STATUSES,
  'Where a Q&A question stands: OPEN, then ANSWERED or DISMISSED by the host.',
);

export const RsvpSeatEnum = enumFromValues(
  'RsvpSeat',
  RSVP_SEATS,
  'Whether a GOING RSVP holds a seat (CONFIRMED) or waits for one (WAITLISTED).',
);

/** Minutes before the start from which confirmed attendees see the join link. */
export const JOIN_LINK_LEAD_MINUTES = 15;

export const LiveSession = builder.drizzleNode('liveSessions', {
  name: 'LiveSession',
  description: "A workshop or office hours. Instants are UTC; timeZone is the host's IANA zone.",
  id: { column: (liveSession) => liveSession.id },
  authScopes: (liveSession) => ({ readCommunity: liveSession.communityId }),
  fields: (t) => ({
    title: t.exposeString('title', { description: 'Up to 200 characters.' }),
    description: t.exposeString('description', { description: 'Markdown, as written.' }),
    descriptionHtml: t.string({
      description: 'The description rendered to sanitized HTML.',
      resolve: (liveSession) => renderMarkdown(liveSession.description),
    }),
    startsAt: t.field({
      type: 'DateTime',
      description: 'When it starts.',
      resolve: (liveSession) => liveSession.startsAt,
    }),
    endsAt: t.field({
      type: 'DateTime',
      description: 'When it ends, at most 12 hours after it starts.',
      resolve: (liveSession) => liveSession.endsAt,
    }),
    timeZone: t.exposeString('timeZone', {
      description: 'IANA time zone, such as America/Chicago.',
    }),
    status: t.field({
      type: LiveSessionStatusEnum,
      description:
        'Where it stands. Only its host or a facilitator changes it, so a session can stay LIVE past endsAt.',
      resolve: (liveSession) => liveSession.status,
    }),
    joinUrl: t.string({
      nullable: true,
      description: `Link to the video meeting. The host and the community's owners and facilitators always see it; confirmed attendees from ${JOIN_LINK_LEAD_MINUTES} minutes before the start (see joinUrlAvailableAt); waitlisted people and others never. Null otherwise, or when none was given.`,
      select: (_args, ctx) => ({
        with: {
          rsvps: { columns: { status: true, seat: true }, where: { userId: ctx.viewer?.id ?? -1 } },
        },
      }),
      resolve: async (liveSession, _args, ctx) => {
        if (!liveSession.joinUrl) {
          return null;
        }
        const membership = await ctx.access.membership(liveSession.communityId);
        if (canManageLiveSession(ctx.viewer, liveSession, membership)) {
          return liveSession.joinUrl;
        }
        const seat = liveSession.rsvps[0]?.seat;
        const opensAt = Date.parse(liveSession.startsAt) - JOIN_LINK_LEAD_MINUTES * 60_000;
        return seat === 'confirmed' && Date.now() >= opensAt && liveSession.status !== 'cancelled'
          ? liveSession.joinUrl
          : null;
      },
    }),
    joinUrlAvailableAt: t.field({
      type: 'DateTime',
      description: `When confirmed attendees start to see joinUrl: ${JOIN_LINK_LEAD_MINUTES} minutes before the start.`,
      resolve: (liveSession) =>
        new Date(Date.parse(liveSession.startsAt) - JOIN_LINK_LEAD_MINUTES * 60_000),
    }),
    capacity: t.exposeInt('capacity', {
      nullable: true,
      description: 'Seats for confirmed attendees; null when there is no limit.',
    }),
    waitlistCount: t.int({
      description: 'People whose RSVP is GOING and who wait for a seat.',
      select: {
        extras: {
          waitlistCount: (table, { sql }) =>
            sql<number>`(select count(*)::int from rsvps r where r.live_session_id = ${table.id} and r.seat = 'waitlisted')`,
        },
      },
      resolve: (liveSession) => liveSession.waitlistCount,
    }),
    viewerSeat: t.field({
      type: RsvpSeatEnum,
      nullable: true,
      description: "Whether the viewer's GOING RSVP has a seat or waits for one; null otherwise.",
      select: (_args, ctx) => ({
        with: { rsvps: { columns: { seat: true }, where: { userId: ctx.viewer?.id ?? -1 } } },
      }),
      resolve: (liveSession) => liveSession.rsvps[0]?.seat ?? null,
    }),
    viewerWaitlistPosition: t.int({
      nullable: true,
      description: "The viewer's place in the waitlist, from 1; null when not waitlisted.",
      resolve: async (liveSession, _args, ctx) => {
        if (!ctx.viewer) {
          return null;
        }
        const [row] = rowsOf(
          await ctx.db.execute(
            sql`select (select count(*)::int from rsvps o where o.live_session_id = r.live_session_id and o.seat = 'waitlisted' and (o.waitlisted_at, o.id) <= (r.waitlisted_at, r.id)) as position
              from rsvps r where r.live_session_id = ${liveSession.id} and r.user_id = ${ctx.viewer.id} and r.seat = 'waitlisted'`,
          ),
        );
        const position = row?.position;
        return position === undefined ? null : Number(position);
      },
    }),
    community: t.relation('community', { description: 'The community it belongs to.' }),
    host: t.relation('host', {
      nullable: true,
      description: 'The member who scheduled it; null when that account was deleted.',
    }),
    rsvpCount: t.int({
      description: 'Number of people whose RSVP is GOING and who hold a seat.',
      select: {
        extras: {
          rsvpCount: (table, { sql }) =>
            sql<number>`(select count(*)::int from rsvps r where r.live_session_id = ${table.id} and r.seat = 'confirmed')`,
        },
      },
      resolve: (liveSession) => liveSession.rsvpCount,
    }),
    viewerRsvp: t.field({
      type: RsvpStatusEnum,
      nullable: true,
      description: "The viewer's RSVP; null when they have not sent one or are signed out.",
      select: (_args, ctx) => ({
        with: { rsvps: { columns: { status: true }, where: { userId: ctx.viewer?.id ?? -1 } } },
      }),
      resolve: (liveSession) => liveSession.rsvps[0]?.status ?? null,
    }),
    viewerCanManage: t.boolean({
      description: 'Whether the viewer may change, start, end or cancel it.',
      resolve: async (liveSession, _args, ctx) =>
        canManageLiveSession(
          ctx.viewer,
          liveSession,
          await ctx.access.membership(liveSession.communityId),
        ),
    }),
    viewerCanChat: t.boolean({
      description:
        'Whether the viewer may chat and ask questions: members may while it is scheduled or live, unless a moderator muted them.',
      resolve: async (liveSession, _args, ctx) =>
        canChatInLiveSession(
          liveSession,
          await ctx.access.membership(liveSession.communityId),
          ctx.viewer ? await isMuted(ctx, liveSession.id, ctx.viewer.id) : false,
        ),
    }),
    eventCursor: t.string({
      description:
        'The id of the latest event of its subscription, read before the data: pass it as `after` to miss nothing between this query and the subscription.',
      resolve: async (liveSession, _args, ctx) =>
        String(
          (liveSession as { eventCursor?: number }).eventCursor ??
            (await ctx.events.latestEventId(topics.liveSession(liveSession.id))),
        ),
    }),
    chatMessages: t.relatedConnection('chatMessages', {
      description:
        'Chat history, oldest first; ask for `last: 50` to get the latest. Leaves out the messages of people the viewer blocked or who blocked the viewer.',
      query: (_args, ctx) => ({
        where: { RAW: (table) => notBlockedCondition(ctx.viewer, table.authorId) },
        orderBy: { id: 'asc' },
      }),
    }),
  }),
});

builder.drizzleNode('chatMessages', {
  name: 'ChatMessage',
  description: "A message in a live session's chat.",
  id: { column: (message) => message.id },
  authScopes: (message) => ({ readLiveSession: message.liveSessionId }),
  fields: (t) => ({
    body: t.exposeString('body', { description: 'Plain text, 1 to 2,000 characters.' }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was sent.',
      resolve: (message) => message.createdAt,
    }),
    author: t.relation('author', {
      nullable: true,
      description: 'Who sent it; null when that account was deleted.',
    }),
    liveSession: t.relation('liveSession', { description: 'The live session it was sent in.' }),
  }),
});

builder.queryFields((t) => ({
  liveSession: t.drizzleField({
    type: 'liveSessions',
    nullable: true,
    description:
      'A live session by global id; null when the id names no live session or the viewer may not read its community.',
    args: { id: t.arg.id({ required: true, description: "The live session's global id." }) },
    resolve: async (query, _parent, args, ctx) => {
      const id = tryParseGlobalId(String(args.id), 'LiveSession');
      if (id === null || !(await ctx.access.canReadParent('liveSession', id))) {
        return null;
      }
      // Read before the row, as for threads, so that nothing falls between query and subscription.
      const eventCursor = await ctx.events.latestEventId(topics.liveSession(id));
      const liveSession = await ctx.db.query.liveSessions.findFirst(query({ where: { id } }));
      return liveSession ? Object.assign(liveSession, { eventCursor }) : null;
    },
  }),
}));

export const LiveSessionIdInput = builder.inputType('LiveSessionIdInput', {
  description: 'Names a live session.',
  fields: (f) => ({ liveSessionId: f.id({ required: true, description: 'The live session.' }) }),
});

const statusMutation = (action: 'start' | 'end' | 'cancel', description: string) =>
  builder.mutationField(`${action}LiveSession`, (t) =>
    t.drizzleField({
      type: 'liveSessions',
      description,
      errors: { types: COMMON_ERRORS },
      args: { input: t.arg({ required: true, type: LiveSessionIdInput }) },
      resolve: (_query, _parent, { input }, ctx) =>
        changeLiveSessionStatus(ctx, {
          liveSessionId: parseGlobalId(String(input.liveSessionId), 'LiveSession', 'liveSessionId'),
          action,
        }),
    }),
  );

statusMutation('start', 'Opens a scheduled session: its status becomes LIVE.');
statusMutation('end', 'Closes a live session: its status becomes ENDED.');
statusMutation('cancel', 'Cancels a scheduled session: its status becomes CANCELLED.');

builder.mutationFields((t) => ({
  scheduleLiveSession: t.drizzleField({
    type: 'liveSessions',
    description:
      'Schedules a live session; any member may host. At most 12 hours long, not in the past.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('ScheduleLiveSessionInput', {
          description: 'A new live session.',
          fields: (f) => ({
            communityId: f.id({ required: true, description: 'The community it belongs to.' }),
            title: f.string({ required: true, description: '1 to 200 characters.' }),
            description: f.string({ description: 'Markdown.' }),
            startsAt: f.field({
              type: 'DateTime',
              required: true,
              description: 'When it starts; not in the past.',
            }),
            endsAt: f.field({
              type: 'DateTime',
              required: true,
              description: 'When it ends: after startsAt and at most 12 hours later.',
            }),
            timeZone: f.string({ required: true, description: "The host's IANA time zone." }),
            joinUrl: f.string({
              description: 'An http or https link to the video meeting, at most 2,000 characters.',
            }),
            capacity: f.int({
              description: `Seats for confirmed attendees, 1 to ${MAX_CAPACITY}; omit for no limit. Later GOING RSVPs join a waitlist.`,
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      scheduleLiveSession(ctx, {
        ...input,
        communityId: parseGlobalId(String(input.communityId), 'Community', 'communityId'),
      }),
  }),
  updateLiveSession: t.drizzleField({
    type: 'liveSessions',
    description:
      "Changes a live session that has not ended or been cancelled; its host or the community's owners and facilitators. Subscribers get an UPDATED event.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('UpdateLiveSessionInput', {
          description: 'Fields to change; omitted or null fields stay as they are.',
          fields: (f) => ({
            liveSessionId: f.id({ required: true, description: 'The live session.' }),
            title: f.string({ description: '1 to 200 characters.' }),
            description: f.string({
              description: 'Markdown, up to 5,000 characters; an empty string clears it.',
            }),
            startsAt: f.field({
              type: 'DateTime',
              description: 'When it starts; not in the past.',
            }),
            endsAt: f.field({
              type: 'DateTime',
              description: 'When it ends: after the start and at most 12 hours later.',
            }),
            timeZone: f.string({
              description: "The host's IANA time zone, such as America/Chicago.",
            }),
            joinUrl: f.string({ description: 'An empty string removes the link.' }),
            capacity: f.int({
              description: `Seats for confirmed attendees, 1 to ${MAX_CAPACITY}; 0 removes the limit. Seats that open go to the waitlist in order.`,
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      updateLiveSession(ctx, {
        ...input,
        liveSessionId: parseGlobalId(String(input.liveSessionId), 'LiveSession', 'liveSessionId'),
      }),
  }),
  rsvp: t.drizzleField({
    type: 'liveSessions',
    description: 'Records whether the viewer is going.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RsvpInput', {
          description: "A live session and the viewer's RSVP.",
          fields: (f) => ({
            liveSessionId: f.id({ required: true, description: 'The live session.' }),
            status: f.field({
              type: RsvpStatusEnum,
              required: true,
              description: 'Whether the viewer is going.',
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      rsvpToLiveSession(ctx, {
        liveSessionId: parseGlobalId(String(input.liveSessionId), 'LiveSession', 'liveSessionId'),
        status: input.status,
      }),
  }),
}));

builder.drizzleNode('liveQuestions', {
  name: 'LiveQuestion',
  description: 'A question asked in a live session’s Q&A.',
  id: { column: (question) => question.id },
  authScopes: (question) => ({ readLiveSession: question.liveSessionId }),
  fields: (t) => ({
    body: t.exposeString('body', { description: 'Plain text, 1 to 500 characters.' }),
    status: t.field({
      type: QuestionStatusEnum,
      description: 'OPEN until the host marks it ANSWERED or DISMISSED.',
      resolve: (question) => question.status,
    }),
    voteCount: t.exposeInt('voteCount', { description: 'Upvotes, one per person.' }),
    viewerHasVoted: t.boolean({
      description: 'Whether the viewer upvoted it.',
      // NOTE: this reads the viewer, so live session events that carry a question are resolved
      // once per viewer rather than shared (see server/shared-delivery.ts).
      resolve: (question, _args, ctx) => viewerHasVoted(ctx, question.id),
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was asked.',
      resolve: (question) => question.createdAt,
    }),
    resolvedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was answered or dismissed; null while open.',
      resolve: (question) => question.resolvedAt,
    }),
    author: t.relation('author', {
      nullable: true,
      description: 'Who asked it; null when that account was deleted.',
    }),
    liveSession: t.relation('liveSession', { description: 'The live session it was asked in.' }),
  }),
});
