import { BADGE_KINDS, ISTE_STANDARDS, MAX_VALID_FOR_DAYS } from '../../drizzle/tables/index.ts';
import { readableCommunityCondition } from '../../server/auth/access.ts';
import { renderMarkdown } from '../../server/markdown.ts';
import {
  awardBadge,
  createBadge,
  ISTE_STANDARD_INFO,
  type IsteStandard,
  revokeBadgeAward,
} from '../../server/services/badge.ts';
import { canManageBadge } from '../../server/services/badge-access.ts';
import type { BadgeAwardAccessRow } from '../../server/services/badge-award-access.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId, tryParseGlobalId } from '../ids.ts';
import { BadgeImageTemplateInput, parseImageUploadId } from './badge-image.ts';
import { enumFromValues } from './enums.ts';

export const IsteStandardEnum = enumFromValues(
  'IsteStandard',
  ISTE_STANDARDS,
  'The seven ISTE Standards for Educators, by role.',
);

export const BadgeKindEnum = enumFromValues(
  'BadgeKind',
  BADGE_KINDS,
  'What a badge recognizes: taking part (PARTICIPATION) or a certified skill (MICROCREDENTIAL).',
);

const IsteStandardInfo = builder.objectRef<IsteStandard>('IsteStandardInfo').implement({
  description: 'One ISTE Standard for Educators with its code, such as 2.4 Collaborator.',
  fields: (t) => ({
    standard: t.field({
      type: IsteStandardEnum,
      description: 'The standard as an enum value.',
      resolve: (standard) => standard,
    }),
    code: t.string({
      description: 'Its number in the ISTE Standards for Educators, such as 2.4.',
      resolve: (standard) => ISTE_STANDARD_INFO[standard].code,
    }),
    name: t.string({
      description: 'Its role name, such as Collaborator.',
      resolve: (standard) => ISTE_STANDARD_INFO[standard].name,
    }),
    summary: t.string({
      description: "One sentence on what the standard asks of educators, in Staffroom's words.",
      resolve: (standard) => ISTE_STANDARD_INFO[standard].summary,
    }),
  }),
});

export const Badge = builder.drizzleNode('badges', {
  name: 'Badge',
  description:
    'A badge that a community or a district awards, aligned to one or more ISTE Standards for Educators.',
  id: { column: (badge) => badge.id },
  authScopes: (badge) => ({ readBadge: badge.id }),
  fields: (t) => ({
    name: t.exposeString('name', {
      description: 'Up to 120 characters, unique within its community regardless of case.',
    }),
    description: t.exposeString('description', {
      description: 'What the badge recognizes, up to 2,000 characters.',
    }),
    criteria: t.exposeString('criteria', { description: 'Markdown: what earns the badge.' }),
    criteriaHtml: t.string({
      description: 'The criteria rendered to sanitized HTML.',
      resolve: (badge) => renderMarkdown(badge.criteria),
    }),
    isteStandards: t.field({
      type: [IsteStandardInfo],
      description: 'The ISTE Standards for Educators it is aligned to; at least one.',
      resolve: (badge) => badge.isteStandards,
    }),
    kind: t.field({
      type: BadgeKindEnum,
      description: 'A participation badge or a microcredential.',
      resolve: (badge) => badge.kind,
    }),
    validForDays: t.exposeInt('validForDays', {
      nullable: true,
      description:
        'Days each award stays valid unless the awarder sets another expiry; null when awards do not expire by default.',
    }),
    viewerCanManage: t.boolean({
      description:
        "Whether the viewer manages the badge: awards and revokes it, defines its rules and reviews evidence. The community's owners and facilitators, or the district's admins.",
      resolve: (badge, _args, ctx) => canManageBadge(ctx, badge),
    }),
    community: t.relation('community', {
      nullable: true,
      description: "The community that awards it; null for a district's badge.",
    }),
    district: t.relation('district', {
      nullable: true,
      description: "The district that awards it; null for a community's badge.",
    }),
    holderCount: t.int({
      description: 'People holding an active award of this badge.',
      select: {
        extras: {
          holderCount: (table, { sql }) =>
            sql<number>`(select count(*)::int from badge_awards a where a.badge_id = ${table.id} and a.status = 'active' and (a.expires_at is null or a.expires_at > now()))`,
        },
      },
      resolve: (badge) => badge.holderCount,
    }),
    holders: t.relatedConnection('awards', {
      description:
        "Active awards, newest first. People who keep their badges private are listed only to themselves and to those who manage the badge (the community's owners and facilitators, or the district's admins); holderCount counts everyone.",
      // An award past its expiry counts as expired even before anything rewrites its status.
      query: (_args, ctx) => ({
        where: {
          status: 'active',
          RAW: (table, { sql }) =>
            sql`(exists (select 1 from users u where u.id = ${table.recipientId} and (u.badges_public or u.id = ${ctx.viewer?.id ?? -1}))
              or exists (select 1 from badges b join memberships m on m.community_id = b.community_id
                where b.id = ${table.badgeId} and m.user_id = ${ctx.viewer?.id ?? -1} and m.status = 'active' and m.role in ('owner', 'facilitator'))
              or exists (select 1 from badges b where b.id = ${table.badgeId} and b.district_id in (${sql.join(
                (ctx.viewer?.adminDistrictIds ?? [-1]).concat(-1).map((id) => sql`${id}`),
                sql`, `,
              )})))`,
          OR: [{ expiresAt: { isNull: true } }, { expiresAt: { gt: new Date().toISOString() } }],
        },
        orderBy: { id: 'desc' },
      }),
    }),
    viewerAwards: t.relatedConnection('awards', {
      description:
        "The viewer's own awards of this badge, newest first: active, expired and revoked, with the reason for a revocation. Empty when signed out.",
      query: (_args, ctx) => ({
        where: { recipientId: ctx.viewer?.id ?? -1 },
        orderBy: { id: 'desc' },
      }),
    }),
  }),
});

