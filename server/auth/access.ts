import { type SQL, sql } from 'drizzle-orm';

/**
 * Every access rule of Staffroom. Services, schema fields and subscription filters ask these
 * functions; none of them contains a rule of its own. The rules are pure: callers load the rows.
 */

export type ApiScope = 'read' | 'write';

export interface Viewer {
  id: number;
  /** The district this person is staff of. */
  districtId: number | null;
  isPlatformAdmin: boolean;
  /** Districts this person administers. */
  adminDistrictIds: readonly number[];
  /** Scopes of the credential; personal API tokens may be read-only. */
  scopes: readonly ApiScope[];
}

export interface CommunityAccess {
  id: number;
  visibility: 'public' | 'district' | 'private';
  /** For private communities: whether non-members see its name and description. */
  listed: boolean;
  districtId: number | null;
}

export interface MembershipAccess {
  role: 'owner' | 'facilitator' | 'member';
  status: 'active' | 'requested' | 'banned';
}

export interface ThreadAccess {
  authorId: number | null;
  kind: 'discussion' | 'question' | 'announcement';
  locked: boolean;
}

export interface LiveSessionAccess {
  hostId: number | null;
  status: 'scheduled' | 'live' | 'ended' | 'cancelled';
}

function isActiveMember(membership: MembershipAccess | null | undefined): boolean {
  return membership?.status === 'active';
}

function isSameDistrict(viewer: Viewer | null, community: CommunityAccess): boolean {
  return viewer?.districtId != null && viewer.districtId === community.districtId;
}

/**
 * Reads a community's content: threads, posts, live sessions, badges and members. Public
 * communities are open to anyone, signed out too. District communities are open to the owning
 * district's staff (unless banned) and to members, and private ones to active members only. Admin
 * roles govern people and settings, not content, so they add nothing here.
 */
export function canReadCommunity(
  viewer: Viewer | null,
  community: CommunityAccess,
  membership: MembershipAccess | null,
): boolean {
  if (community.visibility === 'public') {
    return true;
  }
  if (isActiveMember(membership)) {
    return true;
  }
  return (
    community.visibility === 'district' &&
    isSameDistrict(viewer, community) &&
    membership?.status !== 'banned'
  );
}

/**
 * Checks that the viewer may see that a community exists, with its name, description and counts.
 * A listed private community is visible to everyone so that people can ask to join. An unlisted
 * one is visible only to its members and to people who asked to join.
 */
export function canSeeCommunity(
  viewer: Viewer | null,
  community: CommunityAccess,
  membership: MembershipAccess | null,
): boolean {
  if (canReadCommunity(viewer, community, membership)) {
    return true;
  }
  if (community.visibility === 'private') {
    return community.listed || membership?.status === 'requested';
  }
  return false;
}

/** Anyone signed in may join a public community; a district community takes its own staff. */
export function canJoinCommunity(
  viewer: Viewer | null,
  community: CommunityAccess,
  membership: MembershipAccess | null,
): boolean {
  if (!viewer || membership?.status === 'active' || membership?.status === 'banned') {
    return false;
  }
  if (community.visibility === 'public') {
    return true;
  }
  return community.visibility === 'district' && isSameDistrict(viewer, community);
}

/** Checks that the viewer may ask to join: a listed private community they are not in. */
export function canRequestToJoin(
  viewer: Viewer | null,
  community: CommunityAccess,
  membership: MembershipAccess | null,
): boolean {
  return (
    viewer !== null && community.visibility === 'private' && community.listed && membership === null
  );
}

/** Members write: threads, replies, reactions, RSVPs and live chat. */
export function canParticipate(membership: MembershipAccess | null): boolean {
  return isActiveMember(membership);
}

export function canModerateCommunity(membership: MembershipAccess | null): boolean {
  return isActiveMember(membership) && membership?.role !== 'member';
}

/** Owners may do anything facilitators do, and also change the community's settings. */
export function canManageCommunity(membership: MembershipAccess | null): boolean {
  return isActiveMember(membership) && membership?.role === 'owner';
}

export function canCreateThread(
  membership: MembershipAccess | null,
  kind: ThreadAccess['kind'],
): boolean {
  if (kind === 'announcement') {
    return canModerateCommunity(membership);
  }
  return canParticipate(membership);
}

