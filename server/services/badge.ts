import { and, eq, lte, sql } from 'drizzle-orm';
import type { Transaction } from '../../drizzle/db.ts';
import { ISTE_FRAMEWORK_NAME, ISTE_STANDARD_INFO } from '../../drizzle/iste.ts';
import {
  type AWARD_SOURCES,
  type BADGE_KINDS,
  badgeAlignments,
  badgeAwards,
  badges,
  districts,
  type ISTE_STANDARDS,
  MAX_VALID_FOR_DAYS,
} from '../../drizzle/tables/index.ts';
import { canAdministerDistrict, canAwardBadge } from '../auth/access.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { InputValidator } from '../validation.ts';
import { recordAudit } from './audit.ts';
import { requireEligibleRecipient, requireManagedBadge } from './badge-access.ts';
import { type BadgeImageInput, resolveBadgeImageInput } from './badge-image.ts';
import { applyBadgeRules } from './badge-rule-awards.ts';
import {
  type EventRecorder,
  lockEventOrder,
  requireViewer,
  runInTransaction,
  type ServiceContext,
  topics,
} from './context.ts';
import { usableStandardIds } from './framework.ts';
import { notify } from './thread.ts';

export type BadgeRow = typeof badges.$inferSelect;

/** Most standards of other frameworks a badge may align to, beside the seven ISTE ones. */
export const MAX_ALIGNMENTS = 50;
export type BadgeAwardRow = typeof badgeAwards.$inferSelect;
export type IsteStandard = (typeof ISTE_STANDARDS)[number];
export type BadgeKind = (typeof BADGE_KINDS)[number];

export { ISTE_STANDARD_INFO };

/**
 * Defines a badge. A community's badge is defined by its owners and facilitators; a district's
 * badge (districtId instead of communityId) by the district's admins.
 */
export async function createBadge(
  ctx: ServiceContext,
  input: {
    communityId?: number | null;
    districtId?: number | null;
    name: string;
    description: string;
    criteria: string;
    isteStandards: IsteStandard[];
    /** Standards of other frameworks: those for everyone, or the community's district's own. */
    alignmentIds?: number[] | null;
    kind?: BadgeKind | null;
    /** Days each award stays valid; null or omitted when awards do not expire by default. */
    validForDays?: number | null;
  } & BadgeImageInput,
): Promise<BadgeRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const name = validator.text('name', input.name, { max: 120 });
  const description = validator.text('description', input.description, {
    max: 2000,
    multiline: true,
  });
  const criteria = validator.text('criteria', input.criteria, { max: 5000, multiline: true });
  if (
    input.validForDays !== undefined &&
    input.validForDays !== null &&
    (!Number.isInteger(input.validForDays) ||
      input.validForDays < 1 ||
      input.validForDays > MAX_VALID_FOR_DAYS)
  ) {
    validator.add('validForDays', `must be a whole number of days from 1 to ${MAX_VALID_FOR_DAYS}`);
  }
  if (new Set(input.alignmentIds ?? []).size > MAX_ALIGNMENTS) {
    validator.add('alignmentIds', `may name at most ${MAX_ALIGNMENTS} standards`);
  }
  const isteStandards = [...new Set(input.isteStandards)];
  if (isteStandards.length === 0) {
    validator.add('isteStandards', 'must name at least one ISTE Standard for Educators');
  }
  const communityId = input.communityId ?? null;
  const districtId = input.districtId ?? null;
  if ((communityId === null) === (districtId === null)) {
    validator.add('communityId', 'give either a community or a district as the issuer, not both');
  }
  validator.check();

  let frameworkDistrictId: number | null;
  if (communityId !== null) {
    const { community, membership } = await ctx.access.requireReadable(communityId);
    if (!canAwardBadge(membership)) {
      throw new ForbiddenError('Only owners and facilitators define badges.');
    }
    frameworkDistrictId = community.districtId;
  } else {
    const [district] = await ctx.db
      .select({ id: districts.id })
      .from(districts)
      .where(eq(districts.id, districtId ?? -1));
    if (!district || !ctx.access.isDistrictReader(district.id)) {
      throw new NotFoundError('District not found, or you do not have access to it.');
    }
    if (!canAdministerDistrict(viewer, district.id)) {
      throw new ForbiddenError("Only the district's admins define its badges.");
    }
    frameworkDistrictId = district.id;
  }
  const image = await resolveBadgeImageInput(ctx, input);
  const requested = input.alignmentIds ?? [];
  const alignmentIds = await usableStandardIds(ctx, requested, frameworkDistrictId);
  if (alignmentIds.length < new Set(requested).size) {
    throw ValidationError.of(
      'alignmentIds',
      "names a standard that does not exist or belongs to another district's framework",
    );
  }

  return runInTransaction(ctx, async (tx) => {
    const [badge] = await tx
      .insert(badges)
      .values({
        communityId,
        districtId,
        name,
        description,
        criteria,
        isteStandards,
        kind: input.kind ?? 'participation',
        validForDays: input.validForDays ?? null,
        ...image,
        createdById: viewer.id,
      })
      .onConflictDoNothing()
      .returning();
    if (!badge) {
      throw new ConflictError(
        `This ${communityId !== null ? 'community' : 'district'} already has a badge named "${name}".`,
      );
    }
    await alignToIsteStandards(tx, badge.id, isteStandards);
    if (alignmentIds.length > 0) {
      await tx
        .insert(badgeAlignments)
        .values(alignmentIds.map((standardId) => ({ badgeId: badge.id, standardId })))
        .onConflictDoNothing();
    }
    return badge;
  });
}

