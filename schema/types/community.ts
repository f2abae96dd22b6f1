import { and, eq, ilike, sql } from 'drizzle-orm';
import {
  communities,
  FOCUS_AREAS,
  MEMBERSHIP_STATUSES,
  VISIBILITIES,
} from '../../drizzle/tables/index.ts';
import {
  canJoinCommunity,
  canModerateCommunity,
  canParticipate,
  canRequestToJoin,
  type EmbedScope,
  readableCommunityCondition,
  visibleCommunityCondition,
} from '../../server/auth/access.ts';
import { threadColumnsOf, visibleThreadCondition } from '../../server/auth/content-visibility.ts';
import type { ViewerAccess } from '../../server/auth/viewer-access.ts';
import { renderMarkdown } from '../../server/markdown.ts';
import {
  createCommunity,
  joinCommunity,
  leaveCommunity,
  updateCommunity,
} from '../../server/services/community.ts';
import { topics } from '../../server/services/context.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { parseDatabaseInstant } from '../scalars.ts';
import { enumFromValues } from './enums.ts';

export const FocusAreaEnum = enumFromValues('FocusArea', FOCUS_AREAS, 'What a community works on.');
export const VisibilityEnum = enumFromValues(
  'Visibility',
  VISIBILITIES,
  "Who may read a community: anyone, the owning district's staff, or members only.",
);
export const MembershipRoleEnum = enumFromValues(
  'MembershipRole',
  ['owner', 'facilitator', 'member'] as const,
  'What a member may do: a MEMBER takes part, a FACILITATOR also moderates, and an OWNER also changes settings and roles.',
);
export const MembershipStatusEnum = enumFromValues(
  'MembershipStatus',
  MEMBERSHIP_STATUSES,
  'ACTIVE members read and write; REQUESTED asked to join a private community; BANNED may not rejoin.',
);

export const District = builder.drizzleNode('districts', {
  name: 'District',
  description: 'A school district: its schools, staff, verified email domains and single sign-on.',
  id: { column: (district) => district.id },
  fields: (t) => ({
    name: t.exposeString('name', { description: "The district's name." }),
    slug: t.exposeString('slug', {
      description: 'Unique short name used in links and `district(slug:)`, such as riverbend-usd.',
    }),
  }),
});

export const School = builder.drizzleNode('schools', {
  name: 'School',
  description: 'A school of a district.',
  id: { column: (school) => school.id },
  fields: (t) => ({
    name: t.exposeString('name', { description: "The school's name." }),
    district: t.relation('district', { description: 'The district it belongs to.' }),
  }),
});

builder.drizzleNode('users', {
  name: 'User',
  description: 'An educator. Email is visible to the person themself only.',
  id: { column: (user) => user.id },
  fields: (t) => ({
    displayName: t.exposeString('displayName', {
      description: 'The name shown to others, up to 80 characters.',
    }),
    bio: t.exposeString('bio', {
      description: 'What the person wrote about themself, up to 2,000 characters; may be empty.',
    }),
    email: t.string({
      nullable: true,
      description: "The account's email address; null for anyone but the person themself.",
      resolve: (user, _args, ctx) =>
        ctx.viewer?.id === user.id || ctx.signedInUserId === user.id ? user.email : null,
    }),
    school: t.relation('school', {
      nullable: true,
      description: "The person's school; null when none is set.",
    }),
    district: t.relation('district', {
      nullable: true,
      description:
        'The district this person is staff of; null until a verified address at a verified domain of a district, or its single sign-on, makes them staff.',
    }),
    badgeAwards: t.relatedConnection('awards', {
      description:
        "Active badge awards of this person, newest first, of communities the viewer may read and of the viewer's own district. Empty for others when the person keeps their badges private.",
      query: (_args, ctx) => ({
        where: {
          status: 'active',
          // Badges that a person keeps private are listed to that person only.
          RAW: (table, { sql }) =>
            sql`exists (select 1 from users u where u.id = ${table.recipientId} and (u.badges_public or u.id = ${ctx.viewer?.id ?? -1}))`,
          OR: [{ expiresAt: { isNull: true } }, { expiresAt: { gt: new Date().toISOString() } }],
          badge: ctx.access.embed
            ? embedKeyBadgeFilter(ctx.access.embed, ctx.access)
            : {
                OR: [
                  { community: { RAW: (table) => readableCommunityCondition(ctx.viewer, table) } },
                  // A district's badges are read by its staff and admins.
                  ctx.viewer?.isPlatformAdmin
                    ? { districtId: { isNotNull: true } }
                    : {
                        districtId: {
                          in: [
                            ctx.viewer?.districtId ?? -1,
                            ...(ctx.viewer?.adminDistrictIds ?? []),
                          ],
                        },
                      },
                ],
              },
        },
        orderBy: { id: 'desc' },
      }),
    }),
  }),
});

