import { ISTE_STANDARDS } from '../../drizzle/tables/index.ts';
import { renderMarkdown } from '../../server/markdown.ts';
import {
  awardBadge,
  createBadge,
  ISTE_STANDARD_INFO,
  type IsteStandard,
} from '../../server/services/badge.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId, tryParseGlobalId } from '../ids.ts';
import { enumFromValues } from './enums.ts';

export const IsteStandardEnum = enumFromValues(
  'IsteStandard',
  ISTE_STANDARDS,
  'The seven ISTE Standards for Educators, by role.',
);

const IsteStandardInfo = builder.objectRef<IsteStandard>('IsteStandardInfo').implement({
  description: 'One ISTE Standard for Educators with its code, such as 2.4 Collaborator.',
  fields: (t) => ({
    standard: t.field({ type: IsteStandardEnum, resolve: (standard) => standard }),
    code: t.string({ resolve: (standard) => ISTE_STANDARD_INFO[standard].code }),
    name: t.string({ resolve: (standard) => ISTE_STANDARD_INFO[standard].name }),
    summary: t.string({ resolve: (standard) => ISTE_STANDARD_INFO[standard].summary }),
  }),
});

builder.drizzleNode('badges', {
  name: 'Badge',
  description: 'A badge a community awards, aligned to one or more ISTE Standards for Educators.',
  id: { column: (badge) => badge.id },
  authScopes: (badge) => ({ readCommunity: badge.communityId }),
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    criteria: t.exposeString('criteria', { description: 'Markdown: what earns the badge.' }),
    criteriaHtml: t.string({ resolve: (badge) => renderMarkdown(badge.criteria) }),
    isteStandards: t.field({ type: [IsteStandardInfo], resolve: (badge) => badge.isteStandards }),
    community: t.relation('community'),
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
      description: 'Active awards, newest first.',
      // An award past its expiry counts as expired even before anything rewrites its status.
      query: () => ({
        where: {
          status: 'active',
          OR: [{ expiresAt: { isNull: true } }, { expiresAt: { gt: new Date().toISOString() } }],
        },
        orderBy: { id: 'desc' },
      }),
    }),
  }),
});

builder.drizzleNode('badgeAwards', {
  name: 'BadgeAward',
  id: { column: (award) => award.id },
  authScopes: (award) => ({ readBadge: award.badgeId }),
  fields: (t) => ({
    badge: t.relation('badge'),
    recipient: t.relation('recipient'),
    awardedBy: t.relation('awardedBy', { nullable: true }),
    awardedAt: t.field({ type: 'DateTime', resolve: (award) => award.awardedAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (award) => award.expiresAt }),
    status: t.exposeString('status', { description: 'active, revoked or expired.' }),
    note: t.exposeString('note'),
  }),
});

builder.queryFields((t) => ({
  badge: t.drizzleField({
    type: 'badges',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
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
  createBadge: t.drizzleField({
    type: 'badges',
    description: 'Defines a badge in a community; owners and facilitators only.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateBadgeInput', {
          fields: (f) => ({
            communityId: f.id({ required: true }),
            name: f.string({ required: true }),
            description: f.string({ required: true }),
            criteria: f.string({ required: true, description: 'Markdown.' }),
            isteStandards: f.field({ type: [IsteStandardEnum], required: true }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      createBadge(ctx, {
        ...input,
        communityId: parseGlobalId(String(input.communityId), 'Community', 'communityId'),
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
          fields: (f) => ({
            badgeId: f.id({ required: true }),
            recipientId: f.id({ required: true }),
            note: f.string(),
            expiresAt: f.field({ type: 'DateTime' }),
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