/** Members reply unless the thread is locked; announcements take replies from moderators only. */
export function canReplyToThread(
  membership: MembershipAccess | null,
  thread: ThreadAccess,
): boolean {
  if (canModerateCommunity(membership)) {
    return true;
  }
  return canParticipate(membership) && !thread.locked && thread.kind !== 'announcement';
}

export function canEditPost(
  viewer: Viewer | null,
  post: { authorId: number | null; deletedAt: string | null },
  membership: MembershipAccess | null,
): boolean {
  return (
    viewer !== null && post.authorId === viewer.id && !post.deletedAt && canParticipate(membership)
  );
}

export function canDeletePost(
  viewer: Viewer | null,
  post: { authorId: number | null; deletedAt: string | null },
  membership: MembershipAccess | null,
): boolean {
  if (!viewer || post.deletedAt) {
    return false;
  }
  return post.authorId === viewer.id || canModerateCommunity(membership);
}

/** Reports whether the viewer may pick the accepted answer: the asker or a facilitator. */
export function canAcceptAnswer(
  viewer: Viewer | null,
  thread: ThreadAccess,
  membership: MembershipAccess | null,
): boolean {
  if (!viewer || thread.kind !== 'question') {
    return false;
  }
  return (
    (thread.authorId === viewer.id && canParticipate(membership)) ||
    canModerateCommunity(membership)
  );
}

export function canManageLiveSession(
  viewer: Viewer | null,
  liveSession: LiveSessionAccess,
  membership: MembershipAccess | null,
): boolean {
  if (!viewer) {
    return false;
  }
  return (
    (liveSession.hostId === viewer.id && canParticipate(membership)) ||
    canModerateCommunity(membership)
  );
}

/**
 * Checks that the viewer may change or cancel a live series. The rule is that of its live
 * sessions: its host while a member, or the community's owners and facilitators.
 */
export function canManageLiveSeries(
  viewer: Viewer | null,
  liveSeries: { hostId: number | null },
  membership: MembershipAccess | null,
): boolean {
  if (!viewer) {
    return false;
  }
  return (
    (liveSeries.hostId === viewer.id && canParticipate(membership)) ||
    canModerateCommunity(membership)
  );
}

/**
 * Chat and Q&A are open to members while the live session is scheduled or live, except to
 * people a moderator muted in it.
 */
export function canChatInLiveSession(
  liveSession: LiveSessionAccess,
  membership: MembershipAccess | null,
  muted = false,
): boolean {
  return (
    canParticipate(membership) &&
    !muted &&
    (liveSession.status === 'live' || liveSession.status === 'scheduled')
  );
}

/**
 * Raising a hand and quick reactions need the room to be open: the session is live, and the
 * person may chat in it.
 */
export function canActInLiveRoom(
  liveSession: LiveSessionAccess,
  membership: MembershipAccess | null,
  muted: boolean,
): boolean {
  return liveSession.status === 'live' && canChatInLiveSession(liveSession, membership, muted);
}

/**
 * Checks whether a person may be muted: anyone in the room except the people who run it, the
 * host and the community's owners and facilitators.
 */
export function canBeMutedInLiveSession(
  userId: number,
  liveSession: LiveSessionAccess,
  membership: MembershipAccess | null,
): boolean {
  return liveSession.hostId !== userId && !canModerateCommunity(membership);
}

export function canAwardBadge(membership: MembershipAccess | null): boolean {
  return canModerateCommunity(membership);
}

/**
 * Checks who may download the signed credential of a badge award: its recipient always, anyone
 * else only when the recipient shows badges publicly and the awarding community is public.
 */
export function canReadAwardCredential(
  viewerId: number | null,
  award: { recipientId: number; recipientBadgesPublic: boolean; visibility: string },
): boolean {
  if (viewerId !== null && viewerId === award.recipientId) {
    return true;
  }
  return award.recipientBadgesPublic && award.visibility === 'public';
}

/** Checks whether a community is published as an Open Badges issuer: public communities only. */
export function isPublicIssuer(community: { visibility: string }): boolean {
  return community.visibility === 'public';
}

/**
 * Checks that the actor may remove or ban the target. Facilitators remove and ban members, and
 * only an owner removes or bans a facilitator. Nobody removes an owner, because owners step down
 * themselves.
 */
