/**
 * The SQL behind community and district analytics. Each query aggregates in the database and
 * returns a few rows, whatever the amount of activity: a report runs three statements for a
 * community and four for a district. docs/analytics.md defines each figure.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../drizzle/db.ts';
import { rowsOf } from '../../drizzle/db.ts';
import type { AnalyticsPeriod, Interval } from './analytics-period.ts';

export type AnalyticsScope =
  | { kind: 'community'; communityId: number }
  | { kind: 'district'; districtId: number };

/** Kinds of activity rows, and `active`: the rows that make someone an active member. */
export type FactKind = 'thread' | 'reply' | 'chat' | 'attendance' | 'badge' | 'member' | 'active';

/** Aggregates of one kind of activity row over one period, bucket or school. */
export interface FactAggregate {
  rows: number;
  /** Distinct people, leaving out rows whose author's account was deleted. */
  people: number;
  /** Credited attendance minutes; 0 for other kinds. */
  minutes: number;
  /** Distinct live sessions; 0 for other kinds. */
  sessions: number;
}

export interface FactAggregates {
  current: Map<FactKind, FactAggregate>;
  previous: Map<FactKind, FactAggregate>;
  /** By bucket key (YYYY-MM-DD), then kind; current period only. */
  byBucket: Map<string, Map<FactKind, FactAggregate>>;
  /** By school id, 0 for staff without a school of the district, then kind; current period only. */
  bySchool: Map<number, Map<FactKind, FactAggregate>>;
}