/**
 * Narrows badge awards to what a widget may show through its embed key: badges of the key's
 * communities that the key opens or the viewer may read, and with a district's key that
 * district's badges (see ViewerAccess.isDistrictReader).
 */
function embedKeyBadgeFilter(embed: EmbedScope, access: ViewerAccess) {
  const communityIds = [...embed.communityIds];
  const districtShown = embed.districtId !== null && access.isDistrictReader(embed.districtId);
  return {
    OR: [
      {
        community: {
          id: { in: communityIds },
          RAW: (table: typeof communities) =>
            sql`(${table.visibility} = 'public' or (${table.visibility} = 'district' and ${embed.districtReadAccepted} and ${table.districtId} = ${embed.districtId ?? -1}) or ${readableCommunityCondition(access.viewer, table)})`,
        },
      },
      { districtId: { in: districtShown ? [embed.districtId ?? -1] : [-1] } },
    ],
  };
}

/**
 * Returns null for a field of a community that the viewer may see but not read. For a community
 * the viewer may not even see, its type check failed, so that error is rethrown instead: a null
 * field would reveal that the community exists.
 */
export async function nullUnlessVisible(
  community: { id: number },
  _args: unknown,
  ctx: { access: { canSee(communityId: number): Promise<boolean> } },
  _info: unknown,
  error: Error,
): Promise<null> {
  if (!(await ctx.access.canSee(community.id))) {
    throw error;
  }
  return null;
}

/**
 * Content fields of a community: visible communities that the viewer may not read (listed
 * private ones) show their name and description, and null here.
 */
const contentOnly = {
  authScopes: (community: { id: number }) => ({ readCommunity: community.id }),
  unauthorizedResolver: nullUnlessVisible,
} as const;

