import { and, eq, sql } from 'drizzle-orm';
import {
  communities,
  type FOCUS_AREAS,
  memberships,
  type VISIBILITIES,
} from '../../drizzle/tables/index.ts';
import { canJoinCommunity, canManageCommunity } from '../auth/access.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.ts';
import { InputValidator } from '../validation.ts';
import { recordAudit } from './audit.ts';
import { standingMuteUntil } from './community-mute.ts';
import { requireViewer, runInTransaction, type ServiceContext } from './context.ts';
import { communityAccessTopic, countOwners } from './membership.ts';
import { leaveCommunityRooms } from './presence.ts';

export type CommunityRow = typeof communities.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;
export type FocusArea = (typeof FOCUS_AREAS)[number];
export type Visibility = (typeof VISIBILITIES)[number];

const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56)
    .replace(/-+$/g, '');
  return slug || 'community';
}

/**
 * Creates a community owned by the viewer. District visibility makes the viewer's district the
 * owner, so it needs a viewer with a district. Returns ConflictError for a taken slug.
 */
export async function createCommunity(
  ctx: ServiceContext,
  input: {
    name: string;
    slug?: string | null;
    description?: string | null;
    focus: FocusArea;
    visibility: Visibility;
    listed?: boolean | null;
  },
): Promise<CommunityRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const name = validator.text('name', input.name, { max: 120 });
  const description =
    validator.optionalText('description', input.description, {
      min: 0,
      max: 5000,
      multiline: true,
    }) ?? '';
  let slug = input.slug?.trim();
  if (slug !== undefined && (!SLUG_PATTERN.test(slug) || slug.length > 64)) {
    validator.add(
      'slug',
      'must be 1 to 64 lowercase letters, digits and single hyphens, such as "stem-coaches"',
    );
  }
  if (input.visibility === 'district' && viewer.districtId === null) {
    validator.add('visibility', 'a district community needs an owner who belongs to a district');
  }
  validator.check();

  const explicitSlug = slug !== undefined && slug !== '';
  slug = explicitSlug ? slug : slugify(name);

  return runInTransaction(ctx, async (tx) => {
    let candidate = slug as string;
    for (let attempt = 2; ; attempt++) {
      const [taken] = await tx
        .select({ id: communities.id })
        .from(communities)
        .where(eq(communities.slug, candidate));
      if (!taken) {
        break;
      }
      if (explicitSlug) {
        throw new ConflictError(`The slug "${candidate}" is already taken; choose another.`);
      }
      candidate = `${slug}-${attempt}`;
    }
    const [community] = await tx
      .insert(communities)
      .values({
        slug: candidate,
        name,
        description,
        focus: input.focus,
        visibility: input.visibility,
        listed: input.listed ?? true,
        districtId: input.visibility === 'district' ? viewer.districtId : null,
        createdById: viewer.id,
      })
      .returning();
    if (!community) {
      throw new Error('Inserting a community returned no row');
    }
    await tx
      .insert(memberships)
      .values({ communityId: community.id, userId: viewer.id, role: 'owner', status: 'active' });
    return community;
  });
}

/**
 * Changes a community's settings; owners only. A change of visibility or listing is recorded in
 * the audit log, and open subscriptions check their access again at once.
 */
