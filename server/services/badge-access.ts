import { and, eq } from 'drizzle-orm';
import type { Database, Transaction } from '../../drizzle/db.ts';
import { badges, memberships, users } from '../../drizzle/tables/index.ts';
import { canAdministerDistrict, canAwardBadge } from '../auth/access.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { ServiceContext } from './context.ts';

export type BadgeRow = typeof badges.$inferSelect;

/**
 * Loads a badge the viewer may read, or throws NotFoundError, so that a badge of a community the
 * viewer may not read looks the same as a missing one.
 */
export async function requireReadableBadge(
  ctx: ServiceContext,
  badgeId: number,
): Promise<BadgeRow> {
  const notFound = () =>
    new NotFoundError(`Badge ${badgeId} not found, or you do not have access to it.`);
  if (!(await ctx.access.canReadBadge(badgeId))) {
    throw notFound();
  }
  const [badge] = await ctx.db.select().from(badges).where(eq(badges.id, badgeId));
  if (!badge) {
    throw notFound();
  }
  return badge;
}

/**
 * Reports whether the viewer manages a badge: defines its rules, awards, revokes and reviews
 * evidence. A community's badges are managed by its owners and facilitators, a district's by its
 * admins.
 */
export async function canManageBadge(ctx: ServiceContext, badge: BadgeRow): Promise<boolean> {
  if (badge.districtId !== null) {
    return canAdministerDistrict(ctx.access.viewer, badge.districtId);
  }
  if (badge.communityId === null || !(await ctx.access.canRead(badge.communityId))) {
    return false;
  }
  return canAwardBadge(await ctx.access.membership(badge.communityId));
}

/**
 * Loads a badge the viewer manages. Throws NotFoundError when the viewer may not read it and
 * ForbiddenError, naming the action, when they read it but do not manage it.
 */
export async function requireManagedBadge(
  ctx: ServiceContext,
  badgeId: number,
  action: string,
): Promise<BadgeRow> {
  const badge = await requireReadableBadge(ctx, badgeId);
  if (!(await canManageBadge(ctx, badge))) {
    throw new ForbiddenError(
      badge.districtId === null
        ? `Only the community's owners and facilitators ${action}.`
        : `Only the district's admins ${action}.`,
    );
  }
  return badge;
}

/**
 * Reports whether a person may hold a badge: an active member of its community, or staff of its
 * district.
 */
export async function isEligibleRecipient(
  db: Database | Transaction,
  badge: Pick<BadgeRow, 'communityId' | 'districtId'>,
  userId: number,
): Promise<boolean> {
  if (badge.communityId !== null) {
    const [membership] = await db
      .select({ status: memberships.status })
      .from(memberships)
      .where(and(eq(memberships.communityId, badge.communityId), eq(memberships.userId, userId)));
    return membership?.status === 'active';
  }
  const [user] = await db
    .select({ districtId: users.districtId })
    .from(users)
    .where(eq(users.id, userId));
  return user !== undefined && user.districtId !== null && user.districtId === badge.districtId;
}

/** Throws a ValidationError on `field` unless the person may hold the badge. */
export async function requireEligibleRecipient(
  db: Database | Transaction,
  badge: Pick<BadgeRow, 'communityId' | 'districtId'>,
  userId: number,
  field = 'recipientId',
): Promise<void> {
  if (!(await isEligibleRecipient(db, badge, userId))) {
    throw ValidationError.of(
      field,
      badge.communityId !== null
        ? "the recipient must be an active member of the badge's community"
        : "the recipient must be on the staff of the badge's district",
    );
  }
}