export const Community = builder.drizzleNode('communities', {
  name: 'Community',
  description: 'A community of practice around a shared goal.',
  id: { column: (community) => community.id },
  authScopes: (community) => ({ seeCommunity: community.id }),
  fields: (t) => ({
    slug: t.exposeString('slug', {
      description: 'Unique short name used in links and `community(slug:)`, such as stem-coaches.',
    }),
    name: t.exposeString('name', { description: "The community's name, up to 120 characters." }),
    description: t.exposeString('description', { description: 'Markdown, as written.' }),
    descriptionHtml: t.string({
      description: 'The description rendered to sanitized HTML.',
      resolve: (community) => renderMarkdown(community.description),
    }),
    focus: t.field({
      type: FocusAreaEnum,
      description: 'What the community works on.',
      resolve: (community) => community.focus,
    }),
    visibility: t.field({
      type: VisibilityEnum,
      description: 'Who may read its content.',
      resolve: (community) => community.visibility,
    }),
    listed: t.exposeBoolean('listed', {
      description:
        'For private communities: whether people who are not members see its name and description and may ask to join. An unlisted one takes members by invitation only.',
    }),
    district: t.relation('district', {
      nullable: true,
      description:
        'The district whose staff read it while its visibility is DISTRICT; null when it has never had that visibility.',
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the community was created.',
      resolve: (community) => community.createdAt,
    }),
    memberCount: t.int({
      description: 'Active members.',
      select: {
        extras: {
          memberCount: (table, { sql }) =>
            sql<number>`(select count(*)::int from memberships m where m.community_id = ${table.id} and m.status = 'active')`,
        },
      },
      resolve: (community) => community.memberCount,
    }),
    threadCount: t.int({
      nullable: true,
      description:
        'Threads the viewer may see, as the threads connection lists them; null when the viewer may not read the content.',
      ...contentOnly,
      select: (_args, ctx) => ({
        extras: {
          threadCount: (table, { sql }) =>
            sql<number>`(select count(*)::int from threads t where t.community_id = ${table.id} and ${visibleThreadCondition(ctx.viewer, threadColumnsOf('t'))})`,
        },
      }),
      resolve: (community) => community.threadCount,
    }),
    eventCursor: t.string({
      nullable: true,
      ...contentOnly,
      description:
        'An event id read before the data: pass it as `after` to communityActivity to miss nothing between this query and the subscription.',
      resolve: async (community, _args, ctx) =>
        String(
          (community as { eventCursor?: number }).eventCursor ??
            (await ctx.events.latestEventId(topics.community(community.id))),
        ),
    }),
    viewerMembership: t.field({
      type: Membership,
      nullable: true,
      description: "The viewer's active membership; null when not a member.",
      resolve: async (community, _args, ctx) => {
        const membership = await ctx.access.membership(community.id);
        return membership?.status === 'active' ? membership : null;
      },
    }),
    viewerCanPost: t.boolean({
      description: 'Whether the viewer may start threads and reply.',
      resolve: async (community, _args, ctx) =>
        canParticipate(await ctx.access.membership(community.id)),
    }),
    viewerCanModerate: t.boolean({
      description: 'Whether the viewer is an owner or facilitator.',
      resolve: async (community, _args, ctx) =>
        canModerateCommunity(await ctx.access.membership(community.id)),
    }),
    viewerCanJoin: t.boolean({
      description: 'Whether the viewer may join at once with joinCommunity.',
      resolve: async (community, _args, ctx) =>
        canJoinCommunity(ctx.viewer, community, await ctx.access.membership(community.id)),
    }),
    viewerCanRead: t.boolean({
      description:
        'Whether the viewer may read the content: threads, members, live sessions and badges.',
      resolve: (community, _args, ctx) => ctx.access.canRead(community.id),
    }),
    viewerCanRequestToJoin: t.boolean({
      description:
        'Whether the viewer may ask to join with requestToJoin (listed private communities).',
      resolve: async (community, _args, ctx) =>
        canRequestToJoin(ctx.viewer, community, await ctx.access.membership(community.id)),
    }),
    viewerRequestPending: t.boolean({
      description: 'Whether the viewer asked to join and waits for a decision.',
      resolve: async (community, _args, ctx) =>
        (await ctx.access.membership(community.id))?.status === 'requested',
    }),
    // NOTE: related connections have no totalCount, because the drizzle plugin 0.20 builds
    // invalid SQL for related counts with drizzle-orm 1.0.0-rc.5; the counts above are SQL extras.
    members: t.relatedConnection('memberships', {
      description: 'Active members, earliest first.',
      nullable: true,
      ...contentOnly,
      query: { where: { status: 'active' }, orderBy: { id: 'asc' } },
    }),
    threads: t.relatedConnection('threads', {
      nullable: true,
      ...contentOnly,
      description:
        'Pinned threads first, then by latest activity. Leaves out threads the viewer may not see: removed ones (except for moderators), held ones (except for moderators and their author) and those of people blocked either way.',
      query: (_args, ctx) => ({
        where: { RAW: (table) => visibleThreadCondition(ctx.viewer, table) },
        orderBy: { pinned: 'desc', lastActivityAt: 'desc', id: 'desc' },
      }),
    }),
    upcomingLiveSessions: t.relatedConnection('liveSessions', {
      nullable: true,
      ...contentOnly,
      description: 'Scheduled and live sessions that have not ended, soonest first.',
      query: () => ({
        where: { status: { in: ['scheduled', 'live'] }, endsAt: { gte: new Date().toISOString() } },
        orderBy: { startsAt: 'asc', id: 'asc' },
      }),
    }),
    pastLiveSessions: t.relatedConnection('liveSessions', {
      nullable: true,
      ...contentOnly,
      description: 'Sessions that ended, were cancelled or ran past their end time, latest first.',
      query: () => ({
        where: {
          OR: [
            { status: { in: ['ended', 'cancelled'] } },
            { endsAt: { lt: new Date().toISOString() } },
          ],
        },
        orderBy: { startsAt: 'desc', id: 'desc' },
      }),
    }),
    badges: t.relatedConnection('badges', {
      nullable: true,
      ...contentOnly,
      description:
        'Badges the community awards, earliest first; null when the viewer may not read the content.',
      query: { orderBy: { id: 'asc' } },
    }),
  }),
});

