import { type CommunityAccess, canModerateContent } from '../auth/access.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { ServiceContext } from './context.ts';
import type { MembershipRow } from './membership.ts';

/**
 * Loads a community whose reports and content the viewer moderates (see canModerateContent).
 * Throws ForbiddenError for someone who may see the community but not moderate it, and
 * NotFoundError, naming `subject`, for anyone else, so that a hidden community looks missing.
 */
export async function requireContentModerator(
  ctx: ServiceContext,
  communityId: number,
  subject = 'Community',
): Promise<{ community: CommunityAccess; membership: MembershipRow | null }> {
  const [community, membership] = await Promise.all([
    ctx.access.community(communityId),
    ctx.access.membership(communityId),
  ]);
  if (community && canModerateContent(ctx.viewer, community, membership)) {
    return { community, membership };
  }
  if (community && (await ctx.access.canSee(communityId))) {
    throw new ForbiddenError(
      "Only the community's owners and facilitators, and admins of its district, moderate it.",
    );
  }
  throw new NotFoundError(`${subject} not found, or you do not have access to it.`);
}

/** Reports whether the viewer moderates the community, for fields that show null otherwise. */
export async function mayModerateContent(
  ctx: ServiceContext,
  communityId: number,
): Promise<boolean> {
  const [community, membership] = await Promise.all([
    ctx.access.community(communityId),
    ctx.access.membership(communityId),
  ]);
  return community !== null && canModerateContent(ctx.viewer, community, membership);
}
