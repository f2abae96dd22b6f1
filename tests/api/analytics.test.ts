/**
 * Community and district analytics over the API and the CSV download. The data is inserted
 * with chosen timestamps in January 2026, so that every figure is known by construction: the
 * period is the two ISO weeks from Monday 2026-01-05, and the previous period the two weeks
 * before. The minimum group size is the default, 5.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rowsOf } from '../../drizzle/db.ts';
import { users } from '../../drizzle/tables/index.ts';
import { createAuthSession } from '../../server/services/account.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { type Json, startTestServer, type TestServer } from '../helpers/server.ts';

const FIGURE = 'value suppressed lessThan';
const ACTIVITY = `activeMembers { ${FIGURE} } newMembers { ${FIGURE} } threads { ${FIGURE} }
  replies { ${FIGURE} } chatMessages { ${FIGURE} } liveSessions { ${FIGURE} }
  attendees { ${FIGURE} } pdHours { ${FIGURE} } badgesAwarded { ${FIGURE} }`;
const FIGURES = `${ACTIVITY} questions { ${FIGURE} } answeredQuestions { ${FIGURE} }
  answeredShare { ${FIGURE} } responseMedianSeconds { ${FIGURE} } responseP90Seconds { ${FIGURE} }`;
const REPORT = `from to bucket previousFrom minGroupSize csvUrl
  current { ${FIGURES} } previous { ${FIGURES} } reviewsPending { ${FIGURE} }
  trend { from to figures { ${ACTIVITY} } }`;
const ERRORS = `... on Error { __typename message } ... on ValidationError { issues { path message } }`;
const COMMUNITY_ANALYTICS = `query($id: ID!, $period: AnalyticsPeriodInput!) { node(id: $id) {
  ... on Community { analytics(period: $period) { __typename ${ERRORS}
    ... on CommunityAnalytics { ${REPORT} } } } } }`;
const DISTRICT_ANALYTICS = `query($id: ID!, $period: AnalyticsPeriodInput!) { node(id: $id) {
  ... on District { analytics(period: $period) { __typename ${ERRORS}
    ... on DistrictAnalytics { ${REPORT} staff { ${FIGURE} }
      bySchool { school { id name } schoolName staff { ${FIGURE} } figures { ${ACTIVITY} } } } } } } }`;

const PERIOD = { from: '2026-01-05T00:00:00.000Z', to: '2026-01-19T00:00:00.000Z', bucket: 'WEEK' };

/** A figure as the API returns it. */
const shown = (value: number) => ({ value, suppressed: false, lessThan: null });
const SUPPRESSED = { value: null, suppressed: true, lessThan: 5 };

/** Parses RFC 4180 CSV as the download writes it, where no cell contains a quote or a line break. */
function parseCsv(text: string): string[][] {
  return text
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => line.split(','));
}

/** Returns the value cell of the CSV row with that section, school and figure, and start. */
function csvValue(
  rows: string[][],
  section: string,
  figure: string,
  options: { school?: string; from?: string } = {},
): string | undefined {
  return rows.find(
    (row) =>
      row[0] === section &&
      row[4] === figure &&
      (options.school === undefined || row[3] === options.school) &&
      (options.from === undefined || row[1] === options.from),
  )?.[5];
}

