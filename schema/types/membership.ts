import { RateLimitedError } from '../../server/errors.ts';
import {
  acceptInvitation,
  changeMemberRole,
  decideJoinRequest,
  findInvitation,
  type InvitationRow,
  invitationState,
  inviteToCommunity,
  removeMember,
  requestToJoin,
  revokeInvitation,
  unbanMember,
} from '../../server/services/membership.ts';
import { builder, type GraphQLContext } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { MembershipRoleEnum, nullUnlessVisible } from './community.ts';
import { enumFromValues } from './enums.ts';

const InvitationStateEnum = enumFromValues(
  'InvitationState',
  ['pending', 'accepted', 'revoked', 'expired'] as const,
  'PENDING invitations can still be accepted; the others cannot.',
);

export const CommunityInvitation = builder.drizzleNode('communityInvitations', {
  name: 'CommunityInvitation',
  description:
    'An invitation by email to join a community; visible to its owners and facilitators.',
  id: { column: (invitation) => invitation.id },
  authScopes: (invitation) => ({ moderateCommunity: invitation.communityId }),
  fields: (t) => ({
    email: t.exposeString('email', { description: 'The address the invitation was sent to.' }),
    state: t.field({
      type: InvitationStateEnum,
      description: 'Whether it can still be accepted.',
      resolve: (invitation) => invitationState(invitation),
    }),
    invitedBy: t.relation('invitedBy', {
      nullable: true,
      description: 'Who sent it; null for a deleted account.',
    }),
    community: t.relation('community', { description: 'The community it invites to.' }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'When the link stops working.',
      resolve: (invitation) => invitation.expiresAt,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was sent.',
      resolve: (invitation) => invitation.createdAt,
    }),
  }),
});

const InvitationPreview = builder
  .objectRef<{ invitation: InvitationRow; communityName: string; communitySlug: string }>(
    'InvitationPreview',
  )
  .implement({
    description:
      'What the holder of an invitation link may see before accepting it: the community and the address it was sent to.',
    fields: (t) => ({
      communityName: t.exposeString('communityName', { description: 'The community invited to.' }),
      communitySlug: t.exposeString('communitySlug', {
        description: 'Its slug, for the link after accepting.',
      }),
      email: t.string({
        description: 'The address the invitation was sent to; accept it signed in with this one.',
        resolve: (preview) => preview.invitation.email,
      }),
      state: t.field({
        type: InvitationStateEnum,
        description: 'Whether it can still be accepted.',
        resolve: (preview) => invitationState(preview.invitation),
      }),
      expiresAt: t.field({
        type: 'DateTime',
        description: 'When the link stops working.',
        resolve: (preview) => preview.invitation.expiresAt,
      }),
    }),
  });

builder.drizzleObjectFields('communities', (t) => ({
  joinRequests: t.relatedConnection('memberships', {
    nullable: true,
    description:
      'People who asked to join, earliest first; null unless the viewer is an owner or facilitator.',
    authScopes: (community) => ({ moderateCommunity: community.id }),
    unauthorizedResolver: nullUnlessVisible,
    query: { where: { status: 'requested' }, orderBy: { id: 'asc' } },
  }),
  bannedMembers: t.relatedConnection('memberships', {
    nullable: true,
    description:
      'People banned from the community; null unless the viewer is an owner or facilitator.',
    authScopes: (community) => ({ moderateCommunity: community.id }),
    unauthorizedResolver: nullUnlessVisible,
    query: { where: { status: 'banned' }, orderBy: { id: 'asc' } },
  }),
  invitations: t.relatedConnection('invitations', {
    nullable: true,
    description:
      'Invitations sent, newest first; null unless the viewer is an owner or facilitator.',
    authScopes: (community) => ({ moderateCommunity: community.id }),
    unauthorizedResolver: nullUnlessVisible,
    query: { orderBy: { id: 'desc' } },
  }),
  auditLog: t.relatedConnection('auditLog', {
    nullable: true,
    description:
      "Role changes, removals, bans, decisions on requests, invitations and setting changes, newest first; null unless the viewer is an owner or facilitator, or an admin of the community's district.",
    authScopes: (community) => ({ readCommunityAudit: community.id }),
    unauthorizedResolver: nullUnlessVisible,
    query: { orderBy: { id: 'desc' } },
  }),
}));

