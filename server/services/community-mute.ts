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