export function canRemoveMember(actor: MembershipAccess | null, target: MembershipAccess): boolean {
  if (!canModerateCommunity(actor) || target.role === 'owner') {
    return false;
  }
  return target.role === 'member' || actor?.role === 'owner';
}

/** Owners change roles. */
export function canChangeRole(actor: MembershipAccess | null): boolean {
  return canManageCommunity(actor);
}

/** Reads a community's audit log: its facilitators and owners, and admins of its district. */
export function canReadCommunityAudit(
  viewer: Viewer | null,
  community: CommunityAccess,
  membership: MembershipAccess | null,
): boolean {
  if (canModerateCommunity(membership)) {
    return true;
  }
  return community.districtId !== null && canAdministerDistrict(viewer, community.districtId);
}

/**
 * Reviews reports and removes content in a community: its owners and facilitators, and the admins
 * of the district that owns it.
 */
export function canModerateContent(
  viewer: Viewer | null,
  community: CommunityAccess,
  membership: MembershipAccess | null,
): boolean {
  if (canModerateCommunity(membership)) {
    return true;
  }
  return community.districtId !== null && canAdministerDistrict(viewer, community.districtId);
}

/**
 * Checks that a moderator may warn, mute or ban a person. The rule is that of canRemoveMember,
 * and an admin of the community's district acts as an owner. No moderator acts on themself.
 */
export function canDisciplineMember(
  viewer: Viewer | null,
  community: CommunityAccess,
  actor: MembershipAccess | null,
  target: { userId: number; membership: MembershipAccess | null },
): boolean {
  if (!viewer || viewer.id === target.userId || !canModerateContent(viewer, community, actor)) {
    return false;
  }
  const role = target.membership?.role ?? 'member';
  if (role === 'member') {
    return true;
  }
  const actsAsOwner =
    canManageCommunity(actor) ||
    (community.districtId !== null && canAdministerDistrict(viewer, community.districtId));
  return role === 'facilitator' && actsAsOwner;
}

/** Reports whether a community mute is in force: muted_until lies in the future. */
export function isMutedInCommunity(
  membership: { mutedUntil?: string | null } | null,
  now = Date.now(),
): boolean {
  return membership?.mutedUntil != null && Date.parse(membership.mutedUntil) > now;
}

/**
 * Reads a community's analytics: its owners and facilitators, admins of its district, and
 * platform admins.
 */
export function canReadCommunityAnalytics(
  viewer: Viewer | null,
  community: CommunityAccess,
  membership: MembershipAccess | null,
): boolean {
  return isPlatformAdmin(viewer) || canReadCommunityAudit(viewer, community, membership);
}

/** Reads a district's analytics, which cover its own staff: its admins and platform admins. */
export function canReadDistrictAnalytics(viewer: Viewer | null, districtId: number): boolean {
  return canAdministerDistrict(viewer, districtId);
}

/** Platform admins create districts and verify their domains. */
export function isPlatformAdmin(viewer: Viewer | null): boolean {
  return viewer?.isPlatformAdmin === true;
}

/** District admins, and platform admins, manage a district's schools, domains, SSO and staff. */
export function canAdministerDistrict(viewer: Viewer | null, districtId: number): boolean {
  return (
    viewer !== null && (viewer.isPlatformAdmin || viewer.adminDistrictIds.includes(districtId))
  );
}

/** Credentials without the write scope (read-only API tokens) run queries and subscriptions only. */
export function canWrite(viewer: Viewer | null): boolean {
  return viewer === null || viewer.scopes.includes('write');
}

/** Builds the SQL form of canSeeCommunity, for directory lists and counts. */
export function visibleCommunityCondition(
  viewer: Viewer | null,
  table: { id: unknown; visibility: unknown; districtId: unknown; listed: unknown },
): SQL {
  return sql`(${readableCommunityCondition(viewer, table)}
    or (${table.visibility} = 'private' and ${table.listed})
    or exists (select 1 from memberships m where m.community_id = ${table.id} and m.user_id = ${viewer?.id ?? -1} and m.status = 'requested'))`;
}

/**
 * Builds the SQL form of canReadCommunity, for lists: a condition on the communities table (or its
 * alias) that holds for the communities the viewer may read.
 */
