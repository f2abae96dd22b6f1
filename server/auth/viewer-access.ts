import DataLoader from 'dataloader';
import { and, inArray, or } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import {
  badges,
  communities,
  liveSessions,
  memberships,
  threads,
  userBlocks,
} from '../../drizzle/tables/index.ts';
import { NotFoundError } from '../errors.ts';
import {
  type CommunityAccess,
  canAdministerDistrict,
  canModerateContent,
  canReadCommunity,
  canSeeCommunity,
  type EmbedScope,
  embedKeyCoversDistrict,
  embedKeyGrantsRead,
  type Viewer,
} from './access.ts';
import { type ContentFacts, canSeeContent } from './content-visibility.ts';

export type MembershipRow = typeof memberships.$inferSelect;
export type ParentKind = 'thread' | 'liveSession' | 'badge';

/** The issuer of a badge: a community, or a district (communityId null). */
export interface BadgeIssuerIds {
  communityId: number | null;
  districtId: number | null;
}

/**
 * Batches the rows that access checks need across every viewer of this process. Loads made in
 * the same tick share one query, so an event fanned out to many subscribers costs one query per
 * kind of row, not one per subscriber. It caches nothing: each ViewerAccess caches its own.
 */
export class AccessBatcher {
  readonly communities: DataLoader<number, CommunityAccess | null>;
  readonly memberships: DataLoader<string, MembershipRow | null>;
  readonly parents: Record<ParentKind, DataLoader<number, number | null>>;
  readonly badgeIssuers: DataLoader<number, BadgeIssuerIds | null>;
  /** Keyed `viewerId:otherId`: whether either of the two blocked the other. */
  readonly blocks: DataLoader<string, boolean>;

  constructor(db: Database) {
    const noCache = { cache: false };
    this.communities = new DataLoader(async (ids) => {
      const rows = await db
        .select({
          id: communities.id,
          visibility: communities.visibility,
          listed: communities.listed,
          districtId: communities.districtId,
        })
        .from(communities)
        .where(inArray(communities.id, [...new Set(ids)]));
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }, noCache);
    this.memberships = new DataLoader(async (keys) => {
      const pairs = keys.map((key) => key.split(':').map(Number) as [number, number]);
      const rows = await db
        .select()
        .from(memberships)
        .where(
          and(
            inArray(memberships.communityId, [
              ...new Set(pairs.map(([communityId]) => communityId)),
            ]),
            inArray(memberships.userId, [...new Set(pairs.map(([, userId]) => userId))]),
          ),
        );
      const byKey = new Map(rows.map((row) => [`${row.communityId}:${row.userId}`, row]));
      return keys.map((key) => byKey.get(key) ?? null);
    }, noCache);
    const communityIdsOf = (table: typeof threads | typeof liveSessions | typeof badges) =>
      new DataLoader<number, number | null>(async (ids) => {
        const rows = await db
          .select({ id: table.id, communityId: table.communityId })
          .from(table)
          .where(inArray(table.id, [...new Set(ids)]));
        const byId = new Map(rows.map((row) => [row.id, row.communityId]));
        return ids.map((id) => byId.get(id) ?? null);
      }, noCache);
    this.parents = {
      thread: communityIdsOf(threads),
      liveSession: communityIdsOf(liveSessions),
      badge: communityIdsOf(badges),
    };
    this.badgeIssuers = new DataLoader(async (ids) => {
      const rows = await db
        .select({ id: badges.id, communityId: badges.communityId, districtId: badges.districtId })
        .from(badges)
        .where(inArray(badges.id, [...new Set(ids)]));
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }, noCache);
    this.blocks = new DataLoader(async (keys) => {
      const people = [...new Set(keys.flatMap((key) => key.split(':').map(Number)))];
      const rows = await db
        .select({ blockerId: userBlocks.blockerId, blockedId: userBlocks.blockedId })
        .from(userBlocks)
        .where(or(inArray(userBlocks.blockerId, people), inArray(userBlocks.blockedId, people)));
      const pairs = new Set(rows.map((row) => `${row.blockerId}:${row.blockedId}`));
      return keys.map((key) => {
        const [first, second] = key.split(':');
        return pairs.has(`${first}:${second}`) || pairs.has(`${second}:${first}`);
      });
    }, noCache);
  }
}

