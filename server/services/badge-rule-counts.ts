import { type SQL, sql } from 'drizzle-orm';
import type { badgeRules, badges } from '../../drizzle/tables/index.ts';

export type RuleKind = (typeof badgeRules.$inferSelect)['kind'];

/** The fields of a rule, and of the badge it awards, that the counting queries read. */
export interface CountedRule {
  id: number;
  kind: RuleKind;
  threshold: number;
  minMinutes: number;
  badge: Pick<typeof badges.$inferSelect, 'id' | 'communityId' | 'districtId'>;
}

/**
 * The people a query looks at: an SQL list of user ids or a subquery that selects them, placed
 * inside `in (...)`. Null looks at everyone.
 */
export type Candidates = SQL | null;

/** Builds the SQL list of user ids for `Candidates`; `ids` must not be empty. */
export function userIdList(ids: number[]): SQL {
  return sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
}

function candidateFilter(column: SQL, candidates: Candidates): SQL {
  return candidates === null ? sql`` : sql`and ${column} in (${candidates})`;
}

/**
 * Builds the condition that a community id column is in the badge's scope: its community, or
 * every community of its district.
 */
function inScope(column: SQL, badge: CountedRule['badge']): SQL {
  return badge.communityId !== null
    ? sql`${column} = ${badge.communityId}`
    : sql`${column} in (select c.id from communities c where c.district_id = ${badge.districtId})`;
}

/**
 * Builds the condition that a person may hold the badge: active member or district staff. The
 * status test is written so that no index on status applies, which leaves the unique index on
 * (community_id, user_id). PGlite runs no autovacuum, so its tables may have no statistics, and
 * the planner would otherwise probe the (community_id, status) index, reading every member's row
 * for each candidate.
 */
function eligible(column: SQL, badge: CountedRule['badge']): SQL {
  return badge.communityId !== null
    ? sql`exists (select 1 from memberships m where m.community_id = ${badge.communityId} and m.user_id = ${column} and (m.status = 'active') is true)`
    : sql`exists (select 1 from users u where u.id = ${column} and u.district_id = ${badge.districtId})`;
}

/**
 * Builds the `award_history` query, with one row per person who was ever given the badge.
 * `since` is when their latest expired award was given, because only activity after it counts
 * toward earning the badge again. `holding` is true while they hold an active, unexpired award.
 * `revoked_last` is true when their latest award was revoked, and then rules do not award it again.
 */
function awardHistory(badgeId: number, candidates: Candidates): SQL {
  return sql`select recipient_id,
      max(awarded_at) filter (where status = 'expired' or (status = 'active' and expires_at <= now())) as since,
      bool_or(status = 'active' and (expires_at is null or expires_at > now())) as holding,
      (array_agg(status order by id desc))[1] = 'revoked' as revoked_last
    from badge_awards
    where badge_id = ${badgeId} ${candidateFilter(sql`recipient_id`, candidates)}
    group by recipient_id`;
}

/**
 * Builds the query of `(user_id, n)`: each person's count toward the rule, for everyone with a
 * count above 0. It reads the `award_history` query as a CTE.
 */
function activityCounts(rule: CountedRule, candidates: Candidates): SQL {
  const { badge } = rule;
  switch (rule.kind) {
    // Every post is a reply: a thread's opening text is stored on the thread itself.
    case 'replies_posted':
      return sql`select p.author_id as user_id, count(*)::int as n
        from posts p
        join threads t on t.id = p.thread_id
        left join award_history h on h.recipient_id = p.author_id
        where ${inScope(sql`t.community_id`, badge)} and p.deleted_at is null
          and p.author_id is not null and (h.since is null or p.created_at > h.since)
          ${candidateFilter(sql`p.author_id`, candidates)}
        group by p.author_id`;
    // Threads are never deleted, only their replies.
    case 'threads_started':
      return sql`select t.author_id as user_id, count(*)::int as n
        from threads t
        left join award_history h on h.recipient_id = t.author_id
        where ${inScope(sql`t.community_id`, badge)} and t.author_id is not null
          and (h.since is null or t.created_at > h.since)
          ${candidateFilter(sql`t.author_id`, candidates)}
        group by t.author_id`;
    case 'reactions_received':
      return sql`select p.author_id as user_id, count(*)::int as n
        from reactions r
        join posts p on p.id = r.post_id
        join threads t on t.id = p.thread_id
        left join award_history h on h.recipient_id = p.author_id
        where ${inScope(sql`t.community_id`, badge)} and p.deleted_at is null
          and p.author_id is not null and r.user_id <> p.author_id
          and (h.since is null or r.created_at > h.since)
          ${candidateFilter(sql`p.author_id`, candidates)}
        group by p.author_id`;
    // Credited minutes as the attendance report computes them: the host's adjusted minutes when
    // set, else the measured seconds rounded to the nearest minute. A session counts once ended.
    // NOTE: heartbeats take no lock that ending a session waits for, so seconds from a last
    // heartbeat that commits just after the end are counted at the person's next attendance event.
    case 'sessions_attended':
      return sql`select a.user_id, count(*)::int as n
        from live_attendance a
        join live_sessions s on s.id = a.live_session_id
        left join award_history h on h.recipient_id = a.user_id
        where ${inScope(sql`s.community_id`, badge)} and s.status = 'ended'
          and coalesce(a.adjusted_minutes, round(a.seconds_present / 60.0)) >= ${Math.max(rule.minMinutes, 1)}
          and (h.since is null or coalesce(s.ended_at, s.ends_at) > h.since)
          ${candidateFilter(sql`a.user_id`, candidates)}
        group by a.user_id`;
    // Held badges are a state, not activity, so the `since` bound does not apply.
    case 'pathway':
      return sql`select w.recipient_id as user_id, count(distinct w.badge_id)::int as n
        from badge_awards w
        join badge_rule_badges rb on rb.badge_id = w.badge_id and rb.rule_id = ${rule.id}
        where w.status = 'active' and (w.expires_at is null or w.expires_at > now())
          ${candidateFilter(sql`w.recipient_id`, candidates)}
        group by w.recipient_id`;
  }
}

/**
 * Builds one statement that selects, in user id order, every candidate who meets the rule and
 * may be awarded its badge now: eligible, not holding an active award of it, and whose latest
 * award of it was not revoked.
 */
export function qualifyingUsersSql(rule: CountedRule, candidates: Candidates): SQL {
  return sql`with award_history as (${awardHistory(rule.badge.id, candidates)}),
      counts as (${activityCounts(rule, candidates)})
    select c.user_id
    from counts c
    left join award_history h on h.recipient_id = c.user_id
    where c.n >= ${rule.threshold} and h.holding is not true and h.revoked_last is not true
      and ${eligible(sql`c.user_id`, rule.badge)}
    order by c.user_id`;
}

/** Builds the statement that selects one person's count toward the rule (no row for 0). */
export function userCountSql(rule: CountedRule, userId: number): SQL {
  const candidates = userIdList([userId]);
  return sql`with award_history as (${awardHistory(rule.badge.id, candidates)}),
      counts as (${activityCounts(rule, candidates)})
    select n from counts`;
}
