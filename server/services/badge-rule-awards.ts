import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import { rowsOf, type Transaction } from '../../drizzle/db.ts';
import { badgeRuleBadges, badgeRules, badges } from '../../drizzle/tables/index.ts';
import { grantAward } from './badge.ts';
import {
  type Candidates,
  type CountedRule,
  qualifyingUsersSql,
  type RuleKind,
  userIdList,
} from './badge-rule-counts.ts';
import { type EventRecorder, lockEventOrder } from './context.ts';

/** A rule with what granting its badge needs. */
export interface RuleWithBadge extends CountedRule {
  badge: CountedRule['badge'] & { validForDays: number | null };
}

/**
 * An event that may bring people to a rule's threshold, with the people it concerns. These are the
 * author of a new thread or reply, the author of a post that got a reaction, the attendees of a
 * live session (one of them when `userId` is set), or the recipient of a badge.
 */
export type RuleEvent =
  | {
      kind: 'thread_started' | 'reply_posted' | 'reaction_added';
      communityId: number;
      userId: number;
    }
  | { kind: 'attendance_changed'; liveSessionId: number; userId?: number }
  | { kind: 'badge_awarded'; badgeId: number; userId: number };

const RULE_KIND_OF: Record<RuleEvent['kind'], RuleKind> = {
  thread_started: 'threads_started',
  reply_posted: 'replies_posted',
  reaction_added: 'reactions_received',
  attendance_changed: 'sessions_attended',
  badge_awarded: 'pathway',
};

const ruleColumns = {
  id: badgeRules.id,
  kind: badgeRules.kind,
  threshold: badgeRules.threshold,
  minMinutes: badgeRules.minMinutes,
  badge: {
    id: badges.id,
    communityId: badges.communityId,
    districtId: badges.districtId,
    validForDays: badges.validForDays,
  },
};

/**
 * Loads the rules an event may satisfy, in one indexed query. For activity, these are the rules of
 * its kind on badges of the community or of the community's district. For an award, they are the
 * pathway rules that require the badge.
 */
async function loadTriggeredRules(tx: Transaction, event: RuleEvent): Promise<RuleWithBadge[]> {
  if (event.kind === 'badge_awarded') {
    return tx
      .select(ruleColumns)
      .from(badgeRuleBadges)
      .innerJoin(badgeRules, eq(badgeRules.id, badgeRuleBadges.ruleId))
      .innerJoin(badges, eq(badges.id, badgeRules.badgeId))
      .where(eq(badgeRuleBadges.badgeId, event.badgeId))
      .orderBy(badgeRules.id);
  }
  const communityId: SQL | number =
    event.kind === 'attendance_changed'
      ? sql`(select s.community_id from live_sessions s where s.id = ${event.liveSessionId})`
      : event.communityId;
  return tx
    .select(ruleColumns)
    .from(badgeRules)
    .innerJoin(badges, eq(badges.id, badgeRules.badgeId))
    .where(
      and(
        eq(badgeRules.kind, RULE_KIND_OF[event.kind]),
        or(
          eq(badges.communityId, communityId),
          eq(
            badges.districtId,
            sql`(select c.district_id from communities c where c.id = ${communityId})`,
          ),
        ),
      ),
    )
    .orderBy(badgeRules.id);
}

function candidatesOf(event: RuleEvent): SQL {
  if (event.kind === 'attendance_changed' && event.userId === undefined) {
    return sql`select a.user_id from live_attendance a where a.live_session_id = ${event.liveSessionId}`;
  }
  return userIdList([event.userId as number]);
}

/**
 * Awards, in the caller's transaction, the badges whose rules the people an event concerns now
 * meet. A badge with several rules is awarded when any one of them is met. When no rule can apply
 * this costs one indexed query; otherwise one counting query per rule, plus the grants. Each grant
 * in turn checks the pathway rules that ask for the badge, so pathways of pathways follow.
 */
export async function applyBadgeRules(
  tx: Transaction,
  recorder: EventRecorder,
  event: RuleEvent,
): Promise<void> {
  const rules = await loadTriggeredRules(tx, event);
  if (rules.length === 0) {
    return;
  }
  const candidates = candidatesOf(event);
  for (const rule of rules) {
    await awardQualifyingUsers(tx, recorder, rule, candidates);
  }
}

/**
 * Finds, in one statement, the candidates (everyone when null) who meet a rule and may be awarded
 * its badge, and grants it to each. Returns how many awards it made.
 */
export async function awardQualifyingUsers(
  tx: Transaction,
  recorder: EventRecorder,
  rule: RuleWithBadge,
  candidates: Candidates,
): Promise<number> {
  // Counting runs under the event-order lock, which every transaction that evaluates rules takes
  // and holds until it commits, so each count includes the activity of every earlier evaluator.
  await lockEventOrder(tx);
  const userIds = rowsOf(await tx.execute(qualifyingUsersSql(rule, candidates))).map((row) =>
    Number(row.user_id),
  );
  let awarded = 0;
  for (const recipientId of userIds) {
    const award = await grantAward(tx, recorder, rule.badge, {
      recipientId,
      awardedById: null,
      source: 'rule',
      ruleId: rule.id,
    });
    if (award) {
      awarded += 1;
    }
  }
  return awarded;
}