/**
 * Loads what the access rules need for one viewer and remembers it. Each request builds one; a
 * subscription builds a fresh one per event, so that a membership change applies at once.
 *
 * A request through an embed key carries the key's scope. Then only the key's communities can be
 * seen or read. The key itself opens those it grants (see embedKeyGrantsRead), and a signed-in
 * person reads the others on the list with their own access.
 */
export class ViewerAccess {
  /**
   * What this instance loaded, by kind and id. Created at the first load: each WebSocket keeps
   * an instance for its whole life, mostly without loading anything through it.
   */
  private loaded: Map<string, Promise<unknown>> | null = null;

  constructor(
    private readonly batcher: AccessBatcher,
    readonly viewer: Viewer | null,
    readonly embed: EmbedScope | null = null,
  ) {}

  private remember<T>(key: string, load: () => Promise<T>): Promise<T> {
    this.loaded ??= new Map();
    let cached = this.loaded.get(key) as Promise<T> | undefined;
    if (!cached) {
      cached = load();
      this.loaded.set(key, cached);
    }
    return cached;
  }

  /** Creates an instance for the same viewer and embed scope with nothing remembered. */
  fresh(): ViewerAccess {
    return new ViewerAccess(this.batcher, this.viewer, this.embed);
  }

  community(communityId: number): Promise<CommunityAccess | null> {
    return this.remember(`community:${communityId}`, () =>
      this.batcher.communities.load(communityId),
    );
  }

  membership(communityId: number): Promise<MembershipRow | null> {
    if (!this.viewer) {
      return Promise.resolve(null);
    }
    const key = `${communityId}:${this.viewer.id}`;
    return this.remember(`membership:${communityId}`, () => this.batcher.memberships.load(key));
  }

  communityIdOf(kind: ParentKind, id: number): Promise<number | null> {
    const key = `${kind}:${id}`;
    return this.remember(`parent:${key}`, () => this.batcher.parents[kind].load(id));
  }

  /** Loads the community or district that awards a badge, once per badge for this viewer. */
  badgeIssuer(badgeId: number): Promise<BadgeIssuerIds | null> {
    return this.remember(`issuer:${badgeId}`, () => this.batcher.badgeIssuers.load(badgeId));
  }

  /**
   * Reports whether the viewer is this person. Resolvers call this rather than compare ids, so
   * that a subscription payload that depends only on it is shared by every viewer who gets the
   * same result (see server/shared-delivery.ts).
   */
  isViewer(userId: number): boolean {
    return this.viewer !== null && this.viewer.id === userId;
  }

  /** Reports whether the viewer and this person blocked each other, in either direction. */
  isBlockedWith(userId: number | null): Promise<boolean> {
    if (!this.viewer || userId === null || userId === this.viewer.id) {
      return Promise.resolve(false);
    }
    const key = `${this.viewer.id}:${userId}`;
    return this.remember(`block:${userId}`, () => this.batcher.blocks.load(key));
  }

  /** Reports whether the viewer reviews reports and removes content in the community. */
  async moderatesContent(communityId: number): Promise<boolean> {
    const [community, membership] = await Promise.all([
      this.community(communityId),
      this.membership(communityId),
    ]);
    return community !== null && canModerateContent(this.viewer, community, membership);
  }

  /**
   * Reports whether the viewer sees a thread or post of the community: see canSeeContent. Takes
   * plain values, so that shared delivery can ask another viewer the same question.
   */
  async canSeeContent(communityId: number, content: ContentFacts): Promise<boolean> {
    const [moderates, blocked] = await Promise.all([
      content.removedAt !== null || content.heldAt !== null
        ? this.moderatesContent(communityId)
        : false,
      this.isBlockedWith(content.authorId),
    ]);
    return canSeeContent(this.viewer, content, { moderates, blocked });
  }

