import { type SQL, sql } from 'drizzle-orm';

/**
 * Every access rule of Staffroom. Services, schema fields and subscription filters ask these
 * functions; none of them contains a rule of its own. The rules are pure: callers load the rows.
 */

export interface Viewer {
  id: number;
  districtId: number | null;
}

export interface CommunityAccess {
  id: number;
  visibility: 'public' | 'district' | 'private';
  districtId: number | null;
}

export interface MembershipAccess {
  role: 'owner' | 'facilitator' | 'member';
  status: 'active' | 'invited' | 'requested' | 'removed';
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
 * Public communities are readable by anyone, signed out too; district communities by the owning
 * district's staff and by members; private communities by active members only.
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
  return community.visibility === 'district' && isSameDistrict(viewer, community);
}

/** Anyone signed in may join a public community; a district community takes its own staff. */
export function canJoinCommunity(
  viewer: Viewer | null,
  community: CommunityAccess,
  membership: MembershipAccess | null,
): boolean {
  if (!viewer || isActiveMember(membership)) {
    return false;
  }
  if (community.visibility === 'public') {
    return true;
  }
  return community.visibility === 'district' && isSameDistrict(viewer, community);
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

/** Chat is open to members while the live session is scheduled or live. */
export function canChatInLiveSession(
  liveSession: LiveSessionAccess,
  membership: MembershipAccess | null,
): boolean {
  return (
    canParticipate(membership) &&
    (liveSession.status === 'live' || liveSession.status === 'scheduled')
  );
}

export function canAwardBadge(membership: MembershipAccess | null): boolean {
  return canModerateCommunity(membership);
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
    or (${table.visibility} = 'district' and ${table.districtId} = ${viewer.districtId ?? -1})
    or exists (select 1 from memberships m where m.community_id = ${table.id} and m.user_id = ${viewer.id} and m.status = 'active'))`;
}