builder.queryFields((t) => ({
  invitation: t.field({
    type: InvitationPreview,
    nullable: true,
    description:
      'The invitation an emailed link names, by its token; null for an unknown token. Works signed out, so the page can ask the person to sign in first.',
    args: { token: t.arg.string({ required: true, description: 'The token from the link.' }) },
    resolve: async (_parent, args, ctx) => {
      const invitation = await findInvitation(ctx, args.token);
      if (!invitation) {
        return null;
      }
      const community = await ctx.db.query.communities.findFirst({
        columns: { name: true, slug: true },
        where: { id: invitation.communityId },
      });
      return community
        ? { invitation, communityName: community.name, communitySlug: community.slug }
        : null;
    },
  }),
}));

const memberInput = (name: string, description: string, extra?: 'role' | 'ban') =>
  builder.inputType(name, {
    description,
    fields: (f) => ({
      communityId: f.id({ required: true, description: 'The community.' }),
      userId: f.id({ required: true, description: 'The person, by User id.' }),
      ...(extra === 'role' && {
        role: f.field({ type: MembershipRoleEnum, required: true, description: 'The new role.' }),
      }),
      ...(extra === 'ban' && {
        ban: f.boolean({
          defaultValue: false,
          description: 'Also keep them from rejoining or asking again.',
        }),
        reason: f.string({ description: 'Why, kept in the audit log (at most 500 characters).' }),
      }),
    }),
  });

const DecideJoinRequestInput = builder.inputType('DecideJoinRequestInput', {
  description: 'A pending request to join, and the decision on it.',
  fields: (f) => ({
    communityId: f.id({ required: true, description: 'The community.' }),
    userId: f.id({ required: true, description: 'The person who asked, by User id.' }),
    approve: f.boolean({ required: true, description: 'True admits them; false declines.' }),
  }),
});

const DecideJoinRequestPayload = builder
  .objectRef<{ membership: { id: number } | null }>('DecideJoinRequestPayload')
  .implement({
    description: 'The outcome of a decision on a request to join.',
    fields: (t) => ({
      membership: t.drizzleField({
        type: 'memberships',
        nullable: true,
        description: 'The new active membership; null when the request was declined.',
        resolve: (query, payload, _args, ctx) =>
          payload.membership
            ? ctx.db.query.memberships.findFirst(query({ where: { id: payload.membership.id } }))
            : null,
      }),
    }),
  });

function ids(input: { communityId: string | number; userId: string | number }) {
  return {
    communityId: parseGlobalId(String(input.communityId), 'Community', 'communityId'),
    userId: parseGlobalId(String(input.userId), 'User', 'userId'),
  };
}

