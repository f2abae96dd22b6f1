import DataLoader from 'dataloader';
import { inArray } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { badgeAwards, badges, users } from '../../drizzle/tables/index.ts';
import { type BadgeRow, canManageBadge } from './badge-access.ts';
import type { ServiceContext } from './context.ts';

export type BadgeAwardRow = typeof badgeAwards.$inferSelect;

/** The columns of an award that its access rules read. */
export interface BadgeAwardAccessRow {
  badgeId: number;
  recipientId: number;
}

interface AwardAccessLoaders {
  awards: DataLoader<number, BadgeAwardRow | null>;
  badges: DataLoader<number, BadgeRow | null>;
  recipients: DataLoader<number, { id: number; badgesPublic: boolean } | null>;
}

const loadersByDatabase = new WeakMap<Database, AwardAccessLoaders>();

/** Loads rows by id in one query, in the order of `ids`, with null for a missing id. */
function rowsById<Row extends { id: number }>(
  load: (ids: number[]) => Promise<Row[]>,
): DataLoader<number, Row | null> {
  return new DataLoader(
    async (ids) => {
      const rows = await load([...new Set(ids)]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    // Nothing is cached, so a change such as a revocation or a profile made private applies to
    // the next check. Loads made in the same tick, by every request and subscriber, share one
    // query, so an event fanned out to many subscribers costs one query per kind of row.
    { cache: false },
  );
}

function loadersFor(db: Database): AwardAccessLoaders {
  let loaders = loadersByDatabase.get(db);
  if (!loaders) {
    loaders = {
      awards: rowsById((ids) => db.select().from(badgeAwards).where(inArray(badgeAwards.id, ids))),
      badges: rowsById((ids) => db.select().from(badges).where(inArray(badges.id, ids))),
      recipients: rowsById((ids) =>
        db
          .select({ id: users.id, badgesPublic: users.badgesPublic })
          .from(users)
          .where(inArray(users.id, ids)),
      ),
    };
    loadersByDatabase.set(db, loaders);
  }
  return loaders;
}

/** Loads a badge award by id, batched with the other loads of the same tick; null when missing. */
export function loadBadgeAward(db: Database, awardId: number): Promise<BadgeAwardRow | null> {
  return loadersFor(db).awards.load(awardId);
}

/**
 * Reports whether the viewer manages the badge of an award: the badge's community owners and
 * facilitators, or its district's admins.
 */
export function canManageAwardBadge(
  ctx: ServiceContext,
  award: BadgeAwardAccessRow,
): Promise<boolean> {
  return canManageBadgeById(ctx, award.badgeId);
}

/**
 * Reports whether the viewer manages a badge, as canManageBadge does, or false for a missing
 * badge. The badge loads in one query with the other loads of the same tick.
 */
export async function canManageBadgeById(ctx: ServiceContext, badgeId: number): Promise<boolean> {
  if (ctx.viewer === null) {
    return false;
  }
  const badge = await loadersFor(ctx.db).badges.load(badgeId);
  return badge !== null && canManageBadge(ctx, badge);
}

/**
 * Reports whether the viewer may read a badge award, the same rule that lists holders and
 * profiles: the viewer reads the badge, and the recipient shows badges publicly, or the viewer
 * is the recipient or manages the badge.
 */
export async function canReadBadgeAward(
  ctx: ServiceContext,
  award: BadgeAwardAccessRow,
): Promise<boolean> {
  if (!(await ctx.access.canReadBadge(award.badgeId))) {
    return false;
  }
  if (ctx.viewer?.id === award.recipientId) {
    return true;
  }
  const recipient = await loadersFor(ctx.db).recipients.load(award.recipientId);
  if (recipient?.badgesPublic) {
    return true;
  }
  return canManageAwardBadge(ctx, award);
}

/**
 * Reports whether the viewer may read an award's note and the who and why of its revocation:
 * its recipient and those who manage its badge, not others who see the award.
 */
export async function canReadBadgeAwardDetails(
  ctx: ServiceContext,
  award: BadgeAwardAccessRow,
): Promise<boolean> {
  if (ctx.viewer !== null && ctx.viewer.id === award.recipientId) {
    return true;
  }
  return canManageAwardBadge(ctx, award);
}