/** Fields of an award that only its recipient and the badge's managers read; null for others. */
const recipientAndManagersOnly = {
  authScopes: (award: BadgeAwardAccessRow) => ({ readBadgeAwardDetails: award }),
  unauthorizedResolver: () => null,
} as const;

builder.drizzleNode('badgeAwards', {
  name: 'BadgeAward',
  description:
    "A badge given to a person. Visible to those who may read the badge's community when the person shows badges publicly, and otherwise only to the person and to those who manage the badge (the community's owners and facilitators, or the district's admins). A person holds at most one active award of each badge.",
  id: { column: (award) => award.id },
  authScopes: (award) => ({ readBadgeAward: award }),
  fields: (t) => ({
    badge: t.relation('badge', { description: 'The badge awarded.' }),
    recipient: t.relation('recipient', { description: 'The person who received it.' }),
    awardedBy: t.relation('awardedBy', {
      nullable: true,
      description: 'The owner or facilitator who awarded it; null when that account was deleted.',
    }),
    awardedAt: t.field({
      type: 'DateTime',
      description: 'When it was awarded.',
      resolve: (award) => award.awardedAt,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it stops being active; null when it does not expire.',
      resolve: (award) => award.expiresAt,
    }),
    status: t.string({
      description:
        'active, revoked or expired. An award past its expiresAt reads as expired even before its stored status is rewritten.',
      resolve: (award) =>
        award.status === 'active' &&
        award.expiresAt !== null &&
        Date.parse(award.expiresAt) <= Date.now()
          ? 'expired'
          : award.status,
    }),
    revokedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was revoked; null unless revoked.',
      resolve: (award) => award.revokedAt,
    }),
    revokeReason: t.string({
      nullable: true,
      description:
        'Why it was revoked; null unless revoked, and for anyone but the recipient and those who manage the badge.',
      ...recipientAndManagersOnly,
      resolve: (award) => (award.status === 'revoked' ? award.revokeReason : null),
    }),
    revokedBy: t.relation('revokedBy', {
      nullable: true,
      description:
        'Who revoked it; null unless revoked, when that account was deleted, and for anyone but the recipient and those who manage the badge.',
      ...recipientAndManagersOnly,
    }),
    note: t.string({
      nullable: true,
      description:
        "The awarder's note to the recipient, empty when there is none; null for anyone but the recipient and those who manage the badge.",
      ...recipientAndManagersOnly,
      resolve: (award) => award.note,
    }),
  }),
});

builder.queryFields((t) => ({
  badge: t.drizzleField({
    type: 'badges',
    nullable: true,
    description:
      "A badge by global id; null when the id names no badge or the viewer may not read the badge's community.",
    args: { id: t.arg.id({ required: true, description: "The badge's global id." }) },
    resolve: async (query, _parent, args, ctx) => {
      const id = tryParseGlobalId(String(args.id), 'Badge');
      if (id === null || !(await ctx.access.canReadParent('badge', id))) {
        return null;
      }
      return ctx.db.query.badges.findFirst(query({ where: { id } }));
    },
  }),
  isteStandards: t.field({
    type: [IsteStandardInfo],
    description: 'The seven ISTE Standards for Educators, in code order.',
    resolve: () => [...ISTE_STANDARDS],
  }),
}));