/** Aligns a badge to the ISTE framework's standards of the given keys. */
async function alignToIsteStandards(
  tx: Transaction,
  badgeId: number,
  keys: IsteStandard[],
): Promise<void> {
  const codes = keys.map((key) => ISTE_STANDARD_INFO[key].code);
  await tx.execute(
    sql`insert into badge_alignments (badge_id, standard_id)
      select ${badgeId}, s.id from framework_standards s
      join frameworks f on f.id = s.framework_id
      where f.district_id is null and lower(f.name) = lower(${ISTE_FRAMEWORK_NAME})
        and s.code in (${sql.join(
          codes.map((code) => sql`${code}`),
          sql`, `,
        )})
      on conflict do nothing`,
  );
}

/** The origin and details of an award, for grantAward. */
export interface GrantInput {
  recipientId: number;
  awardedById: number | null;
  note?: string;
  expiresAt?: Date | null;
  source: (typeof AWARD_SOURCES)[number];
  ruleId?: number | null;
  submissionId?: number | null;
}

/**
 * Gives a badge inside a transaction. It closes the recipient's expired award of it and inserts
 * the award unless an active one exists; the unique index decides, so parallel grants on several
 * processes make one award. It then records BADGE_AWARDED on the community's feed, notifies the
 * recipient and awards the pathway badges this award completes. Returns null when the person
 * already has an active award. grantRuleAwards in badge-rule-awards.ts does the same for many
 * recipients at once, so change the two together.
 */