describe.each(await databaseKinds())('analytics on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  const ids: Record<string, number> = {};
  const tokens: Record<string, string> = {};

  async function insert(statement: SQL): Promise<number> {
    const [row] = rowsOf(await server.database.db.execute(statement));
    return Number(row?.id);
  }

  async function person(
    name: string,
    fields: { districtId?: number; schoolId?: number; token?: boolean } = {},
  ): Promise<number> {
    const [user] = await server.database.db
      .insert(users)
      .values({
        email: `${name.toLowerCase()}-${kind}@example.org`,
        displayName: name,
        districtId: fields.districtId ?? null,
        schoolId: fields.schoolId ?? null,
        createdAt: '2025-06-01T00:00:00.000Z',
      })
      .returning();
    if (!user) {
      throw new Error(`Inserting ${name} returned no row`);
    }
    ids[name] = user.id;
    if (fields.token) {
      tokens[name] = (await createAuthSession(server.database.db, user, 'bearer')).token;
    }
    return user.id;
  }

  const id = (name: string) => {
    const value = ids[name];
    if (value === undefined) {
      throw new Error(`No row named ${name}`);
    }
    return value;
  };

  async function thread(
    name: string,
    author: string,
    at: string,
    options: { community?: string; kind?: string; removed?: boolean; held?: boolean } = {},
  ): Promise<void> {
    ids[name] = await insert(sql`insert into threads (community_id, author_id, title, body, kind,
        created_at, removed_at, held_at)
      values (${id(options.community ?? 'circle')}, ${id(author)}, ${name}, 'Body',
        ${options.kind ?? 'discussion'}, ${at}::timestamptz,
        ${options.removed ? at : null}::timestamptz, ${options.held ? at : null}::timestamptz)
      returning id`);
  }

  async function reply(
    name: string,
    threadName: string,
    author: string,
    at: string,
    options: { removed?: boolean; held?: boolean } = {},
  ): Promise<void> {
    ids[name] = await insert(sql`insert into posts (thread_id, author_id, body, created_at,
        removed_at, held_at)
      values (${id(threadName)}, ${id(author)}, 'A reply', ${at}::timestamptz,
        ${options.removed ? at : null}::timestamptz, ${options.held ? at : null}::timestamptz)
      returning id`);
  }

  const query = (document: string, variables: Record<string, unknown>, token?: string) =>
    server.graphql(document, variables, token ? { token } : {});

  const communityAnalytics = async (token?: string, period: Record<string, unknown> = PERIOD) =>
    (
      await query(
        COMMUNITY_ANALYTICS,
        { id: encodeGlobalID('Community', id('circle')), period },
        token,
      )
    ).body;

  const districtAnalytics = async (token?: string, district = 'riverbend') =>
    (
      await query(
        DISTRICT_ANALYTICS,
        { id: encodeGlobalID('District', id(district)), period: PERIOD },
        token,
      )
    ).body;

  const download = (path: string, token?: string) =>
    fetch(`${server.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    const db = server.database.db;

    ids.riverbend = await insert(
      sql`insert into districts (slug, name) values ('riverbend', 'Riverbend') returning id`,
    );
    ids.lakeside = await insert(
      sql`insert into districts (slug, name) values ('lakeside', 'Lakeside') returning id`,
    );
    for (const school of ['Alder Elementary', 'Birch Middle', 'Cedar High']) {
      ids[school] = await insert(
        sql`insert into schools (district_id, name) values (${id('riverbend')}, ${school}) returning id`,
      );
    }
    await person('Owner', { token: true });
    await person('Platform', { token: true });
    await db.execute(sql`update users set is_platform_admin = true where id = ${id('Platform')}`);
    await person('RiverAdmin', { token: true });
    await person('LakeAdmin', { token: true });
    await db.execute(sql`insert into district_admins (district_id, user_id) values
      (${id('riverbend')}, ${id('RiverAdmin')}), (${id('lakeside')}, ${id('LakeAdmin')})`);
    // Riverbend staff: M1 to M4 at Alder, M5 to M10 at Birch, X1 to X7 at Cedar.
    for (let index = 1; index <= 10; index++) {
      await person(`M${index}`, {
        districtId: id('riverbend'),
        schoolId: index <= 4 ? id('Alder Elementary') : id('Birch Middle'),
        token: index === 1,
      });
    }
    for (let index = 1; index <= 7; index++) {
      await person(`X${index}`, { districtId: id('riverbend'), schoolId: id('Cedar High') });
    }
    await person('O1', { districtId: id('lakeside') });

    ids.circle =
      await insert(sql`insert into communities (slug, name, focus, visibility, district_id)
      values ('analytics-circle', 'Analytics Circle', 'stem', 'public', ${id('riverbend')}) returning id`);
    ids.other = await insert(sql`insert into communities (slug, name, focus, visibility)
      values ('other-circle', 'Other Circle', 'literacy', 'public') returning id`);
    await db.execute(sql`insert into memberships (community_id, user_id, role, created_at)
      values (${id('circle')}, ${id('Owner')}, 'owner', '2025-01-01T00:00:00Z'),
        (${id('other')}, ${id('Owner')}, 'owner', '2025-01-01T00:00:00Z')`);
    // M1 to M6 joined in week 1 of the period, M7 to M10 in the previous period.
    for (let index = 1; index <= 10; index++) {
      const joined = index <= 6 ? '2026-01-06T08:00:00Z' : '2025-12-28T08:00:00Z';
      await db.execute(sql`insert into memberships (community_id, user_id, created_at)
        values (${id('circle')}, ${id(`M${index}`)}, ${joined}::timestamptz)`);
    }

    // Week 1: five questions by M1 to M5, answered after 600, 1200, 1800, 3600 and 7200 s.
    const asked = [
      '2026-01-05T10:00:00Z',
      '2026-01-05T11:00:00Z',
      '2026-01-06T09:00:00Z',
      '2026-01-06T10:00:00Z',
      '2026-01-07T10:00:00Z',
    ];
    const waits = [600, 1200, 1800, 3600, 7200];
    for (let index = 0; index < 5; index++) {
      const askedAt = asked[index] ?? '';
      await thread(`Q${index + 1}`, `M${index + 1}`, askedAt, { kind: 'question' });
      const answeredAt = new Date(Date.parse(askedAt) + (waits[index] ?? 0) * 1000).toISOString();
      await reply(`A${index + 1}`, `Q${index + 1}`, `M${index + 6}`, answeredAt);
    }
    // The asker's own reply and a removed reply come first, and neither counts as a response.
    await reply('Own', 'Q1', 'M1', '2026-01-05T10:01:00Z');
    await reply('Removed', 'Q5', 'M6', '2026-01-07T10:01:00Z', { removed: true });
    await db.execute(sql`update threads set accepted_post_id = case id
        when ${id('Q1')} then ${id('A1')}::int else ${id('A2')}::int end
      where id in (${id('Q1')}, ${id('Q2')})`);

    // Week 2: threads by M6 to M10 and M1; replies by M2 to M6 and O1 of Lakeside.
    for (const author of ['M6', 'M7', 'M8', 'M9', 'M10', 'M1']) {
      await thread(`T-${author}`, author, '2026-01-13T09:00:00Z');
    }
    for (const author of ['M2', 'M3', 'M4', 'M5', 'M6', 'O1']) {
      await reply(`R-${author}`, 'T-M6', author, '2026-01-13T12:00:00Z');
    }
    await thread('Removed thread', 'M2', '2026-01-14T09:00:00Z', { removed: true });
    await thread('Held thread', 'M3', '2026-01-14T09:00:00Z', { held: true });
    await reply('Held reply', 'T-M6', 'M7', '2026-01-14T09:00:00Z', { held: true });
    // Riverbend staff also write in another community, which only district figures count.
    for (const author of ['M1', 'X1', 'X2', 'X3', 'X4', 'X5', 'X6', 'X7']) {
      await thread(`Other-${author}`, author, '2026-01-08T09:00:00Z', { community: 'other' });
    }

    // Previous period: a question by M7, and M8 attending a session.
    await thread('Old question', 'M7', '2025-12-30T09:00:00Z', { kind: 'question' });
    ids.oldSession = await insert(sql`insert into live_sessions (community_id, title, starts_at,
        ends_at, time_zone, status, started_at, ended_at)
      values (${id('circle')}, 'Old session', '2025-12-30T15:00:00Z', '2025-12-30T16:00:00Z',
        'UTC', 'ended', '2025-12-30T15:00:00Z', '2025-12-30T16:00:00Z') returning id`);
    await db.execute(sql`insert into live_attendance (live_session_id, user_id, first_joined_at,
        seconds_present) values (${id('oldSession')}, ${id('M8')}, '2025-12-30T15:00:00Z', 1800)`);

    // Week 2 session: M1 to M5 credited 60 minutes, M6 90 by hand, M7 20 seconds (0 minutes).
    ids.session = await insert(sql`insert into live_sessions (community_id, title, starts_at,
        ends_at, time_zone, status, started_at, ended_at)
      values (${id('circle')}, 'Session', '2026-01-14T15:00:00Z', '2026-01-14T16:00:00Z',
        'UTC', 'ended', '2026-01-14T15:00:00Z', '2026-01-14T16:30:00Z') returning id`);
    for (let index = 1; index <= 7; index++) {
      const seconds = index === 7 ? 20 : 3600;
      const adjusted = index === 6 ? 90 : null;
      await db.execute(sql`insert into live_attendance (live_session_id, user_id,
          first_joined_at, seconds_present, adjusted_minutes)
        values (${id('session')}, ${id(`M${index}`)}, '2026-01-14T15:00:00Z', ${seconds},
          ${adjusted})`);
    }
    // Chat by M1 to M5, M6's message deleted by the owner, M7's deleted by M7.
    for (let index = 1; index <= 7; index++) {
      let deletedBy: number | null = null;
      if (index === 6) {
        deletedBy = id('Owner');
      } else if (index === 7) {
        deletedBy = id('M7');
      }
      await db.execute(sql`insert into chat_messages (live_session_id, author_id, sequence, body,
          created_at, deleted_at, deleted_by_id)
        values (${id('session')}, ${id(`M${index}`)}, ${index}, ${deletedBy ? '' : 'Hello'},
          '2026-01-14T15:10:00Z', ${deletedBy ? '2026-01-14T15:11:00Z' : null}::timestamptz,
          ${deletedBy})`);
    }

    // Week 1 badges to M1 to M5, and one revoked award to M6; M6 to M10 wait for review.
    ids.badge = await insert(sql`insert into badges (community_id, name, description, criteria,
        iste_standards, kind)
      values (${id('circle')}, 'Analyst', 'Reads data', 'Share an analysis', array['analyst'],
        'microcredential') returning id`);
    for (let index = 1; index <= 6; index++) {
      await db.execute(sql`insert into badge_awards (badge_id, recipient_id, awarded_at, status,
          revoked_at)
        values (${id('badge')}, ${id(`M${index}`)}, '2026-01-08T12:00:00Z',
          ${index === 6 ? 'revoked' : 'active'},
          ${index === 6 ? '2026-01-09T12:00:00Z' : null}::timestamptz)`);
    }
    // One more award in week 2, to M7: a bucket of one person.
    await db.execute(sql`insert into badge_awards (badge_id, recipient_id, awarded_at)
      values (${id('badge')}, ${id('M7')}, '2026-01-15T12:00:00Z')`);
    for (let index = 6; index <= 10; index++) {
      await db.execute(sql`insert into evidence_submissions (badge_id, user_id, status)
        values (${id('badge')}, ${id(`M${index}`)}, 'pending')`);
    }
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('Community.analytics', () => {
    let report: Json;

    beforeAll(async () => {
      const body = await communityAnalytics(tokens.Owner);
      expect(body.errors).toBeUndefined();
      report = body.data.node.analytics;
    });

    test('returns the period and the previous one', () => {
      expect(report.__typename).toBe('CommunityAnalytics');
      expect(report.from).toBe(PERIOD.from);
      expect(report.to).toBe(PERIOD.to);
      expect(report.bucket).toBe('WEEK');
      expect(report.previousFrom).toBe('2025-12-22T00:00:00.000Z');
      expect(report.minGroupSize).toBe(5);
    });

    test('counts activity of the period exactly', () => {
      const figures = report.current;
      expect(figures.activeMembers).toEqual(shown(11));
      expect(figures.newMembers).toEqual(shown(6));
      expect(figures.threads).toEqual(shown(11));
      expect(figures.replies).toEqual(shown(12));
      expect(figures.chatMessages).toEqual(shown(6));
      expect(figures.liveSessions).toEqual(shown(1));
      expect(figures.attendees).toEqual(shown(6));
      expect(figures.pdHours).toEqual(shown(6.5));
      expect(figures.badgesAwarded).toEqual(shown(6));
    });

    test('measures question response times', () => {
      const figures = report.current;
      expect(figures.questions).toEqual(shown(5));
      expect(figures.answeredQuestions).toEqual(shown(2));
      expect(figures.answeredShare).toEqual(shown(0.4));
      expect(figures.responseMedianSeconds).toEqual(shown(1800));
      expect(figures.responseP90Seconds).toEqual(shown(7200));
    });

    test('suppresses small groups of the previous period', () => {
      const figures = report.previous;
      // M7 asked and M8 attended: two people, below the minimum of 5.
      expect(figures.activeMembers).toEqual(SUPPRESSED);
      expect(figures.newMembers).toEqual(SUPPRESSED);
      expect(figures.questions).toEqual(SUPPRESSED);
      expect(figures.attendees).toEqual(SUPPRESSED);
      expect(figures.pdHours).toEqual(SUPPRESSED);
    });

    test('counts pending reviews now', () => {
      expect(report.reviewsPending).toEqual(shown(5));
    });

    test('splits the trend into weeks', () => {
      expect(report.trend.map((point: Json) => [point.from, point.to])).toEqual([
        ['2026-01-05T00:00:00.000Z', '2026-01-12T00:00:00.000Z'],
        ['2026-01-12T00:00:00.000Z', '2026-01-19T00:00:00.000Z'],
      ]);
      const [week1, week2] = report.trend.map((point: Json) => point.figures);
      expect(week1.activeMembers).toEqual(shown(10));
      expect(week2.activeMembers).toEqual(shown(11));
      expect(week1.threads).toEqual(shown(5));
      expect(week2.threads).toEqual(shown(6));
      expect(week1.replies).toEqual(shown(6));
      expect(week2.replies).toEqual(shown(6));
    });

    test('suppresses a complementary bucket', () => {
      const [week1, week2] = report.trend.map((point: Json) => point.figures);
      // Week 2 had one award; shown beside the total, week 1 would reveal it.
      expect(week2.badgesAwarded).toEqual(SUPPRESSED);
      expect(week1.badgesAwarded).toEqual(SUPPRESSED);
      expect(report.current.badgesAwarded).toEqual(shown(6));
    });

    test('suppresses an empty bucket alone', () => {
      const [week1, week2] = report.trend.map((point: Json) => point.figures);
      // Chat happened in week 2 only. An empty week reveals no one, so week 2 stays shown.
      expect(week1.chatMessages).toEqual(SUPPRESSED);
      expect(week2.chatMessages).toEqual(shown(6));
    });

    test('filters by the period', async () => {
      const body = await communityAnalytics(tokens.Owner, {
        from: '2026-01-12T00:00:00Z',
        to: '2026-01-19T00:00:00Z',
        bucket: 'DAY',
      });
      const week = body.data.node.analytics;
      expect(week.current.threads).toEqual(shown(6));
      expect(week.current.replies).toEqual(shown(6));
      expect(week.current.questions).toEqual(SUPPRESSED);
      // The previous week is week 1 of the longer period.
      expect(week.previous.threads).toEqual(shown(5));
      expect(week.previous.questions).toEqual(shown(5));
      expect(week.trend).toHaveLength(7);
      expect(week.trend[1].figures.threads).toEqual(shown(6));
    });

    test('keeps statement counts flat', async () => {
      const busy = await query(
        COMMUNITY_ANALYTICS,
        { id: encodeGlobalID('Community', id('circle')), period: PERIOD },
        tokens.Owner,
      );
      const empty = await query(
        COMMUNITY_ANALYTICS,
        {
          id: encodeGlobalID('Community', id('circle')),
          period: { from: '2024-01-01T00:00:00Z', to: '2024-12-31T00:00:00Z', bucket: 'DAY' },
        },
        tokens.Owner,
      );
      expect(busy.body.extensions.sqlStatements).toBe(empty.body.extensions.sqlStatements);
      expect(busy.body.extensions.sqlStatements).toBeLessThanOrEqual(8);
    });

    test('rejects a period that ends first', async () => {
      const body = await communityAnalytics(tokens.Owner, {
        from: '2026-01-19T00:00:00Z',
        to: '2026-01-05T00:00:00Z',
      });
      expect(body.data.node.analytics.__typename).toBe('ValidationError');
      expect(body.data.node.analytics.issues[0].path).toEqual(['period', 'to']);
    });

    test('rejects a period over 366 days', async () => {
      const body = await communityAnalytics(tokens.Owner, {
        from: '2025-01-01T00:00:00Z',
        to: '2026-01-03T00:00:00Z',
      });
      expect(body.data.node.analytics.__typename).toBe('ValidationError');
    });

    test('accepts a period of 366 days', async () => {
      const body = await communityAnalytics(tokens.Owner, {
        from: '2025-01-18T00:00:00Z',
        to: '2026-01-19T00:00:00Z',
        bucket: 'MONTH',
      });
      const report = body.data.node.analytics;
      expect(report.__typename).toBe('CommunityAnalytics');
      expect(report.trend).toHaveLength(13);
      expect(report.trend[0].from).toBe('2025-01-18T00:00:00.000Z');
      expect(report.trend[0].to).toBe('2025-02-01T00:00:00.000Z');
      expect(report.trend[12].from).toBe('2026-01-01T00:00:00.000Z');
      expect(report.trend[12].to).toBe('2026-01-19T00:00:00.000Z');
      expect(report.current.threads).toEqual(shown(12));
      // December has M7's question alone, so January is withheld with it.
      expect(report.trend[11].figures.threads).toEqual(SUPPRESSED);
      expect(report.trend[12].figures.threads).toEqual(SUPPRESSED);
      expect(report.trend[12].figures.replies).toEqual(shown(12));
    });

    test('allows district and platform admins', async () => {
      for (const reader of ['RiverAdmin', 'Platform']) {
        const body = await communityAnalytics(tokens[reader]);
        expect(body.data.node.analytics.__typename).toBe('CommunityAnalytics');
        expect(body.data.node.analytics.current.threads).toEqual(shown(11));
      }
    });

    test('forbids members and other admins', async () => {
      for (const reader of ['M1', 'LakeAdmin', undefined]) {
        const body = await communityAnalytics(reader ? tokens[reader] : undefined);
        expect(body.data.node.analytics.__typename).toBe('ForbiddenError');
      }
    });
  });

  describe('District.analytics', () => {
    let report: Json;

    beforeAll(async () => {
      const body = await districtAnalytics(tokens.RiverAdmin);
      expect(body.errors).toBeUndefined();
      report = body.data.node.analytics;
    });

    test('counts only the district staff', () => {
      const figures = report.current;
      // O1 of Lakeside replied in the community, and is left out.
      expect(figures.activeMembers).toEqual(shown(17));
      expect(figures.replies).toEqual(shown(11));
      // Threads in the other community count: 11 + 8.
      expect(figures.threads).toEqual(shown(19));
      expect(figures.chatMessages).toEqual(shown(6));
      expect(figures.attendees).toEqual(shown(6));
      expect(figures.pdHours).toEqual(shown(6.5));
      expect(figures.badgesAwarded).toEqual(shown(6));
      expect(figures.questions).toEqual(shown(5));
      expect(figures.responseMedianSeconds).toEqual(shown(1800));
      // Staff accounts were all created before the period.
      expect(figures.newMembers).toEqual(SUPPRESSED);
      expect(report.reviewsPending).toEqual(shown(5));
      expect(report.staff).toEqual(shown(17));
    });

    test('splits the trend by week', () => {
      const [week1, week2] = report.trend.map((point: Json) => point.figures);
      expect(week1.activeMembers).toEqual(shown(17));
      expect(week2.activeMembers).toEqual(shown(10));
      expect(week1.threads).toEqual(shown(13));
      expect(week2.threads).toEqual(shown(6));
    });

    test('suppresses a school of 4 staff', () => {
      const bySchool = Object.fromEntries(
        report.bySchool.map((row: Json) => [row.schoolName, row]),
      );
      expect(Object.keys(bySchool)).toEqual(['Alder Elementary', 'Birch Middle', 'Cedar High']);
      expect(bySchool['Alder Elementary'].staff).toEqual(SUPPRESSED);
      // Birch is suppressed too, or the total less Cedar would give Alder's count.
      expect(bySchool['Birch Middle'].staff).toEqual(SUPPRESSED);
      expect(bySchool['Cedar High'].staff).toEqual(shown(7));
      expect(bySchool['Cedar High'].figures.threads).toEqual(shown(7));
      expect(bySchool['Cedar High'].figures.activeMembers).toEqual(shown(7));
      expect(bySchool['Alder Elementary'].figures.activeMembers).toEqual(SUPPRESSED);
    });

    test('shows a school of 5 staff', async () => {
      await person('M0', { districtId: id('riverbend'), schoolId: id('Alder Elementary') });
      try {
        const body = await districtAnalytics(tokens.RiverAdmin);
        const bySchool = Object.fromEntries(
          body.data.node.analytics.bySchool.map((row: Json) => [row.schoolName, row]),
        );
        expect(bySchool['Alder Elementary'].staff).toEqual(shown(5));
        expect(bySchool['Birch Middle'].staff).toEqual(shown(6));
        expect(body.data.node.analytics.staff).toEqual(shown(18));

        const response = await download(
          `/districts/${encodeURIComponent(encodeGlobalID('District', id('riverbend')))}/analytics.csv?from=${PERIOD.from}&to=${PERIOD.to}`,
          tokens.RiverAdmin,
        );
        const rows = parseCsv(await response.text());
        expect(csvValue(rows, 'school', 'staff', { school: 'Alder Elementary' })).toBe('5');
      } finally {
        await server.database.db.execute(sql`delete from users where id = ${id('M0')}`);
      }
    });

    test('forbids another district admin', async () => {
      for (const reader of ['LakeAdmin', 'M1']) {
        const body = await districtAnalytics(tokens[reader]);
        expect(body.data.node.analytics.__typename).toBe('ForbiddenError');
      }
    });

    test('allows platform admins', async () => {
      const body = await districtAnalytics(tokens.Platform);
      expect(body.data.node.analytics.current.activeMembers).toEqual(shown(17));
    });
  });

  describe('analytics CSV', () => {
    const communityPath = () =>
      `/communities/${encodeURIComponent(encodeGlobalID('Community', id('circle')))}/analytics.csv?from=${PERIOD.from}&to=${PERIOD.to}&bucket=week`;

    test('exports the community figures', async () => {
      const response = await download(communityPath(), tokens.Owner);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const rows = parseCsv(await response.text());
      expect(rows[0]).toEqual(['section', 'from', 'to', 'school', 'figure', 'value']);
      expect(csvValue(rows, 'period', 'active_members')).toBe('11');
      expect(csvValue(rows, 'period', 'pd_hours')).toBe('6.5');
      expect(csvValue(rows, 'period', 'response_median_seconds')).toBe('1800');
      expect(csvValue(rows, 'previous_period', 'active_members')).toBe('fewer than 5');
      expect(csvValue(rows, 'now', 'reviews_pending')).toBe('5');
      expect(csvValue(rows, 'trend', 'threads', { from: '2026-01-12T00:00:00.000Z' })).toBe('6');
      expect(csvValue(rows, 'trend', 'chat_messages', { from: PERIOD.from })).toBe('fewer than 5');
      expect(csvValue(rows, 'trend', 'chat_messages', { from: '2026-01-12T00:00:00.000Z' })).toBe(
        '6',
      );
    });

    test('exports suppressed schools as text', async () => {
      const response = await download(
        `/districts/${encodeURIComponent(encodeGlobalID('District', id('riverbend')))}/analytics.csv?from=${PERIOD.from}&to=${PERIOD.to}`,
        tokens.RiverAdmin,
      );
      const rows = parseCsv(await response.text());
      expect(csvValue(rows, 'school', 'staff', { school: 'Alder Elementary' })).toBe(
        'fewer than 5',
      );
      expect(csvValue(rows, 'school', 'staff', { school: 'Birch Middle' })).toBe('fewer than 5');
      expect(csvValue(rows, 'school', 'staff', { school: 'Cedar High' })).toBe('7');
      expect(csvValue(rows, 'period', 'active_members')).toBe('17');
      expect(rows.flat().join(',')).not.toContain('O1');
    });

    test('answers readers only', async () => {
      expect((await download(communityPath())).status).toBe(401);
      expect((await download(communityPath(), tokens.M1)).status).toBe(403);
      expect((await download(communityPath(), tokens.LakeAdmin)).status).toBe(403);
      expect((await download(communityPath(), tokens.RiverAdmin)).status).toBe(200);
      const district = `/districts/${encodeURIComponent(encodeGlobalID('District', id('riverbend')))}/analytics.csv?from=${PERIOD.from}&to=${PERIOD.to}`;
      expect((await download(district, tokens.LakeAdmin)).status).toBe(403);
      expect((await download('/districts/nonsense/analytics.csv', tokens.Platform)).status).toBe(
        404,
      );
    });

    test('rejects a bad period with 400', async () => {
      const path = `/communities/${encodeURIComponent(encodeGlobalID('Community', id('circle')))}/analytics.csv?from=${PERIOD.to}&to=${PERIOD.from}`;
      const response = await download(path, tokens.Owner);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toContain('period.to');
      const missing = await download(path.replace(/from=[^&]*&/, ''), tokens.Owner);
      expect(missing.status).toBe(400);
      expect((await missing.json()).error).toBe('period.from: must be a valid date and time');
    });
  });
});
