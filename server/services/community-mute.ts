import { type SQL, sql } from 'drizzle-orm';
import { isMutedInCommunity } from '../auth/access.ts';
import { ForbiddenError } from '../errors.ts';

/**
 * Throws ForbiddenError while a facilitator's community mute is in force, naming when it ends
 * (UTC, ISO 8601), so that a muted member reads the community but does not write in it.
 */
export function rejectWhileMutedInCommunity(
  membership: { mutedUntil?: string | null } | null,
  action: string,
): void {
  if (membership?.mutedUntil != null && isMutedInCommunity(membership)) {
    const until = new Date(Date.parse(membership.mutedUntil)).toISOString();
    throw new ForbiddenError(
      `A facilitator muted you in this community until ${until}, so you cannot ${action} before then.`,
    );
  }
}

// NOTE: no action lifts a community mute before its end, and a new membership takes it over.
/**
 * Builds memberships.muted_until for a person who joins a community: the end of their latest
 * unexpired MUTE decision there, or null. Leaving deletes the membership, and rejoining must
 * not lift a mute.
 */
export function standingMuteUntil(communityId: number, userId: number): SQL<string | null> {
  return sql<string | null>`(select max(r.muted_until) from reports r
    where r.community_id = ${communityId} and r.subject_user_id = ${userId}
      and r.action = 'muted' and r.muted_until > now())`;
}