export interface QuestionAggregate {
  questions: number;
  askers: number;
  answered: number;
  replied: number;
  repliedAskers: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface SchoolStaff {
  /** 0 for staff without a school of the district. */
  schoolId: number;
  name: string | null;
  staff: number;
}

const ACTIVE_KINDS = sql.raw(`('thread', 'reply', 'chat', 'attendance')`);

function instant(date: Date): SQL {
  return sql`${date.toISOString()}::timestamptz`;
}

function within(column: string, window: Interval): SQL {
  return sql`${sql.raw(column)} >= ${instant(window.from)} and ${sql.raw(column)} < ${instant(window.to)}`;
}

/**
 * Builds the condition that keeps a row in scope: its community, or a person of the district's
 * staff.
 */
function inScope(scope: AnalyticsScope, communityColumn: string, personColumn: string): SQL {
  if (scope.kind === 'community') {
    return sql`${sql.raw(communityColumn)} = ${scope.communityId}`;
  }
  return sql`${sql.raw(personColumn)} in (select su.id from users su where su.district_id = ${scope.districtId})`;
}

/**
 * Builds the activity rows of a scope within a window, one per thread, reply, chat message,
 * attendance, badge award and new member. Removed and held content is left out, and so are chat
 * messages that someone other than their author deleted.
 */
function factsOf(scope: AnalyticsScope, window: Interval): SQL {
  const newMembers =
    scope.kind === 'community'
      ? sql`select 'member'::text, m.user_id, m.created_at, 0, null::int from memberships m
          where m.community_id = ${scope.communityId} and m.status = 'active'
            and ${within('m.created_at', window)}`
      : sql`select 'member'::text, u.id, u.created_at, 0, null::int from users u
          where u.district_id = ${scope.districtId} and ${within('u.created_at', window)}`;
  return sql`
    select 'thread'::text as kind, t.author_id as person_id, t.created_at as at, 0 as amount,
        null::int as session_id
      from threads t
      where ${inScope(scope, 't.community_id', 't.author_id')} and t.removed_at is null
        and t.held_at is null and ${within('t.created_at', window)}
    union all
    select 'reply'::text, p.author_id, p.created_at, 0, null::int
      from posts p join threads t on t.id = p.thread_id
      where ${inScope(scope, 't.community_id', 'p.author_id')} and p.removed_at is null
        and p.held_at is null and t.removed_at is null and t.held_at is null
        and ${within('p.created_at', window)}
    union all
    select 'chat'::text, c.author_id, c.created_at, 0, null::int
      from chat_messages c join live_sessions s on s.id = c.live_session_id
      where ${inScope(scope, 's.community_id', 'c.author_id')}
        and (c.deleted_by_id is null or c.deleted_by_id = c.author_id)
        and ${within('c.created_at', window)}
    union all
    select 'attendance'::text, a.user_id, coalesce(s.started_at, s.starts_at),
        coalesce(a.adjusted_minutes, round(a.seconds_present / 60.0))::int, s.id
      from live_attendance a join live_sessions s on s.id = a.live_session_id
      where ${inScope(scope, 's.community_id', 'a.user_id')} and s.status = 'ended'
        and coalesce(a.adjusted_minutes, round(a.seconds_present / 60.0)) > 0
        and ${within('coalesce(s.started_at, s.starts_at)', window)}
    union all
    select 'badge'::text, w.recipient_id, w.awarded_at, 0, null::int
      from badge_awards w join badges b on b.id = w.badge_id
      where ${inScope(scope, 'b.community_id', 'w.recipient_id')} and w.status <> 'revoked'
        and ${within('w.awarded_at', window)}
    union all
    ${newMembers}`;
}

function emptyAggregates(): FactAggregates {
  return { current: new Map(), previous: new Map(), byBucket: new Map(), bySchool: new Map() };
}

function entryOf<K, V>(map: Map<K, Map<FactKind, V>>, key: K): Map<FactKind, V> {
  let entry = map.get(key);
  if (!entry) {
    entry = new Map();
    map.set(key, entry);
  }
  return entry;
}

/**
 * Sums one level of the tagged rows (period, bucket or school) in two steps: per person first,
 * then per key. Both steps are plain groupings that PostgreSQL can hash, where one grouping
 * with count(distinct …) would sort every row once per level.
 */
function levelOf(level: string, column: string, keyText: string, where: string): SQL {
  return sql.raw(`select '${level}' as level, kind, ${keyText} as key, sum(rows)::int as row_count,
      count(person_id)::int as people, coalesce(sum(minutes), 0)::int as minutes,
      0 as sessions
    from (select kind, ${column} as level_key, person_id, count(*) as rows,
        sum(amount) as minutes
      from tagged where ${where} group by 1, 2, 3) per_person
    group by kind, level_key`);
}

/**
 * Aggregates the activity of the period and of the previous period in one statement: totals per
 * period, and for the period per bucket and per school. For a community every person falls in
 * school 0. Rows of kind `sessions` carry the number of distinct live sessions behind the
 * attendance of the same level and key.
 */
export async function loadFactAggregates(
  db: Executor,
  scope: AnalyticsScope,
  period: AnalyticsPeriod,
): Promise<FactAggregates> {
  // Only a district's report has schools, so a community's skips the lookup of each person.
  const schoolJoin =
    scope.kind === 'district'
      ? sql`left join users u on u.id = f.person_id
          left join schools sc on sc.id = u.school_id and sc.district_id = ${scope.districtId}`
      : sql``;
  const schoolId = scope.kind === 'district' ? sql`sc.id` : sql`null::int`;
  const result = await db.execute(sql`
    with facts as (${factsOf(scope, { from: period.previous.from, to: period.to })}),
    tagged as materialized (
      select f.kind, f.person_id, f.amount, f.session_id,
        f.at >= ${instant(period.from)} as is_current,
        case when f.at >= ${instant(period.from)}
          then date_trunc(${period.bucket}, f.at at time zone 'UTC') end as bucket,
        case when f.at >= ${instant(period.from)} then coalesce(${schoolId}, 0) end as school_key
      from (
        select kind, person_id, at, amount, session_id from facts
        union all
        select 'active'::text, person_id, at, 0, null::int from facts
          where kind in ${ACTIVE_KINDS}
      ) f
      ${schoolJoin}
    )
    select level, kind, key, row_count, people, minutes, sessions from (
      ${levelOf('period', 'is_current', 'level_key::text', 'true')}
      union all
      ${levelOf('bucket', 'bucket', "to_char(level_key, 'YYYY-MM-DD')", 'bucket is not null')}
      union all
      ${levelOf('school', 'school_key', 'level_key::text', 'school_key is not null')}
      union all
      select 'period', 'sessions', is_current::text, 0, 0, 0, count(distinct session_id)::int
        from tagged where kind = 'attendance' group by is_current
      union all
      select 'bucket', 'sessions', to_char(bucket, 'YYYY-MM-DD'), 0, 0, 0,
          count(distinct session_id)::int
        from tagged where kind = 'attendance' and bucket is not null group by bucket
      union all
      select 'school', 'sessions', school_key::text, 0, 0, 0, count(distinct session_id)::int
        from tagged where kind = 'attendance' and school_key is not null group by school_key
    ) levels`);

  const aggregates = emptyAggregates();
  const sessions: { level: string; key: string; count: number }[] = [];
  const levelMap = (level: string, key: string): Map<FactKind, FactAggregate> => {
    if (level === 'period') {
      return key === 'true' ? aggregates.current : aggregates.previous;
    }
    return level === 'bucket'
      ? entryOf(aggregates.byBucket, key)
      : entryOf(aggregates.bySchool, Number(key));
  };
  for (const row of rowsOf(result)) {
    const level = String(row.level);
    const key = String(row.key);
    if (row.kind === 'sessions') {
      sessions.push({ level, key, count: Number(row.sessions) });
      continue;
    }
    levelMap(level, key).set(String(row.kind) as FactKind, {
      rows: Number(row.row_count),
      people: Number(row.people),
      minutes: Number(row.minutes),
      sessions: 0,
    });
  }
  for (const { level, key, count } of sessions) {
    const attendance = levelMap(level, key).get('attendance');
    if (attendance) {
      attendance.sessions = count;
    }
  }
  return aggregates;
}

function questionsOf(scope: AnalyticsScope, period: AnalyticsPeriod): SQL {
  // A question's first reply and accepted answer count when written before its period's end.
  const periodEnd = sql`case when t.created_at >= ${instant(period.from)}
    then ${instant(period.to)} else ${instant(period.from)} end`;
  return sql`
    select t.author_id, t.created_at >= ${instant(period.from)} as is_current,
      exists (select 1 from posts ap where ap.id = t.accepted_post_id
        and ap.created_at < ${periodEnd}) as answered,
      extract(epoch from (r.first_reply_at - t.created_at))::float8 as response_seconds
    from threads t
    left join lateral (
      select min(p.created_at) as first_reply_at from posts p
      where p.thread_id = t.id and p.author_id is not null
        and p.author_id is distinct from t.author_id
        and p.removed_at is null and p.held_at is null and p.created_at < ${periodEnd}
    ) r on true
    where t.kind = 'question' and ${inScope(scope, 't.community_id', 't.author_id')}
      and t.removed_at is null and t.held_at is null
      and ${within('t.created_at', { from: period.previous.from, to: period.to })}`;
}

/** Aggregates question threads of the period and of the previous period, keyed by is-current. */
export async function loadQuestionAggregates(
  db: Executor,
  scope: AnalyticsScope,
  period: AnalyticsPeriod,
): Promise<Map<boolean, QuestionAggregate>> {
  const result = await db.execute(sql`
    select q.is_current, count(*)::int as questions,
      count(distinct q.author_id)::int as askers,
      count(*) filter (where q.answered)::int as answered,
      count(q.response_seconds)::int as replied,
      count(distinct q.author_id) filter (where q.response_seconds is not null)::int
        as replied_askers,
      percentile_disc(0.5) within group (order by q.response_seconds) as median_seconds,
      percentile_disc(0.9) within group (order by q.response_seconds) as p90_seconds
    from (${questionsOf(scope, period)}) q
    group by q.is_current`);
  const aggregates = new Map<boolean, QuestionAggregate>();
  for (const row of rowsOf(result)) {
    aggregates.set(Boolean(row.is_current), {
      questions: Number(row.questions),
      askers: Number(row.askers),
      answered: Number(row.answered),
      replied: Number(row.replied),
      repliedAskers: Number(row.replied_askers),
      medianSeconds: row.median_seconds === null ? null : Number(row.median_seconds),
      p90Seconds: row.p90_seconds === null ? null : Number(row.p90_seconds),
    });
  }
  return aggregates;
}

/** Counts evidence submissions pending review now, and the distinct people who sent them. */
export async function loadPendingReviews(
  db: Executor,
  scope: AnalyticsScope,
): Promise<{ submissions: number; people: number }> {
  const [row] = rowsOf(
    await db.execute(sql`
      select count(*)::int as submissions, count(distinct e.user_id)::int as people
      from evidence_submissions e join badges b on b.id = e.badge_id
      where e.status = 'pending' and ${inScope(scope, 'b.community_id', 'e.user_id')}`),
  );
  return { submissions: Number(row?.submissions ?? 0), people: Number(row?.people ?? 0) };
}

/**
 * Counts a district's staff per school of the district, by school name, with a last row of id 0
 * for staff without a school of the district.
 */
export async function loadSchoolStaff(db: Executor, districtId: number): Promise<SchoolStaff[]> {
  const result = await db.execute(sql`
    select s.id as school_id, s.name, (select count(*)::int from users u
        where u.district_id = ${districtId} and u.school_id = s.id) as staff, 0 as position
      from schools s where s.district_id = ${districtId}
    union all
    select 0, null, count(*)::int, 1 from users u
      where u.district_id = ${districtId} and (u.school_id is null
        or u.school_id not in (select id from schools where district_id = ${districtId}))
    order by position, name, school_id`);
  return rowsOf(result).map((row) => ({
    schoolId: Number(row.school_id),
    name: row.name === null ? null : String(row.name),
    staff: Number(row.staff),
  }));
}