export function readableCommunityCondition(
  viewer: Viewer | null,
  table: { id: unknown; visibility: unknown; districtId: unknown },
): SQL {
  if (!viewer) {
    return sql`${table.visibility} = 'public'`;
  }
  return sql`(${table.visibility} = 'public'
    or (${table.visibility} = 'district' and ${table.districtId} = ${viewer.districtId ?? -1}
      and not exists (select 1 from memberships m where m.community_id = ${table.id} and m.user_id = ${viewer.id} and m.status = 'banned'))
    or exists (select 1 from memberships m where m.community_id = ${table.id} and m.user_id = ${viewer.id} and m.status = 'active'))`;
}

/**
 * Builds the SQL form of ViewerAccess.canReadBadge without an embed key, for lists: a condition on
 * a badges table alias and its community, joined with a left join since district badges have none.
 * It holds for badges of communities the viewer may read, and for badges of the districts whose
 * staff or admin the viewer is (all districts for a platform admin).
 */
export function readableBadgeCondition(
  viewer: Viewer | null,
  badge: { communityId: unknown; districtId: unknown },
  community: { id: unknown; visibility: unknown; districtId: unknown },
): SQL {
  const communityBadge = sql`(${badge.communityId} is not null and ${readableCommunityCondition(viewer, community)})`;
  if (!viewer) {
    return communityBadge;
  }
  if (viewer.isPlatformAdmin) {
    return sql`(${communityBadge} or ${badge.districtId} is not null)`;
  }
  const districtIds = [viewer.districtId ?? -1, ...viewer.adminDistrictIds].map((id) => sql`${id}`);
  return sql`(${communityBadge} or ${badge.districtId} in (${sql.join(districtIds, sql`, `)}))`;
}

/**
 * Builds the SQL form of canReadCommunity for many people at once: a condition on a users table
 * alias (`user.id`, `user.districtId` are its columns) that holds for the people who may read
 * `community`, as notifications need when they choose their recipients.
 */
export function communityReaderCondition(
  community: CommunityAccess,
  user: { id: unknown; districtId: unknown },
): SQL {
  const activeMember = sql`exists (select 1 from memberships m where m.community_id = ${community.id} and m.user_id = ${user.id} and m.status = 'active')`;
  if (community.visibility === 'public') {
    return sql`true`;
  }
  if (community.visibility === 'private' || community.districtId === null) {
    return activeMember;
  }
  return sql`((${user.districtId} = ${community.districtId}
      and not exists (select 1 from memberships m where m.community_id = ${community.id} and m.user_id = ${user.id} and m.status = 'banned'))
    or ${activeMember})`;
}

/**
 * The access scope of an embed key: the communities on its list, and for a district key whether
 * its admin accepted that anyone holding the snippet may read the district communities.
 */
export interface EmbedScope {
  embedKeyId: number;
  communityIds: ReadonlySet<number>;
  /** The owning district, for a district key. */
  districtId: number | null;
  districtReadAccepted: boolean;
}

/**
 * Reports whether an embed key alone, with no one signed in, lets a widget read a community: a
 * public community on its list, or a district community on its list when the key is that
 * district's and its admin accepted open reading. Never a private community.
 */
export function embedKeyGrantsRead(scope: EmbedScope, community: CommunityAccess): boolean {
  if (!scope.communityIds.has(community.id)) {
    return false;
  }
  if (community.visibility === 'public') {
    return true;
  }
  return (
    community.visibility === 'district' &&
    scope.districtReadAccepted &&
    scope.districtId !== null &&
    community.districtId === scope.districtId
  );
}

/**
 * Reports whether a widget may read a district's own badges: only with that district's key, and
 * then with the admin's open-reading acceptance or as the district's staff or admin.
 */
export function embedKeyCoversDistrict(scope: EmbedScope, districtId: number): boolean {
  return scope.districtId === districtId;
}

/** Reports whether the viewer manages embed keys: a community's owners, or a district's admins. */
export function canManageEmbedKeys(
  viewer: Viewer | null,
  owner: { communityId: number | null; districtId: number | null },
  membership: MembershipAccess | null,
): boolean {
  if (owner.districtId !== null) {
    return canAdministerDistrict(viewer, owner.districtId);
  }
  return canManageCommunity(membership);
}
