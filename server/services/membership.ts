import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Transaction } from '../../drizzle/db.ts';
import {
  communities,
  communityInvitations,
  type MEMBERSHIP_ROLES,
  memberships,
  users,
} from '../../drizzle/tables/index.ts';
import {
  type CommunityAccess,
  canChangeRole,
  canModerateCommunity,
  canReadCommunityAudit,
  canRemoveMember,
  canRequestToJoin,
} from '../auth/access.ts';
import { consumeRateLimits, RATE_LIMITS } from '../auth/rate-limit.ts';
import { createToken, hashToken } from '../auth/tokens.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { queueMail } from '../mail/outbox.ts';
import { InputValidator, validateEmail } from '../validation.ts';
import { recordAudit } from './audit.ts';
import { standingMuteUntil } from './community-mute.ts';
import { requireViewer, runInTransaction, type ServiceContext } from './context.ts';
import { leaveCommunityRooms } from './presence.ts';

export type MembershipRow = typeof memberships.$inferSelect;
export type InvitationRow = typeof communityInvitations.$inferSelect;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Topic of control notices sent when who may read a community changes (a removal, a ban, a role
 * or visibility change). Open subscriptions in the community check their access again at once.
 */
export function communityAccessTopic(communityId: number): string {
  return `access:community:${communityId}`;
}

export function announceAccessChange(ctx: ServiceContext, communityId: number): void {
  ctx.access.clear(communityId);
  ctx.publish([{ id: 0, topic: communityAccessTopic(communityId) }]);
}

async function membershipOf(
  tx: Transaction,
  communityId: number,
  userId: number,
): Promise<MembershipRow | null> {
  const [row] = await tx
    .select()
    .from(memberships)
    .where(and(eq(memberships.communityId, communityId), eq(memberships.userId, userId)))
    .for('update');
  return row ?? null;
}

async function requireModerator(
  ctx: ServiceContext,
  communityId: number,
): Promise<{ community: CommunityAccess; membership: MembershipRow }> {
  requireViewer(ctx);
  const { community, membership } = await ctx.access.requireVisible(communityId);
  if (!membership || !canModerateCommunity(membership)) {
    throw new ForbiddenError('Only the community owners and facilitators can do this.');
  }
  return { community, membership };
}

/**
 * Counts a community's active owners. It first locks the community's row, so that two
 * transactions that each remove an owner run one after the other and the second counts after the
 * first's change. Otherwise both could count two owners and leave none.
 */
export async function countOwners(tx: Transaction, communityId: number): Promise<number> {
  await tx
    .select({ id: communities.id })
    .from(communities)
    .where(eq(communities.id, communityId))
    .for('update');
  const [row] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(memberships)
    .where(
      and(
        eq(memberships.communityId, communityId),
        eq(memberships.role, 'owner'),
        eq(memberships.status, 'active'),
      ),
    );
  return row?.count ?? 0;
}

/** Asks to join a listed private community; its owners and facilitators decide. */
export async function requestToJoin(
  ctx: ServiceContext,
  input: { communityId: number },
): Promise<MembershipRow> {
  const viewer = requireViewer(ctx);
  const { community, membership } = await ctx.access.requireVisible(input.communityId);
  if (membership?.status === 'active') {
    throw new ConflictError('You are already a member of this community.');
  }
  if (membership?.status === 'requested') {
    throw new ConflictError('You already asked to join; a facilitator will decide.');
  }
  if (membership?.status === 'banned') {
    throw new ForbiddenError('You were banned from this community and cannot ask to join.');
  }
  if (!canRequestToJoin(viewer, community, membership)) {
    throw new ConflictError('This community takes no requests; join it directly instead.');
  }
  const [row] = await ctx.db
    .insert(memberships)
    .values({
      communityId: community.id,
      userId: viewer.id,
      role: 'member',
      status: 'requested',
    })
    .onConflictDoNothing()
    .returning();
  ctx.access.clear(community.id);
  if (!row) {
    throw new ConflictError('You already asked to join; a facilitator will decide.');
  }
  return row;
}

/** Approves or declines a request to join; owners and facilitators only. */
export async function decideJoinRequest(
  ctx: ServiceContext,
  input: { communityId: number; userId: number; approve: boolean },
): Promise<MembershipRow | null> {
  const viewer = requireViewer(ctx);
  const { community } = await requireModerator(ctx, input.communityId);
  return runInTransaction(ctx, async (tx) => {
    const target = await membershipOf(tx, community.id, input.userId);
    if (target?.status !== 'requested') {
      throw new NotFoundError('There is no pending request to join from this person.');
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: input.approve ? 'community.request_approved' : 'community.request_declined',
      communityId: community.id,
      districtId: community.districtId,
      subjectUserId: input.userId,
    });
    if (!input.approve) {
      await tx.delete(memberships).where(eq(memberships.id, target.id));
      return null;
    }
    const [approved] = await tx
      .update(memberships)
      .set({
        status: 'active',
        createdAt: sql`now()`,
        mutedUntil: standingMuteUntil(community.id, input.userId),
      })
      .where(eq(memberships.id, target.id))
      .returning();
    return approved ?? null;
  });
}