  /** Forgets what was loaded for a community, after a change made by this same request. */
  clear(communityId: number): void {
    this.loaded?.delete(`community:${communityId}`);
    this.loaded?.delete(`membership:${communityId}`);
  }

  async canRead(communityId: number): Promise<boolean> {
    const community = await this.community(communityId);
    if (!community) {
      return false;
    }
    return this.allowsRead(community, () => this.membership(communityId));
  }

  /** Applies canReadCommunity and the embed scope; public communities need no membership. */
  private async allowsRead(
    community: CommunityAccess,
    membership: () => Promise<MembershipRow | null>,
  ): Promise<boolean> {
    if (this.embed) {
      if (!this.embed.communityIds.has(community.id)) {
        return false;
      }
      if (embedKeyGrantsRead(this.embed, community)) {
        return true;
      }
    }
    if (community.visibility === 'public') {
      return true;
    }
    return canReadCommunity(this.viewer, community, await membership());
  }

  private async allowsSee(
    community: CommunityAccess,
    membership: () => Promise<MembershipRow | null>,
  ): Promise<boolean> {
    if (await this.allowsRead(community, membership)) {
      return true;
    }
    if (this.embed && !this.embed.communityIds.has(community.id)) {
      return false;
    }
    return canSeeCommunity(this.viewer, community, await membership());
  }

  /** Reports whether the viewer may know that the community exists and see its name. */
  async canSee(communityId: number): Promise<boolean> {
    const community = await this.community(communityId);
    if (!community) {
      return false;
    }
    return this.allowsSee(community, () => this.membership(communityId));
  }

  /**
   * Loads a community the viewer may see, even without reading its content, or throws
   * NotFoundError, so that an unlisted community looks the same as a missing one.
   */
  async requireVisible(
    communityId: number,
  ): Promise<{ community: CommunityAccess; membership: MembershipRow | null }> {
    const [community, membership] = await Promise.all([
      this.community(communityId),
      this.membership(communityId),
    ]);
    if (!community || !(await this.allowsSee(community, async () => membership))) {
      throw new NotFoundError('Community not found, or you do not have access to it.');
    }
    return { community, membership };
  }

  /**
   * Reports whether the viewer may read the community that a thread, session or badge is in. A
   * district's badge is read by that district's staff and admins.
   */
  async canReadParent(kind: ParentKind, id: number): Promise<boolean> {
    if (kind === 'badge') {
      return this.canReadBadge(id);
    }
    const communityId = await this.communityIdOf(kind, id);
    return communityId !== null && this.canRead(communityId);
  }

  /** Reports whether the viewer may read a badge: see canReadParent. */
  async canReadBadge(badgeId: number): Promise<boolean> {
    const issuer = await this.badgeIssuer(badgeId);
    if (!issuer) {
      return false;
    }
    if (issuer.communityId !== null) {
      return this.canRead(issuer.communityId);
    }
    return issuer.districtId !== null && this.isDistrictReader(issuer.districtId);
  }

  /**
   * Staff and admins of a district read its badges. Through an embed key, only that district's
   * key shows them, to anyone when its admin accepted open reading.
   */
  isDistrictReader(districtId: number): boolean {
    if (this.embed) {
      if (!embedKeyCoversDistrict(this.embed, districtId)) {
        return false;
      }
      if (this.embed.districtReadAccepted) {
        return true;
      }
    }
    return (
      this.viewer !== null &&
      (this.viewer.districtId === districtId || canAdministerDistrict(this.viewer, districtId))
    );
  }

  /**
   * Loads a community and the viewer's membership, or throws NotFoundError when the viewer may
   * not read it, so that a private community looks the same as a missing one.
   */
  async requireReadable(
    communityId: number,
    subject = 'Community',
  ): Promise<{ community: CommunityAccess; membership: MembershipRow | null }> {
    const [community, membership] = await Promise.all([
      this.community(communityId),
      this.membership(communityId),
    ]);
    if (!community || !(await this.allowsRead(community, async () => membership))) {
      throw new NotFoundError(`${subject} not found, or you do not have access to it.`);
    }
    return { community, membership };
  }
}