builder.mutationFields((t) => ({
  requestToJoin: t.drizzleField({
    type: 'memberships',
    description:
      'Asks to join a listed private community; the owners and facilitators approve or decline.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RequestToJoinInput', {
          description: 'Names a listed private community.',
          fields: (f) => ({ communityId: f.id({ required: true, description: 'The community.' }) }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      requestToJoin(ctx, {
        communityId: parseGlobalId(String(input.communityId), 'Community', 'communityId'),
      }),
  }),
  decideJoinRequest: t.field({
    type: DecideJoinRequestPayload,
    description: 'Approves or declines a request to join; owners and facilitators only.',
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: DecideJoinRequestInput }) },
    resolve: async (_parent, { input }, ctx) => ({
      membership: await decideJoinRequest(ctx, { ...ids(input), approve: input.approve }),
    }),
  }),
  changeMemberRole: t.drizzleField({
    type: 'memberships',
    description:
      'Makes a member an owner, facilitator or member; owners only. A community keeps at least one owner.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: memberInput('ChangeMemberRoleInput', 'A member and their new role.', 'role'),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      changeMemberRole(ctx, {
        ...ids(input),
        role: (input as { role: 'owner' | 'facilitator' | 'member' }).role,
      }),
  }),
  removeMember: t.drizzleField({
    type: 'communities',
    description:
      "Removes a member, or bans them. Facilitators remove members; only owners remove facilitators; owners step down themselves. The person's open subscriptions in the community end at once.",
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: memberInput(
          'RemoveMemberInput',
          'A member to remove, and whether to ban them.',
          'ban',
        ),
      }),
    },
    resolve: async (query, _parent, { input }, ctx) => {
      const extra = input as { ban?: boolean | null; reason?: string | null };
      const target = ids(input);
      await removeMember(ctx, { ...target, ban: extra.ban ?? false, reason: extra.reason });
      return loadCommunity(ctx, query, target.communityId);
    },
  }),
  unbanMember: t.drizzleField({
    type: 'communities',
    description: 'Lifts a ban; owners and facilitators only.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: memberInput('UnbanMemberInput', 'A banned person to let join again.'),
      }),
    },
    resolve: async (query, _parent, { input }, ctx) => {
      const target = ids(input);
      await unbanMember(ctx, target);
      return loadCommunity(ctx, query, target.communityId);
    },
  }),
  inviteToCommunity: t.drizzleField({
    type: 'communityInvitations',
    description:
      'Sends an invitation by email with a link that works for 7 days; owners and facilitators only. Inviting the same address again replaces its earlier link.',
    errors: { types: [...COMMON_ERRORS, RateLimitedError] },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('InviteToCommunityInput', {
          description: 'A community and the email address to invite.',
          fields: (f) => ({
            communityId: f.id({ required: true, description: 'The community.' }),
            email: f.string({ required: true, description: 'Who to invite.' }),
            message: f.string({
              description: 'A note for the mail, at most 1,000 characters.',
            }),
          }),
        }),
      }),
    },
    resolve: async (_query, _parent, { input }, ctx) =>
      (
        await inviteToCommunity(ctx, {
          communityId: parseGlobalId(String(input.communityId), 'Community', 'communityId'),
          email: input.email,
          message: input.message,
        })
      ).invitation,
  }),
  revokeInvitation: t.drizzleField({
    type: 'communityInvitations',
    description: 'Withdraws an invitation that was not accepted yet.',
    errors: { types: COMMON_ERRORS },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('RevokeInvitationInput', {
          description: 'Names an invitation.',
          fields: (f) => ({
            invitationId: f.id({ required: true, description: 'The CommunityInvitation id.' }),
          }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) =>
      revokeInvitation(ctx, {
        invitationId: parseGlobalId(
          String(input.invitationId),
          'CommunityInvitation',
          'invitationId',
        ),
      }),
  }),
  acceptInvitation: t.drizzleField({
    type: 'memberships',
    description:
      'Accepts an invitation from an emailed link; the signed-in email must be the one invited.',
    errors: { types: [...COMMON_ERRORS, RateLimitedError] },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('AcceptInvitationInput', {
          description: 'The token from an invitation link.',
          fields: (f) => ({ token: f.string({ required: true, description: 'From the link.' }) }),
        }),
      }),
    },
    resolve: (_query, _parent, { input }, ctx) => acceptInvitation(ctx, { token: input.token }),
  }),
}));

/** Loads a community after a change for the payload; its rules apply as in any query. */
function loadCommunity<T>(
  ctx: GraphQLContext,
  query: (options: { where: { id: number } }) => T,
  communityId: number,
) {
  return ctx.db.query.communities
    .findFirst(query({ where: { id: communityId } }) as { where: { id: number } })
    .then((community) => {
      if (!community) {
        throw new Error(`Community ${communityId} vanished`);
      }
      return community;
    });
}