/**
 * Changes a member's role; owners only. A community keeps at least one owner, so the last owner
 * cannot step down before naming another.
 */
export async function changeMemberRole(
  ctx: ServiceContext,
  input: { communityId: number; userId: number; role: MembershipRole },
): Promise<MembershipRow> {
  const viewer = requireViewer(ctx);
  const { community, membership } = await ctx.access.requireVisible(input.communityId);
  if (!canChangeRole(membership)) {
    throw new ForbiddenError('Only a community owner can change roles.');
  }
  const changed = await runInTransaction(ctx, async (tx) => {
    const target = await membershipOf(tx, community.id, input.userId);
    if (target?.status !== 'active') {
      throw new NotFoundError('This person is not a member of the community.');
    }
    if (target.role === input.role) {
      return target;
    }
    if (target.role === 'owner' && (await countOwners(tx, community.id)) <= 1) {
      throw new ConflictError(
        'This is the only owner; make someone else an owner before changing this role.',
      );
    }
    const [row] = await tx
      .update(memberships)
      .set({ role: input.role })
      .where(eq(memberships.id, target.id))
      .returning();
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.role_changed',
      communityId: community.id,
      districtId: community.districtId,
      subjectUserId: input.userId,
      details: { from: target.role, to: input.role },
    });
    return row;
  });
  announceAccessChange(ctx, community.id);
  if (!changed) {
    throw new Error(`Changing a role in community ${community.id} returned no row`);
  }
  return changed;
}

/**
 * Removes a member, or bans them so they cannot rejoin or ask again. Facilitators remove members;
 * only owners remove facilitators; owners are never removed by others. Their open subscriptions
 * in the community end at once.
 */
export async function removeMember(
  ctx: ServiceContext,
  input: { communityId: number; userId: number; ban: boolean; reason?: string | null },
): Promise<void> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const reason = validator.optionalText('reason', input.reason, { min: 0, max: 500 }) ?? '';
  validator.check();
  if (input.userId === viewer.id) {
    throw ValidationError.of('userId', 'to leave a community yourself, use leaveCommunity');
  }
  const { community, membership } = await requireModerator(ctx, input.communityId);
  await runInTransaction(ctx, async (tx) => {
    const target = await membershipOf(tx, community.id, input.userId);
    if (!target && input.ban) {
      const [person] = await tx
        .select({ id: users.id })
        .from(users)
        .where(eq(users.id, input.userId));
      if (!person) {
        throw new NotFoundError('There is no such person.');
      }
    } else if (!target || target.status === 'banned') {
      throw new NotFoundError(
        target ? 'This person is already banned.' : 'This person is not a member of the community.',
      );
    }
    if (target && !canRemoveMember(membership, target)) {
      throw new ForbiddenError(
        target.role === 'owner'
          ? 'An owner cannot be removed; owners step down themselves.'
          : 'Only an owner can remove a facilitator.',
      );
    }
    if (input.ban) {
      await banInTransaction(tx, {
        actorId: viewer.id,
        community,
        target,
        userId: input.userId,
        reason,
      });
      return;
    }
    if (target) {
      await tx.delete(memberships).where(eq(memberships.id, target.id));
    }
    await leaveCommunityRooms(tx, community.id, input.userId);
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.member_removed',
      communityId: community.id,
      districtId: community.districtId,
      subjectUserId: input.userId,
      details: {
        reason,
        previousRole: target?.role ?? null,
        previousStatus: target?.status ?? null,
      },
    });
  });
  announceAccessChange(ctx, community.id);
}

/**
 * Bans a person inside the caller's transaction, which has checked who may: their membership
 * becomes (or is created as) a banned one, they leave the community's live rooms, and the audit
 * log records it. The caller announces the access change after the commit.
 */
