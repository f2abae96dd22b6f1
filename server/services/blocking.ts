import { and, count, eq } from 'drizzle-orm';
import { userBlocks, users } from '../../drizzle/tables/index.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { requireViewer, type ServiceContext } from './context.ts';

export type UserRow = typeof users.$inferSelect;

/** Maximum blocks per person, which keeps the block checks of every read small. */
export const MAX_BLOCKS_PER_PERSON = 1000;

async function loadPerson(ctx: ServiceContext, userId: number): Promise<UserRow> {
  const [person] = await ctx.db.select().from(users).where(eq(users.id, userId));
  if (!person) {
    throw new NotFoundError(`Person ${userId} not found.`);
  }
  return person;
}

/**
 * Blocks a person for the viewer: from then on neither sees the other's threads, posts or chat
 * messages, in lists, lookups and live events. Blocking someone already blocked changes nothing.
 * Returns ValidationError for the viewer themself, NotFoundError for an unknown person, and
 * ConflictError past MAX_BLOCKS_PER_PERSON. Publishes no event: each delivery checks blocks as
 * it happens, and the viewer's own client reloads what it shows.
 */
export async function blockPerson(
  ctx: ServiceContext,
  input: { userId: number },
): Promise<UserRow> {
  const viewer = requireViewer(ctx);
  if (input.userId === viewer.id) {
    throw ValidationError.of('userId', 'you cannot block yourself');
  }
  const person = await loadPerson(ctx, input.userId);
  await ctx.db.transaction(async (tx) => {
    // Locking the blocker's row makes parallel blocks count one after another, so none passes
    // the maximum.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, viewer.id)).for('update');
    const [held] = await tx
      .select({ total: count() })
      .from(userBlocks)
      .where(eq(userBlocks.blockerId, viewer.id));
    if ((held?.total ?? 0) >= MAX_BLOCKS_PER_PERSON) {
      throw new ConflictError(
        `You have blocked ${MAX_BLOCKS_PER_PERSON} people, the maximum; unblock someone first.`,
      );
    }
    await tx
      .insert(userBlocks)
      .values({ blockerId: viewer.id, blockedId: person.id })
      .onConflictDoNothing();
  });
  return person;
}

/** Ends the viewer's block of a person; unblocking someone not blocked changes nothing. */
export async function unblockPerson(
  ctx: ServiceContext,
  input: { userId: number },
): Promise<UserRow> {
  const viewer = requireViewer(ctx);
  const person = await loadPerson(ctx, input.userId);
  await ctx.db
    .delete(userBlocks)
    .where(and(eq(userBlocks.blockerId, viewer.id), eq(userBlocks.blockedId, person.id)));
  return person;
}
