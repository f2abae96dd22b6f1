/** Returns the address of an educator's profile page. */
export function profilePath(userId: string): string {
  return `/u/${encodeURIComponent(userId)}`;
}