export async function banInTransaction(
  tx: Transaction,
  input: {
    actorId: number;
    community: CommunityAccess;
    target: MembershipRow | null;
    userId: number;
    reason: string;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const { community, target } = input;
  await tx
    .insert(memberships)
    .values({ communityId: community.id, userId: input.userId, role: 'member', status: 'banned' })
    .onConflictDoUpdate({
      target: [memberships.communityId, memberships.userId],
      set: { status: 'banned', role: 'member' },
    });
  await leaveCommunityRooms(tx, community.id, input.userId);
  await recordAudit(tx, {
    actorId: input.actorId,
    action: 'community.member_banned',
    communityId: community.id,
    districtId: community.districtId,
    subjectUserId: input.userId,
    details: {
      reason: input.reason,
      previousRole: target?.role ?? null,
      previousStatus: target?.status ?? null,
      ...input.details,
    },
  });
}

/** Lifts a ban; the person may then join or ask again. */
export async function unbanMember(
  ctx: ServiceContext,
  input: { communityId: number; userId: number },
): Promise<void> {
  const viewer = requireViewer(ctx);
  const { community } = await requireModerator(ctx, input.communityId);
  await runInTransaction(ctx, async (tx) => {
    const target = await membershipOf(tx, community.id, input.userId);
    if (target?.status !== 'banned') {
      throw new NotFoundError('This person is not banned from the community.');
    }
    await tx.delete(memberships).where(eq(memberships.id, target.id));
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.member_unbanned',
      communityId: community.id,
      districtId: community.districtId,
      subjectUserId: input.userId,
    });
  });
  announceAccessChange(ctx, community.id);
}

export interface SentInvitation {
  invitation: InvitationRow;
  /** The link's token, for the mail only; the database keeps its hash. */
  token: string;
}

/**
 * Invites someone by email; the mail carries a link that works for 7 days. Owners and
 * facilitators only. Inviting the same address again replaces the earlier link.
 */
export async function inviteToCommunity(
  ctx: ServiceContext & { clientAddress: string; publicUrl: string },
  input: { communityId: number; email: string; message?: string | null },
): Promise<SentInvitation> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const email = validateEmail(validator, input.email);
  const message = validator.optionalText('message', input.message, {
    min: 0,
    max: 1000,
    multiline: true,
  });
  validator.check();
  const { community } = await requireModerator(ctx, input.communityId);
  await consumeRateLimits(ctx.db, [
    [`mail:account:${viewer.id}`, RATE_LIMITS.mailPerAccount],
    [`mail:address:${ctx.clientAddress}`, RATE_LIMITS.mailPerAddress],
  ]);

  const token = createToken();
  const invitation = await runInTransaction(ctx, async (tx) => {
    const [existingMember] = await tx
      .select({ status: memberships.status })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.communityId, community.id), sql`lower(${users.email}) = ${email}`));
    if (existingMember?.status === 'active') {
      throw new ConflictError(`${email} is already a member of this community.`);
    }
    const [details] = await tx
      .select({ name: communities.name, inviter: users.displayName })
      .from(communities)
      .innerJoin(users, eq(users.id, viewer.id))
      .where(eq(communities.id, community.id));
    await tx
      .update(communityInvitations)
      .set({ revokedAt: sql`now()` })
      .where(
        and(
          eq(communityInvitations.communityId, community.id),
          eq(communityInvitations.email, email),
          isNull(communityInvitations.acceptedAt),
          isNull(communityInvitations.revokedAt),
        ),
      );
    const [row] = await tx
      .insert(communityInvitations)
      .values({
        communityId: community.id,
        email,
        tokenHash: hashToken(token),
        invitedById: viewer.id,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS).toISOString(),
      })
      .returning();
    if (!row || !details) {
      throw new Error(`Inviting to community ${community.id} returned no row`);
    }
    const link = `${ctx.publicUrl}/invitations/${encodeURIComponent(token)}`;
    await queueMail(tx, {
      to: email,
      subject: `${details.inviter} invited you to ${details.name} on Staffroom`,
      text: [
        `${details.inviter} invited you to join the community "${details.name}" on Staffroom.`,
        ...(message ? ['', message] : []),
        '',
        `Accept the invitation within 7 days: ${link}`,
        '',
        'Sign in or create an account with this email address to accept it.',
      ].join('\n'),
    });
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.invitation_sent',
      communityId: community.id,
      districtId: community.districtId,
      details: { email, invitationId: row.id },
    });
    return row;
  });
  return { invitation, token };
}

/** Withdraws an invitation that has not been accepted yet. */
export async function revokeInvitation(
  ctx: ServiceContext,
  input: { invitationId: number },
): Promise<InvitationRow> {
  const viewer = requireViewer(ctx);
  const [invitation] = await ctx.db
    .select()
    .from(communityInvitations)
    .where(eq(communityInvitations.id, input.invitationId));
  if (!invitation) {
    throw new NotFoundError('Invitation not found, or you do not have access to it.');
  }
  const { community } = await requireModerator(ctx, invitation.communityId).catch(() => {
    throw new NotFoundError('Invitation not found, or you do not have access to it.');
  });
  if (invitation.acceptedAt) {
    throw new ConflictError('This invitation was already accepted; remove the member instead.');
  }
  if (invitation.revokedAt) {
    return invitation;
  }
  return runInTransaction(ctx, async (tx) => {
    const [row] = await tx
      .update(communityInvitations)
      .set({ revokedAt: sql`now()` })
      .where(
        and(eq(communityInvitations.id, invitation.id), isNull(communityInvitations.acceptedAt)),
      )
      .returning();
    if (!row) {
      throw new ConflictError('This invitation was accepted meanwhile; remove the member instead.');
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.invitation_revoked',
      communityId: community.id,
      districtId: community.districtId,
      details: { email: invitation.email, invitationId: invitation.id },
    });
    return row;
  });
}

