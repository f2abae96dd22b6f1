/** Returns the address of an educator's profile page. */
export function profilePath(userId: string): string {
  return `/u/${encodeURIComponent(userId)}`;
}

/** Id of the badge page's section on the viewer's own awards, which notifications link to. */
export const OWN_AWARDS_ANCHOR = 'your-awards';

/** Returns the badge page address that opens at the viewer's own awards of the badge. */
export function ownAwardsPath(badgeId: string): string {
  return `/b/${encodeURIComponent(badgeId)}#${OWN_AWARDS_ANCHOR}`;
}

/** Returns the word for an award's status as the API returns it: active, revoked or expired. */
export function awardStatusLabel(status: string): string {
  if (status === 'revoked') {
    return 'Revoked';
  }
  return status === 'expired' ? 'Expired' : 'Active';
}