export async function grantAward(
  tx: Transaction,
  recorder: EventRecorder,
  badge: Pick<BadgeRow, 'id' | 'communityId' | 'districtId' | 'validForDays'>,
  input: GrantInput,
): Promise<BadgeAwardRow | null> {
  // Rule evaluation inserts awards under the event-order lock, so the lock comes before the insert
  // here too. In the other order, two transactions could each wait for the other.
  await lockEventOrder(tx);
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
      awardedById: input.awardedById,
      note: input.note ?? '',
      source: input.source,
      ruleId: input.ruleId ?? null,
      submissionId: input.submissionId ?? null,
      // Without an expiry of its own, an award takes its badge's validity period.
      expiresAt:
        input.expiresAt?.toISOString() ??
        (badge.validForDays === null
          ? null
          : sql`now() + make_interval(days => ${badge.validForDays})`),
    })
    .onConflictDoNothing()
    .returning();
  if (!award) {
    return null;
  }
  if (badge.communityId !== null) {
    await recorder.record(topics.community(badge.communityId), 'badge_awarded', {
      awardId: award.id,
    });
  }
  await notify(tx, recorder, input.recipientId, 'badge_awarded', {
    ...(badge.communityId !== null
      ? { communityId: badge.communityId }
      : { districtId: badge.districtId ?? undefined }),
    badgeId: badge.id,
    awardId: award.id,
    ...(input.awardedById !== null ? { actorId: input.awardedById } : {}),
  });
  await applyBadgeRules(tx, recorder, {
    kind: 'badge_awarded',
    badgeId: badge.id,
    userIds: [input.recipientId],
  });
  return award;
}

/**
 * Awards a badge by hand to a member of its community (or staff of its district), with a note.
 * Only an active award blocks a new one (ConflictError).
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

  const badge = await requireManagedBadge(ctx, input.badgeId, 'award badges');
  await requireEligibleRecipient(ctx.db, badge, input.recipientId);

  return runInTransaction(ctx, async (tx, recorder) => {
    const award = await grantAward(tx, recorder, badge, {
      recipientId: input.recipientId,
      awardedById: viewer.id,
      note,
      expiresAt: input.expiresAt ?? null,
      source: 'manual',
    });
    if (!award) {
      throw new ConflictError(
        `That person already has an active award of the badge "${badge.name}".`,
      );
    }
    return award;
  });
}

/**
 * Revokes an active award with a reason shown to the recipient; the badge's community owners and
 * facilitators only. The award stays on record as revoked, and the audit log records who and why.
 * ConflictError when the award is not active.
 */
export async function revokeBadgeAward(
  ctx: ServiceContext,
  input: { awardId: number; reason: string },
): Promise<BadgeAwardRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const reason = validator.text('reason', input.reason, { max: 500, multiline: true });
  validator.check();

  const [found] = await ctx.db
    .select({ badgeId: badgeAwards.badgeId })
    .from(badgeAwards)
    .where(eq(badgeAwards.id, input.awardId));
  const notFound = () =>
    new NotFoundError(`Badge award ${input.awardId} not found, or you do not have access to it.`);
  if (!found) {
    throw notFound();
  }
  const badge = await requireManagedBadge(ctx, found.badgeId, 'revoke badges').catch(
    (error: unknown) => {
      throw error instanceof NotFoundError ? notFound() : error;
    },
  );

  return runInTransaction(ctx, async (tx, recorder) => {
    const [revoked] = await tx
      .update(badgeAwards)
      .set({
        status: 'revoked',
        revokedAt: sql`now()`,
        revokedById: viewer.id,
        revokeReason: reason,
      })
      .where(
        and(
          eq(badgeAwards.id, input.awardId),
          eq(badgeAwards.status, 'active'),
          sql`(${badgeAwards.expiresAt} is null or ${badgeAwards.expiresAt} > now())`,
        ),
      )
      .returning();
    if (!revoked) {
      throw new ConflictError(
        `Badge award ${input.awardId} is not active, so it cannot be revoked.`,
      );
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.badge_revoked',
      communityId: badge.communityId,
      districtId: badge.districtId,
      subjectUserId: revoked.recipientId,
      details: { awardId: revoked.id, badgeId: revoked.badgeId, reason },
    });
    await notify(tx, recorder, revoked.recipientId, 'badge_revoked', {
      ...(badge.communityId !== null
        ? { communityId: badge.communityId }
        : { districtId: badge.districtId ?? undefined }),
      badgeId: badge.id,
      awardId: revoked.id,
      actorId: viewer.id,
    });
    return revoked;
  });
}