export const Membership = builder.drizzleNode('memberships', {
  name: 'Membership',
  description:
    "A person's place in a community. Active memberships show to readers of the community; requests and bans to its owners and facilitators, and to the person themself.",
  id: { column: (membership) => membership.id },
  authScopes: (membership) =>
    membership.status === 'active'
      ? { $any: { readCommunity: membership.communityId, isViewer: membership.userId } }
      : { $any: { moderateCommunity: membership.communityId, isViewer: membership.userId } },
  fields: (t) => ({
    role: t.field({
      type: MembershipRoleEnum,
      description: "The person's role in the community.",
      resolve: (membership) => membership.role,
    }),
    status: t.field({
      type: MembershipStatusEnum,
      description: 'Whether the person is an active member, asked to join, or is banned.',
      resolve: (membership) => membership.status,
    }),
    joinedAt: t.field({
      type: 'DateTime',
      description:
        'When the person last became an active member; for a pending request, when they asked.',
      resolve: (membership) => membership.createdAt,
    }),
    mutedUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        "When the person's community mute ends, while one is in force; for the community's moderators and the person themself, null for others.",
      resolve: async (membership, _args, ctx) => {
        if (
          membership.mutedUntil === null ||
          parseDatabaseInstant(membership.mutedUntil).getTime() <= Date.now()
        ) {
          return null;
        }
        const allowed =
          ctx.viewer?.id === membership.userId ||
          (await ctx.access.moderatesContent(membership.communityId));
        return allowed ? membership.mutedUntil : null;
      },
    }),
    user: t.relation('user', { description: 'The person.' }),
    community: t.relation('community', { description: 'The community.' }),
  }),
});

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (match) => `\\${match}`);
}

/**
 * Turns a search argument into a LIKE pattern. PostgreSQL text cannot hold a NUL character, so
 * one is dropped rather than sent.
 */
function searchPattern(search: string): string {
  return `%${escapeLike(search.replaceAll('\u0000', '').slice(0, 100))}%`;
}

builder.queryFields((t) => ({
  communities: t.drizzleConnection({
    type: 'communities',
    description:
      'Communities the viewer may see, by name: those it may read, and listed private ones. Filter by focus; search by name.',
    args: {
      focus: t.arg({
        type: FocusAreaEnum,
        required: false,
        description: 'Only communities with this focus.',
      }),
      search: t.arg.string({
        required: false,
        description:
          'Only communities whose name contains this text, ignoring case; the first 100 characters count.',
      }),
    },
    totalCount: async (_parent, args, ctx) => {
      const [row] = await ctx.db
        .select({ count: sql<number>`count(*)::int` })
        .from(communities)
        .where(
          and(
            visibleCommunityCondition(ctx.viewer, communities),
            args.focus ? eq(communities.focus, args.focus) : undefined,
            args.search ? ilike(communities.name, searchPattern(args.search)) : undefined,
          ),
        );
      return row?.count ?? 0;
    },
    resolve: (query, _parent, args, ctx) =>
      ctx.db.query.communities.findMany(
        query({
          where: {
            RAW: (table) => visibleCommunityCondition(ctx.viewer, table),
            ...(args.focus && { focus: args.focus }),
            ...(args.search && { name: { ilike: searchPattern(args.search) } }),
          },
          orderBy: { name: 'asc', id: 'asc' },
        }),
      ),
  }),
  myCommunities: t.drizzleConnection({
    type: 'communities',
    description: 'Communities the viewer is an active member of; empty when signed out.',
    resolve: (query, _parent, _args, ctx) =>
      ctx.db.query.communities.findMany(
        query({
          where: {
            memberships: { userId: ctx.viewer?.id ?? -1, status: 'active' },
          },
          orderBy: { name: 'asc', id: 'asc' },
        }),
      ),
  }),
  community: t.drizzleField({
    type: 'communities',
    nullable: true,
    description:
      'A community by slug; null when it does not exist or the viewer may not see it (unlisted private communities of which the viewer is no member).',
    args: {
      slug: t.arg.string({
        required: true,
        description: "The community's slug, such as stem-coaches.",
      }),
    },
    resolve: async (query, _parent, args, ctx) => {
      // The community's id is not known before the row, so the cursor is the latest event of any
      // topic: every event of this community after it is newer than the data read below.
      const eventCursor = await ctx.events.latestEventId();
      const slug = args.slug.replaceAll('\u0000', '').slice(0, 100);
      // Through an embed key, the key may open communities that the viewer alone may not see,
      // so the access rules decide after the lookup instead of the SQL filter.
      const community = await ctx.db.query.communities.findFirst(
        query({
          where: {
            slug,
            RAW: (table) =>
              ctx.access.embed ? sql`true` : visibleCommunityCondition(ctx.viewer, table),
          },
        }),
      );
      const communityId = (community as { id?: number } | undefined)?.id;
      if (
        communityId !== undefined &&
        ctx.access.embed &&
        !(await ctx.access.canSee(communityId))
      ) {
        return null;
      }
      return community ? Object.assign(community, { eventCursor }) : null;
    },
  }),
  viewer: t.drizzleField({
    type: 'users',
    nullable: true,
    description: 'The signed-in person; null when signed out.',
    resolve: (query, _parent, _args, ctx) =>
      ctx.viewer ? ctx.db.query.users.findFirst(query({ where: { id: ctx.viewer.id } })) : null,
  }),
}));

