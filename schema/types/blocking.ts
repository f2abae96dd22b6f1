import { blockPerson, unblockPerson } from '../../server/services/blocking.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';

builder.drizzleObjectFields('users', (t) => ({
  blockedPeople: t.drizzleConnection({
    type: 'users',
    nullable: true,
    description:
      'People this person blocked, by display name; for the person themself only, null for others. Neither sees the threads, posts and chat messages of the other.',
    resolve: (query, user, _args, ctx) =>
      ctx.viewer?.id === user.id
        ? ctx.db.query.users.findMany(
            query({
              where: {
                RAW: (table, { sql }) =>
                  sql`exists (select 1 from user_blocks b where b.blocker_id = ${user.id} and b.blocked_id = ${table.id})`,
              },
              orderBy: { displayName: 'asc', id: 'asc' },
            }),
          )
        : null,
  }),
  viewerHasBlocked: t.boolean({
    description: 'Whether the viewer blocked this person; false when signed out.',
    resolve: async (user, _args, ctx) => {
      if (!ctx.viewer || ctx.viewer.id === user.id) {
        return false;
      }
      const blocked = await ctx.db.query.userBlocks.findFirst({
        where: { blockerId: ctx.viewer.id, blockedId: user.id },
        columns: { blockerId: true },
      });
      return blocked !== undefined;
    },
  }),
}));

const BlockPersonInput = builder.inputType('BlockPersonInput', {
  description: 'Names a person to block or unblock.',
  fields: (f) => ({ userId: f.id({ required: true, description: 'The person, a User id.' }) }),
});

builder.mutationFields((t) => ({
  blockPerson: t.drizzleField({
    type: 'users',
    description:
      "Blocks a person: from then on neither the viewer nor they see the other's threads, posts and chat messages, in lists, lookups and live events. Blocking someone already blocked changes nothing; the viewer cannot block themself.",
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: BlockPersonInput }) },
    resolve: (_query, _parent, { input }, ctx) =>
      blockPerson(ctx, { userId: parseGlobalId(String(input.userId), 'User', 'userId') }),
  }),
  unblockPerson: t.drizzleField({
    type: 'users',
    description:
      'Ends the viewer’s block of a person; unblocking someone not blocked changes nothing.',
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: BlockPersonInput }) },
    resolve: (_query, _parent, { input }, ctx) =>
      unblockPerson(ctx, { userId: parseGlobalId(String(input.userId), 'User', 'userId') }),
  }),
}));