builder.mutationFields((t) => ({
  revokeBadgeAward: t.drizzleField({
    type: 'badgeAwards',
    description:
      "Revokes an active award with a reason the recipient sees; the badge's community owners and facilitators only. The audit log records who and why.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RevokeBadgeAwardInput', {
          description: 'An award and why it is revoked.',
          fields: (f) => ({
            awardId: f.id({ required: true, description: 'The BadgeAward.' }),
            reason: f.string({ required: true, description: '1 to 500 characters.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      revokeBadgeAward(ctx, {
        awardId: parseGlobalId(String(input.awardId), 'BadgeAward', 'awardId'),
        reason: input.reason,
      }),
  }),
  createBadge: t.drizzleField({
    type: 'badges',
    description:
      "Defines a badge: in a community by its owners and facilitators, or in a district by the district's admins.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateBadgeInput', {
          description: 'A new badge for a community or a district.',
          fields: (f) => ({
            communityId: f.id({
              description: 'The community that awards it; give this or districtId.',
            }),
            districtId: f.id({
              description: 'The district that awards it to its staff; give this or communityId.',
            }),
            name: f.string({
              required: true,
              description: '1 to 120 characters, unique within the community regardless of case.',
            }),
            description: f.string({
              required: true,
              description: 'What the badge recognizes, 1 to 2,000 characters.',
            }),
            criteria: f.string({ required: true, description: 'Markdown.' }),
            isteStandards: f.field({
              type: [IsteStandardEnum],
              required: true,
              description:
                'The ISTE Standards for Educators it is aligned to; at least one, repeats ignored.',
            }),
            kind: f.field({
              type: BadgeKindEnum,
              description: 'PARTICIPATION (the default) or MICROCREDENTIAL.',
            }),
            validForDays: f.int({
              description: `Days each award stays valid, 1 to ${MAX_VALID_FOR_DAYS}; omit for awards that do not expire unless the awarder sets an expiry.`,
            }),
            alignmentIds: f.idList({
              description:
                "Further FrameworkStandard ids it is aligned to, at most 50: from frameworks every community may use, or from the community's district's own.",
            }),
            imageUploadId: f.id({
              description:
                'Its image: an Upload of purpose BADGE_IMAGE that the viewer uploaded. Give this or imageTemplate, or neither for the default drawing.',
            }),
            imageTemplate: f.field({
              type: BadgeImageTemplateInput,
              description:
                'Its image drawn from a colour and a symbol; give this or imageUploadId.',
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      createBadge(ctx, {
        ...input,
        communityId:
          input.communityId == null
            ? null
            : parseGlobalId(String(input.communityId), 'Community', 'communityId'),
        districtId:
          input.districtId == null
            ? null
            : parseGlobalId(String(input.districtId), 'District', 'districtId'),
        alignmentIds: (input.alignmentIds ?? []).map((id, index) =>
          parseGlobalId(String(id), 'FrameworkStandard', `alignmentIds.${index}`),
        ),
        imageUploadId: parseImageUploadId(input.imageUploadId),
      }),
  }),
  awardBadge: t.drizzleField({
    type: 'badgeAwards',
    description: 'Awards a badge to a member; one active award per person and badge.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('AwardBadgeInput', {
          description: 'A badge and the member who receives it.',
          fields: (f) => ({
            badgeId: f.id({ required: true, description: 'The badge.' }),
            recipientId: f.id({
              required: true,
              description:
                "The person, by User id: an active member of the badge's community, or staff of its district.",
            }),
            note: f.string({ description: 'A note for the recipient, up to 2,000 characters.' }),
            expiresAt: f.field({
              type: 'DateTime',
              description:
                'When the award expires, in the future; omit it for an award that lasts.',
            }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      awardBadge(ctx, {
        badgeId: parseGlobalId(String(input.badgeId), 'Badge', 'badgeId'),
        recipientId: parseGlobalId(String(input.recipientId), 'User', 'recipientId'),
        note: input.note,
        expiresAt: input.expiresAt,
      }),
  }),
}));

builder.drizzleObjectFields('users', (t) => ({
  badgeAwardHistory: t.relatedConnection('awards', {
    nullable: true,
    description:
      "This person's revoked and expired badge awards, newest first, with when and why each ended, of communities they may read and of their district; null for anyone but the person themself. badgeAwards lists the active ones.",
    authScopes: (user) => ({ isViewer: user.id }),
    unauthorizedResolver: () => null,
    query: (_args, ctx) => ({
      where: {
        // An award past its expiry counts as expired even before anything rewrites its status.
        OR: [
          { status: { in: ['revoked', 'expired'] } },
          { expiresAt: { lte: new Date().toISOString() } },
        ],
        badge: {
          OR: [
            { community: { RAW: (table) => readableCommunityCondition(ctx.viewer, table) } },
            {
              districtId: {
                in: [ctx.viewer?.districtId ?? -1, ...(ctx.viewer?.adminDistrictIds ?? [])],
              },
            },
          ],
        },
      },
      orderBy: { id: 'desc' },
    }),
  }),
}));

builder.drizzleObjectFields('districts', (t) => ({
  badges: t.relatedConnection('badges', {
    nullable: true,
    description:
      "Badges the district awards to its staff, earliest first; null unless the viewer is the district's staff or admin.",
    query: { orderBy: { id: 'asc' } },
    authScopes: (district) => ({ readDistrictBadges: district.id }),
    unauthorizedResolver: () => null,
  }),
}));