export async function updateCommunity(
  ctx: ServiceContext,
  input: {
    communityId: number;
    name?: string | null;
    description?: string | null;
    focus?: FocusArea | null;
    visibility?: Visibility | null;
    listed?: boolean | null;
  },
): Promise<CommunityRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const name = validator.optionalText('name', input.name, { max: 120 });
  const description = validator.optionalText('description', input.description, {
    min: 0,
    max: 5000,
    multiline: true,
  });
  validator.check();

  const { community, membership } = await ctx.access.requireReadable(input.communityId);
  if (!canManageCommunity(membership)) {
    throw new ForbiddenError('Only the community owner can change its settings.');
  }
  let districtId = community.districtId;
  if (input.visibility === 'district' && districtId === null) {
    if (viewer.districtId === null) {
      throw ValidationError.of(
        'visibility',
        'a district community needs an owner who belongs to a district',
      );
    }
    districtId = viewer.districtId;
  }

  const accessChanged =
    (input.visibility != null && input.visibility !== community.visibility) ||
    (input.listed != null && input.listed !== community.listed);
  const updated = await runInTransaction(ctx, async (tx) => {
    const [row] = await tx
      .update(communities)
      .set({
        ...(name !== undefined && { name }),
        ...(description !== undefined && { description }),
        ...(input.focus && { focus: input.focus }),
        ...(input.visibility && { visibility: input.visibility, districtId }),
        ...(input.listed != null && { listed: input.listed }),
      })
      .where(eq(communities.id, community.id))
      .returning();
    if (accessChanged) {
      await recordAudit(tx, {
        actorId: viewer.id,
        action: 'community.settings_changed',
        communityId: community.id,
        districtId: row?.districtId ?? community.districtId,
        details: {
          from: { visibility: community.visibility, listed: community.listed },
          to: { visibility: row?.visibility, listed: row?.listed },
        },
      });
    }
    return row;
  });
  ctx.access.clear(community.id);
  if (accessChanged) {
    ctx.publish([{ id: 0, topic: communityAccessTopic(community.id) }]);
  }
  if (!updated) {
    throw new Error(`Updating community ${community.id} returned no row`);
  }
  return updated;
}

/** Joins a community the viewer may join; returns the active membership. */
export async function joinCommunity(
  ctx: ServiceContext,
  input: { communityId: number },
): Promise<MembershipRow> {
  const viewer = requireViewer(ctx);
  const { community, membership } = await ctx.access.requireVisible(input.communityId);
  if (membership?.status === 'active') {
    throw new ConflictError('You are already a member of this community.');
  }
  if (!canJoinCommunity(viewer, community, membership)) {
    throw new ForbiddenError(
      membership?.status === 'banned'
        ? 'You were banned from this community and cannot rejoin.'
        : community.visibility === 'private'
          ? community.listed
            ? 'This community is private: ask to join with requestToJoin, and a facilitator will decide.'
            : 'This community is private and takes members by invitation only.'
          : 'Only staff of the owning district can join this community.',
    );
  }

  const [row] = await ctx.db
    .insert(memberships)
    .values({
      communityId: community.id,
      userId: viewer.id,
      role: 'member',
      status: 'active',
      mutedUntil: standingMuteUntil(community.id, viewer.id),
    })
    .onConflictDoUpdate({
      target: [memberships.communityId, memberships.userId],
      set: {
        status: 'active',
        role: 'member',
        createdAt: sql`now()`,
        mutedUntil: standingMuteUntil(community.id, viewer.id),
      },
    })
    .returning();
  ctx.access.clear(community.id);
  if (!row) {
    throw new Error(`Joining community ${community.id} returned no row`);
  }
  return row;
}

/**
 * Leaves a community, or withdraws a request to join one. The last owner cannot leave, so that a
 * community always has one.
 */
export async function leaveCommunity(
  ctx: ServiceContext,
  input: { communityId: number },
): Promise<CommunityRow> {
  const viewer = requireViewer(ctx);
  const { community, membership } = await ctx.access.requireVisible(input.communityId);
  if (membership?.status !== 'active' && membership?.status !== 'requested') {
    throw new ConflictError('You are not a member of this community.');
  }

  const left = await runInTransaction(ctx, async (tx) => {
    if (membership.role === 'owner') {
      const owners = await countOwners(tx, community.id);
      if (owners <= 1) {
        throw new ConflictError(
          'You are the only owner; make someone else an owner before leaving.',
        );
      }
    }
    await tx
      .delete(memberships)
      .where(and(eq(memberships.communityId, community.id), eq(memberships.userId, viewer.id)));
    await leaveCommunityRooms(tx, community.id, viewer.id);
    const [row] = await tx.select().from(communities).where(eq(communities.id, community.id));
    return row;
  });
  ctx.access.clear(community.id);
  if (!left) {
    throw new Error(`Community ${community.id} vanished while leaving it`);
  }
  return left;
}