export type InvitationState = 'pending' | 'accepted' | 'revoked' | 'expired';

export function invitationState(invitation: InvitationRow, now = Date.now()): InvitationState {
  if (invitation.acceptedAt) {
    return 'accepted';
  }
  if (invitation.revokedAt) {
    return 'revoked';
  }
  return Date.parse(invitation.expiresAt) <= now ? 'expired' : 'pending';
}

/** Finds the invitation an emailed link names; null for an unknown token. */
export async function findInvitation(
  ctx: ServiceContext,
  token: string,
): Promise<InvitationRow | null> {
  if (token.length < 20 || token.length > 200) {
    return null;
  }
  const [row] = await ctx.db
    .select()
    .from(communityInvitations)
    .where(eq(communityInvitations.tokenHash, hashToken(token)));
  return row ?? null;
}

/**
 * Accepts an invitation: the signed-in person, whose email must be the one invited, becomes an
 * active member. An invitation from a facilitator also lifts an earlier ban.
 */
export async function acceptInvitation(
  ctx: ServiceContext & { clientAddress: string },
  input: { token: string },
): Promise<MembershipRow> {
  const viewer = requireViewer(ctx);
  await consumeRateLimits(ctx.db, [
    [`token:address:${ctx.clientAddress}`, RATE_LIMITS.tokenPerAddress],
  ]);
  const invitation = await findInvitation(ctx, input.token);
  if (!invitation) {
    throw new NotFoundError('This invitation link is not valid; ask for a new one.');
  }
  const state = invitationState(invitation);
  if (state !== 'pending') {
    throw new ConflictError(
      state === 'expired'
        ? 'This invitation has expired; ask for a new one.'
        : state === 'revoked'
          ? 'This invitation was withdrawn; ask for a new one.'
          : 'This invitation was already used.',
    );
  }
  const [person] = await ctx.db
    .select({ email: users.email })
    .from(users)
    .where(eq(users.id, viewer.id));
  if (person?.email.toLowerCase() !== invitation.email) {
    throw new ForbiddenError(
      'This invitation was sent to another email address; sign in with the address it was sent to.',
    );
  }
  const membership = await runInTransaction(ctx, async (tx) => {
    const [claimed] = await tx
      .update(communityInvitations)
      .set({ acceptedAt: sql`now()` })
      .where(
        and(
          eq(communityInvitations.id, invitation.id),
          isNull(communityInvitations.acceptedAt),
          isNull(communityInvitations.revokedAt),
          gt(communityInvitations.expiresAt, sql`now()`),
        ),
      )
      .returning({ id: communityInvitations.id });
    if (!claimed) {
      throw new ConflictError('This invitation was already used.');
    }
    const [community] = await tx
      .select({ districtId: communities.districtId })
      .from(communities)
      .where(eq(communities.id, invitation.communityId));
    const existing = await membershipOf(tx, invitation.communityId, viewer.id);
    const [row] = existing
      ? await tx
          .update(memberships)
          .set({
            status: 'active',
            ...(existing.status !== 'active' && {
              createdAt: sql`now()`,
              role: 'member' as const,
              mutedUntil: standingMuteUntil(invitation.communityId, viewer.id),
            }),
          })
          .where(eq(memberships.id, existing.id))
          .returning()
      : await tx
          .insert(memberships)
          .values({
            communityId: invitation.communityId,
            userId: viewer.id,
            role: 'member',
            status: 'active',
            mutedUntil: standingMuteUntil(invitation.communityId, viewer.id),
          })
          .returning();
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.invitation_accepted',
      communityId: invitation.communityId,
      districtId: community?.districtId ?? null,
      subjectUserId: viewer.id,
      details: { invitationId: invitation.id, previousStatus: existing?.status ?? null },
    });
    return row;
  });
  ctx.access.clear(invitation.communityId);
  if (!membership) {
    throw new Error(`Accepting invitation ${invitation.id} returned no membership`);
  }
  return membership;
}

/** Reports whether the viewer may read the community's audit log. */
export async function mayReadCommunityAudit(
  ctx: ServiceContext,
  communityId: number,
): Promise<boolean> {
  const [community, membership] = await Promise.all([
    ctx.access.community(communityId),
    ctx.access.membership(communityId),
  ]);
  return community !== null && canReadCommunityAudit(ctx.viewer, community, membership);
}
