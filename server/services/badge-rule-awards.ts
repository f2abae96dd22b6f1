import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import { rowsOf, type Transaction } from '../../drizzle/db.ts';
import { badgeRuleBadges, badgeRules, badges } from '../../drizzle/tables/index.ts';
import {
  type Candidates,
  type CountedRule,
  qualifyingUsersSql,
  type RuleKind,
  userIdList,
} from './badge-rule-counts.ts';
import { type EventRecorder, lockEventOrder, topics } from './context.ts';

/** A rule with what granting its badge needs. */
export interface RuleWithBadge extends CountedRule {
  badge: CountedRule['badge'] & { validForDays: number | null };
}

/**
 * An event that may bring people to a rule's threshold, with the people it concerns. These are the
 * author of a new thread or reply, the author of a post that got a reaction, the attendees of a
 * live session (one of them when `userId` is set), or the recipients of a badge.
 */
export type RuleEvent =
  | {
      kind: 'thread_started' | 'reply_posted' | 'reaction_added';
      communityId: number;
      userId: number;
    }
  | { kind: 'attendance_changed'; liveSessionId: number; userId?: number }
  | { kind: 'badge_awarded'; badgeId: number; userIds: number[] };

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
  switch (event.kind) {
    case 'attendance_changed':
      return event.userId === undefined
        ? sql`select a.user_id from live_attendance a where a.live_session_id = ${event.liveSessionId}`
        : userIdList([event.userId]);
    case 'badge_awarded':
      return idArray(event.userIds);
    default:
      return userIdList([event.userId]);
  }
}

/** Builds a subquery of the given ids that takes one parameter however many there are. */
function idArray(ids: number[]): SQL {
  return sql`select unnest(string_to_array(${ids.join(',')}, ',')::int[])`;
}

/**
 * Awards, in the caller's transaction, the badges whose rules the people an event concerns now
 * meet. A badge with several rules is awarded when any one of them is met. When no rule can apply
 * this costs one indexed query; otherwise one counting query per rule, plus the grants. Awards in
 * turn check the pathway rules that require their badge, so pathways of pathways follow.
 */
export async function applyBadgeRules(
  tx: Transaction,
  recorder: EventRecorder,
  event: RuleEvent,
): Promise<void> {
  if (event.kind === 'badge_awarded' && event.userIds.length === 0) {
    return;
  }
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
 * its badge, and awards it to all of them set-based. Returns how many awards it made.
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
  if (userIds.length === 0) {
    return 0;
  }
  const awarded = await grantRuleAwards(tx, recorder, rule, userIds);
  await applyBadgeRules(tx, recorder, {
    kind: 'badge_awarded',
    badgeId: rule.badge.id,
    userIds: awarded.map((award) => award.recipientId),
  });
  return awarded.length;
}

/**
 * Gives a rule's badge to many people with a few statements, as grantAward in badge.ts does for
 * one: closes their expired awards of it, inserts the awards (the partial unique index skips
 * anyone who has an active one, also against other processes), records BADGE_AWARDED on the
 * community's feed and notifies each recipient. Change the two together.
 */
async function grantRuleAwards(
  tx: Transaction,
  recorder: EventRecorder,
  rule: RuleWithBadge,
  userIds: number[],
): Promise<{ id: number; recipientId: number }[]> {
  const { badge } = rule;
  const recipients = idArray(userIds);
  await tx.execute(
    sql`update badge_awards set status = 'expired'
      where badge_id = ${badge.id} and status = 'active' and expires_at <= now()
        and recipient_id in (${recipients})`,
  );
  const expiresAt =
    badge.validForDays === null
      ? sql`null`
      : sql`now() + make_interval(days => ${badge.validForDays})`;
  const awarded = rowsOf(
    await tx.execute(
      sql`insert into badge_awards (badge_id, recipient_id, awarded_by_id, source, rule_id, expires_at)
        select ${badge.id}, r.id, null, 'rule', ${rule.id}, ${expiresAt}
        from (${recipients}) as r(id)
        order by r.id
        on conflict do nothing
        returning id, recipient_id`,
    ),
  ).map((row) => ({ id: Number(row.id), recipientId: Number(row.recipient_id) }));
  if (awarded.length === 0) {
    return awarded;
  }

  if (badge.communityId !== null) {
    const feed = topics.community(badge.communityId);
    await recorder.recordMany(
      awarded.map((award) => ({
        topic: feed,
        type: 'badge_awarded',
        payload: { awardId: award.id },
      })),
    );
  }
  const issuer =
    badge.communityId !== null
      ? sql`'communityId', ${badge.communityId}::int`
      : sql`'districtId', ${badge.districtId}::int`;
  const sent = rowsOf(
    await tx.execute(
      sql`insert into notifications (user_id, kind, subject)
        select a.recipient_id, 'badge_awarded', jsonb_build_object(${issuer}, 'badgeId', a.badge_id, 'awardId', a.id)
        from badge_awards a
        where a.id in (${idArray(awarded.map((award) => award.id))})
        order by a.id
        returning id, user_id`,
    ),
  );
  await recorder.recordMany(
    sent.map((row) => ({
      topic: topics.user(Number(row.user_id)),
      type: 'notification',
      payload: { notificationId: Number(row.id) },
    })),
  );
  return awarded;
}
