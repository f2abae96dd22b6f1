import DataLoader from 'dataloader';
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import {
  badges,
  communities,
  liveSessions,
  memberships,
  threads,
} from '../../drizzle/tables/index.ts';
import { NotFoundError } from '../errors.ts';

export type MembershipRow = typeof memberships.$inferSelect;
import {
  type CommunityAccess,
  canReadCommunity,
  type MembershipAccess,
  type Viewer,
} from './access.ts';

/**
 * Loads what the access rules need for one viewer, batched per tick. Each request builds one; a
 * subscription builds a fresh one per event so that a membership change applies at once.
 */
export class ViewerAccess {
  readonly viewer: Viewer | null;
  private readonly communityLoader: DataLoader<number, CommunityAccess | null>;
  private readonly membershipLoader: DataLoader<number, MembershipRow | null>;

  private readonly parentLoaders: Record<
    'thread' | 'liveSession' | 'badge',
    DataLoader<number, number | null>
  >;

  constructor(db: Database, viewer: Viewer | null) {
    this.viewer = viewer;
    const communityIdsOf = (table: typeof threads | typeof liveSessions | typeof badges) =>
      new DataLoader<number, number | null>(async (ids) => {
        const rows = await db
          .select({ id: table.id, communityId: table.communityId })
          .from(table)
          .where(inArray(table.id, [...ids]));
        const byId = new Map(rows.map((row) => [row.id, row.communityId]));
        return ids.map((id) => byId.get(id) ?? null);
      });
    this.parentLoaders = {
      thread: communityIdsOf(threads),
      liveSession: communityIdsOf(liveSessions),
      badge: communityIdsOf(badges),
    };
    this.communityLoader = new DataLoader(async (ids) => {
      const rows = await db
        .select({
          id: communities.id,
          visibility: communities.visibility,
          districtId: communities.districtId,
        })
        .from(communities)
        .where(inArray(communities.id, [...ids]));
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    this.membershipLoader = new DataLoader(async (communityIds) => {
      if (!viewer) {
        return communityIds.map(() => null);
      }
      const rows = await db
        .select()
        .from(memberships)
        .where(
          and(eq(memberships.userId, viewer.id), inArray(memberships.communityId, [...communityIds])),
        );
      const byCommunity = new Map(rows.map((row) => [row.communityId, row]));
      return communityIds.map((id) => byCommunity.get(id) ?? null);
    });
  }

  community(communityId: number): Promise<CommunityAccess | null> {
    return this.communityLoader.load(communityId);
  }

  membership(communityId: number): Promise<MembershipRow | null> {
    return this.membershipLoader.load(communityId);
  }

  /** Answers whether the viewer may read the community that a thread, session or badge is in. */
  async canReadParent(kind: 'thread' | 'liveSession' | 'badge', id: number): Promise<boolean> {
    const communityId = await this.parentLoaders[kind].load(id);
    return communityId !== null && this.canRead(communityId);
  }

  async communityIdOf(kind: 'thread' | 'liveSession' | 'badge', id: number): Promise<number | null> {
    return this.parentLoaders[kind].load(id);
  }

  /** Forgets what was loaded, after a change made by this same request. */
  clear(communityId: number): void {
    this.communityLoader.clear(communityId);
    this.membershipLoader.clear(communityId);
  }

  async canRead(communityId: number): Promise<boolean> {
    const [community, membership] = await Promise.all([
      this.community(communityId),
      this.membership(communityId),
    ]);
    return community !== null && canReadCommunity(this.viewer, community, membership);
  }

  /**
   * Loads a community and the viewer's membership, or throws NotFoundError when the viewer may
   * not read it, so that a private community looks the same as a missing one.
   */
  async requireReadable(
    communityId: number,
    what = 'Community',
  ): Promise<{ community: CommunityAccess; membership: MembershipAccess | null }> {
    const [community, membership] = await Promise.all([
      this.community(communityId),
      this.membership(communityId),
    ]);
    if (!community || !canReadCommunity(this.viewer, community, membership)) {
      throw new NotFoundError(`${what} not found, or you do not have access to it.`);
    }
    return { community, membership };
  }
}
