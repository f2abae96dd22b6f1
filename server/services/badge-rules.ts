import { asc, count, eq, inArray, sql } from 'drizzle-orm';
import { type Executor, rowsOf, type Transaction } from '../../drizzle/db.ts';
import { badgeRuleBadges, badgeRules, badges } from '../../drizzle/tables/index.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { InputValidator } from '../validation.ts';
import { recordAudit } from './audit.ts';
import { type BadgeRow, requireManagedBadge } from './badge-access.ts';
import { awardQualifyingUsers, type RuleWithBadge } from './badge-rule-awards.ts';
import { type RuleKind, userCountSql } from './badge-rule-counts.ts';
import { requireViewer, runInTransaction, type ServiceContext } from './context.ts';

export type BadgeRuleRow = typeof badgeRules.$inferSelect;
export type { RuleKind };

export const MAX_RULES_PER_BADGE = 5;
export const MIN_PATHWAY_BADGES = 2;
export const MAX_PATHWAY_BADGES = 20;
export const MAX_RULE_THRESHOLD = 10_000;
/** Attended minutes a session may be required to last: the 12 hours a session may run. */
export const MAX_RULE_MIN_MINUTES = 720;

// First key of the two-key advisory lock that serializes rule changes of one issuer. The second key
// is the community id, or the negated district id. Two pathways created at once then cannot close
// a cycle, and a badge cannot pass MAX_RULES_PER_BADGE.
const RULES_LOCK_CLASS = 7_406_314;

export interface CreateBadgeRuleInput {
  badgeId: number;
  kind: RuleKind;
  /** Required except for a pathway, where it defaults to all of its badges. */
  threshold?: number | null;
  /** For sessions_attended only: minutes of attendance each session needs; default 0. */
  minMinutes?: number | null;
  /** For a pathway only: the badges it requires. */
  requiredBadgeIds?: number[] | null;
}

/** Checks the input that needs no database; returns the pathway's distinct badge ids. */
function validateRuleInput(input: CreateBadgeRuleInput): number[] {
  const validator = new InputValidator();
  const isPathway = input.kind === 'pathway';
  const required = input.requiredBadgeIds ?? [];
  const distinct = [...new Set(required)];
  if (input.threshold == null) {
    if (!isPathway) {
      validator.add('threshold', 'is required: give a whole number from 1 to 10000');
    }
  } else if (
    !Number.isInteger(input.threshold) ||
    input.threshold < 1 ||
    input.threshold > MAX_RULE_THRESHOLD
  ) {
    validator.add('threshold', `must be a whole number from 1 to ${MAX_RULE_THRESHOLD}`);
  } else if (isPathway && distinct.length > 0 && input.threshold > distinct.length) {
    validator.add(
      'threshold',
      `must be at most the number of required badges (${distinct.length})`,
    );
  }
  if (input.minMinutes != null) {
    if (input.kind !== 'sessions_attended') {
      validator.add('minMinutes', 'applies only to SESSIONS_ATTENDED rules; leave it out');
    } else if (
      !Number.isInteger(input.minMinutes) ||
      input.minMinutes < 0 ||
      input.minMinutes > MAX_RULE_MIN_MINUTES
    ) {
      validator.add('minMinutes', `must be a whole number from 0 to ${MAX_RULE_MIN_MINUTES}`);
    }
  }
  if (!isPathway && required.length > 0) {
    validator.add('requiredBadgeIds', 'applies only to PATHWAY rules; leave it out');
  }
  if (isPathway) {
    if (distinct.length < required.length) {
      validator.add('requiredBadgeIds', 'names the same badge more than once');
    } else if (required.length < MIN_PATHWAY_BADGES || required.length > MAX_PATHWAY_BADGES) {
      validator.add(
        'requiredBadgeIds',
        `must name ${MIN_PATHWAY_BADGES} to ${MAX_PATHWAY_BADGES} badges (got ${required.length})`,
      );
    } else if (distinct.includes(input.badgeId)) {
      validator.add('requiredBadgeIds', 'must not include the badge that the pathway awards');
    }
  }
  validator.check();
  return distinct;
}

/**
 * Defines a rule that awards a badge automatically; for those who manage the badge. A badge with
 * several rules (at most five) is awarded when any one of them is met. In the same transaction it
 * awards everyone who already meets the rule, and records the change in the audit log.
 *
 * A pathway requires 2 to 20 other badges of the same issuer (community or district) and is met
 * by holding `threshold` of them (default: all) as active, unexpired awards. ValidationError for
 * bad input, a badge of another issuer, or a pathway that would lead back to its own badge.
 */
