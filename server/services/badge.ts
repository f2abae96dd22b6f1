import { and, eq, lte, sql } from 'drizzle-orm';
import {
  badgeAwards,
  badges,
  type ISTE_STANDARDS,
  memberships,
} from '../../drizzle/tables/index.ts';
import { canAwardBadge } from '../auth/access.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { InputValidator } from '../validation.ts';
import { requireViewer, runInTransaction, type ServiceContext, topics } from './context.ts';
import { notify } from './thread.ts';

export type BadgeRow = typeof badges.$inferSelect;
export type BadgeAwardRow = typeof badgeAwards.$inferSelect;
export type IsteStandard = (typeof ISTE_STANDARDS)[number];

/** The ISTE Standards for Educators, with their codes and a one-line summary in our words. */
export const ISTE_STANDARD_INFO: Record<
  IsteStandard,
  { code: string; name: string; summary: string }
> = {
  learner: {
    code: '2.1',
    name: 'Learner',
    summary:
      'Keeps improving their practice by learning from and with others and trying new approaches.',
  },
  leader: {
    code: '2.2',
    name: 'Leader',
    summary:
      'Shapes a shared vision for technology in learning and advocates for equitable access.',
  },
  citizen: {
    code: '2.3',
    name: 'Citizen',
    summary: 'Helps students act safely, responsibly and kindly as members of the digital world.',
  },
  collaborator: {
    code: '2.4',
    name: 'Collaborator',
    summary: 'Works with colleagues and students to plan, share ideas and solve problems together.',
  },
  designer: {
    code: '2.5',
    name: 'Designer',
    summary: 'Designs learner-driven activities and environments that adapt to varied needs.',
  },
  facilitator: {
    code: '2.6',
    name: 'Facilitator',
    summary: 'Supports students in owning their learning, alone and in groups, with technology.',
  },
  analyst: {
    code: '2.7',
    name: 'Analyst',
    summary: 'Uses data from varied assessments to guide instruction and support student goals.',
  },
};

/** Defines a badge in a community; owners and facilitators only. */
export async function createBadge(
  ctx: ServiceContext,
  input: {
    communityId: number;
    name: string;
    description: string;
    criteria: string;
    isteStandards: IsteStandard[];
  },
): Promise<BadgeRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const name = validator.text('name', input.name, { max: 120 });
  const description = validator.text('description', input.description, {
    max: 2000,
    multiline: true,
  });
  const criteria = validator.text('criteria', input.criteria, { max: 5000, multiline: true });
  const isteStandards = [...new Set(input.isteStandards)];
  if (isteStandards.length === 0) {
    validator.add('isteStandards', 'must name at least one ISTE Standard for Educators');
  }
  validator.check();

  const { membership } = await ctx.access.requireReadable(input.communityId);
  if (!canAwardBadge(membership)) {
    throw new ForbiddenError('Only owners and facilitators define badges.');
  }

  const [badge] = await ctx.db
    .insert(badges)
    .values({
      communityId: input.communityId,
      name,
      description,
      criteria,
      isteStandards,
      createdById: viewer.id,
    })
    .onConflictDoNothing()
    .returning();
  if (!badge) {
    throw new ConflictError(`This community already has a badge named "${name}".`);
  }
  return badge;
}

/**
 * Awards a badge to a member of its community. Expired awards are closed first, so that only an
 * active one blocks a new award (ConflictError). Publishes BADGE_AWARDED to the community and
 * notifies the recipient.
 */
export async function awardBadge(
  ctx: ServiceContext,
  input: { badgeId: number; recipientId: number; note?: string | null; expiresAt?: Date | null },
): Promise<BadgeAwardRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const note =
    validator.optionalText('note', input.note, { min: 0, max: 2000, multiline: true }) ?? '';
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    validator.add('expiresAt', 'must be in the future');
  }
  validator.check();

  const [badge] = await ctx.db.select().from(badges).where(eq(badges.id, input.badgeId));
  if (!badge) {
    throw new NotFoundError(`Badge ${input.badgeId} not found, or you do not have access to it.`);
  }
  const { membership } = await ctx.access.requireReadable(
    badge.communityId,
    `Badge ${input.badgeId}`,
  );
  if (!canAwardBadge(membership)) {
    throw new ForbiddenError('Only owners and facilitators award badges.');
  }
  const [recipientMembership] = await ctx.db
    .select({ status: memberships.status })
    .from(memberships)
    .where(
      and(
        eq(memberships.communityId, badge.communityId),
        eq(memberships.userId, input.recipientId),
      ),
    );
  if (recipientMembership?.status !== 'active') {
    throw ValidationError.of(
      'recipientId',
      "the recipient must be an active member of the badge's community",
    );
  }

  return runInTransaction(ctx, async (tx, recorder) => {
    await tx
      .update(badgeAwards)
      .set({ status: 'expired' })
      .where(
        and(
          eq(badgeAwards.badgeId, badge.id),
          eq(badgeAwards.recipientId, input.recipientId),
          eq(badgeAwards.status, 'active'),
          lte(badgeAwards.expiresAt, sql`now()`),
        ),
      );
    const [award] = await tx
      .insert(badgeAwards)
      .values({
        badgeId: badge.id,
        recipientId: input.recipientId,
        awardedById: viewer.id,
        note,
        expiresAt: input.expiresAt?.toISOString() ?? null,
      })
      .onConflictDoNothing()
      .returning();
    if (!award) {
      throw new ConflictError(
        `That person already has an active award of the badge "${badge.name}".`,
      );
    }
    await recorder.record(topics.community(badge.communityId), 'badge_awarded', {
      awardId: award.id,
    });
    await notify(tx, recorder, input.recipientId, 'badge_awarded', {
      communityId: badge.communityId,
      badgeId: badge.id,
      awardId: award.id,
      actorId: viewer.id,
    });
    return award;
  });
}
