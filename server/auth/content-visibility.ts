import { type SQL, sql } from 'drizzle-orm';
import type { Viewer } from './access.ts';

/**
 * Who sees which threads, posts and chat messages. A facilitator's removal (removed_at) hides
 * content from everyone but the community's moderators. A hold for review (held_at) hides it
 * from everyone but the moderators and its author. A block, in either direction, hides each
 * person's content from the other, moderators included, since they chose not to see it.
 *
 * The same rules come in two forms: canSeeContent for one loaded row (lookups by id,
 * subscription events), and the SQL conditions below for lists and counts.
 */

/** The columns of a thread or post that decide who sees it. */
export interface ContentFacts {
  authorId: number | null;
  removedAt: string | null;
  heldAt: string | null;
}

/** The viewer's relation to one thread or post, loaded by ViewerAccess. */
export interface ContentRelation {
  /** Whether the viewer moderates the content's community (canModerateContent). */
  moderates: boolean;
  /** Whether the viewer and the author blocked each other, in either direction. */
  blocked: boolean;
}

/** Reports whether the viewer sees one thread or post. See the module comment for the rule. */
export function canSeeContent(
  viewer: Viewer | null,
  content: ContentFacts,
  relation: ContentRelation,
): boolean {
  if (relation.blocked) {
    return false;
  }
  if (content.removedAt !== null) {
    return relation.moderates;
  }
  if (content.heldAt !== null) {
    return relation.moderates || (viewer !== null && content.authorId === viewer.id);
  }
  return true;
}

/** Reports whether a chat message is shown: it is hidden only between people who blocked. */
export function canSeeChatMessage(relation: Pick<ContentRelation, 'blocked'>): boolean {
  return !relation.blocked;
}

/**
 * Builds the SQL form of canModerateContent: the viewer is an active owner or facilitator of the
 * community, or administers the district that owns it.
 */
export function moderatesCommunityCondition(viewer: Viewer | null, communityId: SQL): SQL {
  if (!viewer) {
    return sql`false`;
  }
  const membership = sql`exists (select 1 from memberships vm where vm.community_id = ${communityId}
    and vm.user_id = ${viewer.id} and vm.status = 'active' and vm.role in ('owner', 'facilitator'))`;
  if (viewer.isPlatformAdmin) {
    return sql`(${membership} or exists (select 1 from communities vc where vc.id = ${communityId} and vc.district_id is not null))`;
  }
  if (viewer.adminDistrictIds.length === 0) {
    return membership;
  }
  const districtIds = sql.join(
    viewer.adminDistrictIds.map((id) => sql`${id}`),
    sql`, `,
  );
  return sql`(${membership} or exists (select 1 from communities vc where vc.id = ${communityId} and vc.district_id in (${districtIds})))`;
}

/** Builds a condition that holds unless the viewer and the author blocked each other. */
export function notBlockedCondition(viewer: Viewer | null, authorId: unknown): SQL {
  if (!viewer) {
    return sql`true`;
  }
  return sql`not exists (select 1 from user_blocks vb where (vb.blocker_id = ${viewer.id} and vb.blocked_id = ${authorId}) or (vb.blocker_id = ${authorId} and vb.blocked_id = ${viewer.id}))`;
}

/**
 * Builds the SQL form of canSeeContent for a threads or posts table (or its alias). The community
 * is a SQL expression: the thread's own column, or a subquery for a post.
 */
export function visibleContentCondition(
  viewer: Viewer | null,
  table: { authorId: unknown; removedAt: unknown; heldAt: unknown },
  communityId: SQL,
): SQL {
  if (!viewer) {
    return sql`(${table.removedAt} is null and ${table.heldAt} is null)`;
  }
  const moderates = moderatesCommunityCondition(viewer, communityId);
  return sql`((${table.removedAt} is null or ${moderates})
    and (${table.heldAt} is null or ${table.authorId} = ${viewer.id} or ${moderates})
    and ${notBlockedCondition(viewer, table.authorId)})`;
}

/** Builds visibleContentCondition for a threads table or alias. */
export function visibleThreadCondition(
  viewer: Viewer | null,
  table: { authorId: unknown; removedAt: unknown; heldAt: unknown; communityId: unknown },
): SQL {
  return visibleContentCondition(viewer, table, sql`${table.communityId}`);
}

/** Names the columns of a threads table alias in raw SQL, for conditions inside `sql` extras. */
export function threadColumnsOf(alias: string) {
  return {
    authorId: sql.raw(`${alias}.author_id`),
    removedAt: sql.raw(`${alias}.removed_at`),
    heldAt: sql.raw(`${alias}.held_at`),
    communityId: sql.raw(`${alias}.community_id`),
  };
}

/** Builds visibleContentCondition for a posts table or alias. */
export function visiblePostCondition(
  viewer: Viewer | null,
  table: { authorId: unknown; removedAt: unknown; heldAt: unknown; threadId: unknown },
): SQL {
  return visibleContentCondition(
    viewer,
    table,
    sql`(select vt.community_id from threads vt where vt.id = ${table.threadId})`,
  );
}