// NOTE: activity that commits while the rule is being created, in a transaction that started
// before the rule existed, is counted only at that person's next qualifying event.
export async function createBadgeRule(
  ctx: ServiceContext,
  input: CreateBadgeRuleInput,
): Promise<{ rule: BadgeRuleRow; awardedCount: number }> {
  const viewer = requireViewer(ctx);
  const requiredIds = validateRuleInput(input);
  const badge = await requireManagedBadge(ctx, input.badgeId, 'define its rules');

  return runInTransaction(ctx, async (tx, recorder) => {
    await lockIssuerRules(tx, badge);
    await requireRoomForRule(tx, badge);
    if (input.kind === 'pathway') {
      await requirePathwayBadges(tx, badge, requiredIds);
    }
    const [rule] = await tx
      .insert(badgeRules)
      .values({
        badgeId: badge.id,
        kind: input.kind,
        threshold: input.threshold ?? requiredIds.length,
        minMinutes: input.minMinutes ?? 0,
        createdById: viewer.id,
      })
      .returning();
    if (!rule) {
      throw new Error(`Inserting a rule for badge ${badge.id} returned no row`);
    }
    if (requiredIds.length > 0) {
      await tx
        .insert(badgeRuleBadges)
        .values(requiredIds.map((badgeId) => ({ ruleId: rule.id, badgeId })));
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.badge_rule_created',
      communityId: badge.communityId,
      districtId: badge.districtId,
      details: {
        badgeId: badge.id,
        ruleId: rule.id,
        kind: rule.kind,
        threshold: rule.threshold,
        minMinutes: rule.minMinutes,
        requiredBadgeIds: requiredIds,
      },
    });
    const awardedCount = await awardQualifyingUsers(tx, recorder, withBadge(rule, badge), null);
    return { rule, awardedCount };
  });
}

/**
 * Deletes a rule; for those who manage its badge. Awards it made stay, and their `rule` reads as
 * null. Recorded in the audit log. Returns the badge.
 */
export async function deleteBadgeRule(
  ctx: ServiceContext,
  input: { ruleId: number },
): Promise<BadgeRow> {
  const viewer = requireViewer(ctx);
  const notFound = () =>
    new NotFoundError(`Badge rule ${input.ruleId} not found, or you do not have access to it.`);
  const [found] = await ctx.db
    .select({ badgeId: badgeRules.badgeId })
    .from(badgeRules)
    .where(eq(badgeRules.id, input.ruleId));
  if (!found) {
    throw notFound();
  }
  const badge = await requireManagedBadge(ctx, found.badgeId, 'delete its rules').catch(
    (error: unknown) => {
      throw error instanceof NotFoundError ? notFound() : error;
    },
  );

  return runInTransaction(ctx, async (tx) => {
    const [deleted] = await tx
      .delete(badgeRules)
      .where(eq(badgeRules.id, input.ruleId))
      .returning();
    if (!deleted) {
      throw notFound();
    }
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.badge_rule_deleted',
      communityId: badge.communityId,
      districtId: badge.districtId,
      details: { badgeId: badge.id, ruleId: deleted.id, kind: deleted.kind },
    });
    return badge;
  });
}

async function lockIssuerRules(tx: Transaction, badge: BadgeRow): Promise<void> {
  const issuerKey = badge.communityId ?? -(badge.districtId ?? 0);
  await tx.execute(sql`select pg_advisory_xact_lock(${RULES_LOCK_CLASS}, ${issuerKey})`);
}

async function requireRoomForRule(tx: Transaction, badge: BadgeRow): Promise<void> {
  const [row] = await tx
    .select({ count: count() })
    .from(badgeRules)
    .where(eq(badgeRules.badgeId, badge.id));
  if ((row?.count ?? 0) >= MAX_RULES_PER_BADGE) {
    throw ValidationError.of(
      'badgeId',
      `the badge "${badge.name}" already has ${MAX_RULES_PER_BADGE} rules, the most a badge may have; delete one first`,
    );
  }
}

/**
 * Checks that a pathway's badges exist, share the badge's issuer, and do not lead back to it
 * through their own pathway rules.
 */
async function requirePathwayBadges(
  tx: Transaction,
  badge: BadgeRow,
  requiredIds: number[],
): Promise<void> {
  const found = await tx
    .select({ id: badges.id, communityId: badges.communityId, districtId: badges.districtId })
    .from(badges)
    .where(inArray(badges.id, requiredIds));
  const sameIssuer = new Set(
    found
      .filter(
        (other) => other.communityId === badge.communityId && other.districtId === badge.districtId,
      )
      .map((other) => other.id),
  );
  const foreign = requiredIds.filter((id) => !sameIssuer.has(id));
  if (foreign.length > 0) {
    throw ValidationError.of(
      'requiredBadgeIds',
      `names ${foreign.length === 1 ? 'a badge' : `${foreign.length} badges`} that ${foreign.length === 1 ? 'does' : 'do'} not exist or ${foreign.length === 1 ? 'belongs' : 'belong'} to another ${badge.communityId !== null ? 'community' : 'district'}; a pathway asks only for badges of its own badge's ${badge.communityId !== null ? 'community' : 'district'}`,
    );
  }

  const [loop] = rowsOf(
    await tx.execute(
      sql`with recursive reachable(origin, badge_id) as (
          select r.badge_id, rb.badge_id
          from badge_rules r join badge_rule_badges rb on rb.rule_id = r.id
          where r.badge_id in (${sql.join(
            requiredIds.map((id) => sql`${id}`),
            sql`, `,
          )})
          union
          select x.origin, rb.badge_id
          from reachable x
          join badge_rules r on r.badge_id = x.badge_id
          join badge_rule_badges rb on rb.rule_id = r.id)
        select b.name from reachable x join badges b on b.id = x.origin
        where x.badge_id = ${badge.id}
        order by b.name limit 1`,
    ),
  );
  if (loop) {
    throw ValidationError.of(
      'requiredBadgeIds',
      `would make a cycle: the pathway of "${String(loop.name)}" already asks for "${badge.name}", directly or through other pathways`,
    );
  }
}