const LeaveCommunityPayload = builder
  .objectRef<{ communityId: number }>('LeaveCommunityPayload')
  .implement({
    description: 'The outcome of leaving a community.',
    fields: (t) => ({
      community: t.drizzleField({
        type: 'communities',
        nullable: true,
        description: 'The community left; null when the viewer may no longer read it.',
        resolve: async (query, payload, _args, ctx) =>
          (await ctx.access.fresh().canRead(payload.communityId))
            ? ctx.db.query.communities.findFirst(query({ where: { id: payload.communityId } }))
            : null,
      }),
    }),
  });

builder.mutationFields((t) => ({
  createCommunity: t.drizzleField({
    type: 'communities',
    description: 'Creates a community; the viewer becomes its owner.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateCommunityInput', {
          description: 'A new community.',
          fields: (f) => ({
            name: f.string({ required: true, description: '1 to 120 characters.' }),
            slug: f.string({ description: 'Defaults to one made from the name.' }),
            description: f.string({ description: 'Markdown.' }),
            focus: f.field({
              type: FocusAreaEnum,
              required: true,
              description: 'What the community works on.',
            }),
            visibility: f.field({
              type: VisibilityEnum,
              required: true,
              description:
                "Who may read its content. DISTRICT needs a viewer who is district staff, and the viewer's district then owns the community.",
            }),
            listed: f.boolean({
              description:
                'For private communities: whether non-members see it and may ask to join (default true).',
            }),
          }),
        }),
      }),
    },
    resolve: async (_query, _parent, { input }, ctx) => createCommunity(ctx, input),
  }),
  updateCommunity: t.drizzleField({
    type: 'communities',
    description: "Changes a community's settings; owners only.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('UpdateCommunityInput', {
          description: 'Settings to change; omitted or null fields stay as they are.',
          fields: (f) => ({
            communityId: f.id({ required: true, description: 'The community.' }),
            name: f.string({ description: '1 to 120 characters.' }),
            description: f.string({
              description: 'Markdown, up to 5,000 characters; an empty string clears it.',
            }),
            focus: f.field({ type: FocusAreaEnum, description: 'What the community works on.' }),
            visibility: f.field({
              type: VisibilityEnum,
              description:
                "Who may read its content. A change is recorded in the audit log, and open subscriptions check the viewer's access again at once.",
            }),
            listed: f.boolean({
              description:
                'For private communities: whether non-members see it and may ask to join.',
            }),
          }),
        }),
      }),
    },
    resolve: async (_query, _parent, { input }, ctx) =>
      updateCommunity(ctx, {
        ...input,
        communityId: parseGlobalId(String(input.communityId), 'Community', 'communityId'),
      }),
  }),
  joinCommunity: t.drizzleField({
    type: 'memberships',
    description:
      "Joins a community at once and returns the active membership. Anyone signed in may join a public community, and district staff their district's communities; private ones take requests or invitations instead.",
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: CommunityIdInput() }) },
    resolve: async (_query, _parent, { input }, ctx) =>
      joinCommunity(ctx, {
        communityId: parseGlobalId(String(input.communityId), 'Community', 'communityId'),
      }),
  }),
  leaveCommunity: t.field({
    type: LeaveCommunityPayload,
    description: 'Leaves a community. `community` is null when the viewer can no longer read it.',
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: CommunityIdInput() }) },
    resolve: async (_parent, { input }, ctx) => {
      const community = await leaveCommunity(ctx, {
        communityId: parseGlobalId(String(input.communityId), 'Community', 'communityId'),
      });
      return { communityId: community.id };
    },
  }),
}));

let communityIdInput: ReturnType<typeof createCommunityIdInput> | undefined;
function createCommunityIdInput() {
  return builder.inputType('CommunityIdInput', {
    description: 'Names a community.',
    fields: (f) => ({ communityId: f.id({ required: true, description: 'The community.' }) }),
  });
}
function CommunityIdInput() {
  communityIdInput ??= createCommunityIdInput();
  return communityIdInput;
}