function withBadge(rule: BadgeRuleRow, badge: BadgeRow): RuleWithBadge {
  return {
    id: rule.id,
    kind: rule.kind,
    threshold: rule.threshold,
    minMinutes: rule.minMinutes,
    badge: {
      id: badge.id,
      communityId: badge.communityId,
      districtId: badge.districtId,
      validForDays: badge.validForDays,
    },
  };
}

/** One rule of a badge with the viewer's count toward it. */
export interface RuleProgress {
  rule: BadgeRuleRow;
  count: number;
  threshold: number;
}

/**
 * Loads the viewer's count toward each rule of a badge, oldest rule first, counted as the rules
 * count. Null when signed out.
 */
export async function loadViewerRuleProgress(
  ctx: ServiceContext,
  badge: Pick<BadgeRow, 'id' | 'communityId' | 'districtId' | 'validForDays'>,
): Promise<RuleProgress[] | null> {
  if (!ctx.viewer) {
    return null;
  }
  const rules = await ctx.db
    .select()
    .from(badgeRules)
    .where(eq(badgeRules.badgeId, badge.id))
    .orderBy(asc(badgeRules.id));
  const progress: RuleProgress[] = [];
  for (const rule of rules) {
    const counted = { ...rule, badge };
    const [row] = rowsOf(await ctx.db.execute(userCountSql(counted, ctx.viewer.id)));
    progress.push({ rule, count: Number(row?.n ?? 0), threshold: rule.threshold });
  }
  return progress;
}

const pluralRules = new Intl.PluralRules('en-US');

function countOf(value: number, singular: string, plural: string): string {
  return `${value} ${pluralRules.select(value) === 'one' ? singular : plural}`;
}

/** Joins names as "A", "A and B" or "A, B and C". */
function listOf(names: string[]): string {
  if (names.length <= 1) {
    return names.join('');
  }
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Describes a rule in one sentence, such as "Attend 3 live sessions for at least 30 minutes
 * each." `requiredBadgeNames` are a pathway's badges.
 */
export function describeBadgeRule(
  rule: Pick<BadgeRuleRow, 'kind' | 'threshold' | 'minMinutes'>,
  requiredBadgeNames: string[] = [],
): string {
  switch (rule.kind) {
    case 'sessions_attended': {
      const sessions = `Attend ${countOf(rule.threshold, 'live session', 'live sessions')}`;
      if (rule.minMinutes <= 1) {
        return `${sessions}.`;
      }
      const minutes = countOf(rule.minMinutes, 'minute', 'minutes');
      return `${sessions} for at least ${minutes}${rule.threshold === 1 ? '' : ' each'}.`;
    }
    case 'replies_posted':
      return `Post ${countOf(rule.threshold, 'reply', 'replies')}.`;
    case 'threads_started':
      return `Start ${countOf(rule.threshold, 'thread', 'threads')}.`;
    case 'reactions_received':
      return `Receive ${countOf(rule.threshold, 'reaction', 'reactions')} from others on your replies.`;
    case 'pathway': {
      const names = listOf(requiredBadgeNames.map((name) => `“${name}”`));
      return rule.threshold >= requiredBadgeNames.length
        ? `Earn all of these badges: ${names}.`
        : `Earn ${rule.threshold} of these ${requiredBadgeNames.length} badges: ${names}.`;
    }
  }
}

/** Describes a stored rule, loading a pathway's badge names. */
export async function summarizeBadgeRule(db: Executor, rule: BadgeRuleRow): Promise<string> {
  if (rule.kind !== 'pathway') {
    return describeBadgeRule(rule);
  }
  const required = await db
    .select({ name: badges.name })
    .from(badgeRuleBadges)
    .innerJoin(badges, eq(badges.id, badgeRuleBadges.badgeId))
    .where(eq(badgeRuleBadges.ruleId, rule.id))
    .orderBy(asc(badges.name));
  return describeBadgeRule(
    rule,
    required.map((row) => row.name),
  );
}
