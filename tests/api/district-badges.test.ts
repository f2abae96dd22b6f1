/** Badges a district defines and awards to its staff: access, awards, revocation and profiles. */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rowsOf } from '../../drizzle/db.ts';
import { districtAdmins, districts, users } from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  createCommunityWithMembers,
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const CREATE_BADGE = `mutation($input: CreateBadgeInput!) { createBadge(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } }
  ... on MutationCreateBadgeSuccess { data { id name community { id } district { slug } } } } }`;

const AWARD = `mutation($input: AwardBadgeInput!) { awardBadge(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } }
  ... on MutationAwardBadgeSuccess { data { id status recipient { id } } } } }`;

const REVOKE = `mutation($input: RevokeBadgeAwardInput!) { revokeBadgeAward(input: $input) {
  __typename ... on Error { message }
  ... on MutationRevokeBadgeAwardSuccess { data { id status revokeReason } } } }`;

const BADGE = `query($id: ID!) { badge(id: $id) { id name viewerCanManage community { id }
  district { slug } holderCount } }`;

const DISTRICT_BADGES = `query($slug: String!) { district(slug: $slug) {
  badges(first: 10) { nodes { id name } } } }`;

const PROFILE = `query($id: ID!) { node(id: $id) { ... on User {
  badgeAwards(first: 10) { nodes { badge { name district { slug } } } } } } }`;

const NOTIFICATIONS = `{ notifications(first: 10) { nodes { kind message community { id }
  badge { name } } } }`;

describe.each(await databaseKinds())('district badges on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let admin: { id: string; token: string };
  let staff: { id: string; token: string };
  let colleague: { id: string; token: string };
  let outsider: { id: string; token: string };
  let otherAdmin: { id: string; token: string };
  let districtId: number;
  let badgeId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    admin = await signUpUser(server, { displayName: 'Dana Admin' });
    staff = await signUpUser(server, { displayName: 'Sam Staff' });
    colleague = await signUpUser(server, { displayName: 'Cole Colleague' });
    outsider = await signUpUser(server, { displayName: 'Oli Outsider' });
    otherAdmin = await signUpUser(server, { displayName: 'Ola Other' });
    const { db } = server.database;
    const [district, other] = await db
      .insert(districts)
      .values([
        { slug: 'riverbend', name: 'Riverbend Unified' },
        { slug: 'lakeside', name: 'Lakeside County' },
      ])
      .returning();
    districtId = district?.id ?? 0;
    await db.insert(districtAdmins).values([
      { districtId, userId: rowIdOf(admin.id) },
      { districtId: other?.id ?? 0, userId: rowIdOf(otherAdmin.id) },
    ]);
    for (const person of [admin, staff, colleague]) {
      await db
        .update(users)
        .set({ districtId })
        .where(eq(users.id, rowIdOf(person.id)));
    }
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const createBadge = (input: Record<string, unknown>, token: string) =>
    server
      .graphql(CREATE_BADGE, { input }, { token })
      .then((result) => result.body.data.createBadge as Json);

  const badgeInput = (name: string) => ({
    districtId: encodeGlobalID('District', districtId),
    name,
    description: 'Leads a building-wide data inquiry cycle.',
    criteria: 'Run one full inquiry cycle with your grade team.',
    isteStandards: ['ANALYST'],
    kind: 'MICROCREDENTIAL',
  });

  const badgeCount = async () =>
    Number(
      rowsOf(await server.database.db.execute(sql`select count(*)::int as n from badges`))[0]?.n,
    );

  test('district admin defines badge', async () => {
    const created = await createBadge(badgeInput('Data Inquiry Lead'), admin.token);

    expect(created.__typename).toBe('MutationCreateBadgeSuccess');
    expect(created.data.community).toBeNull();
    expect(created.data.district.slug).toBe('riverbend');
    badgeId = created.data.id;
  });

  test('others cannot define badges', async () => {
    const before = await badgeCount();
    const byStaff = await createBadge(badgeInput('Staff Badge'), staff.token);
    const byOtherAdmin = await createBadge(badgeInput('Other Badge'), otherAdmin.token);
    const both = await createBadge(
      { ...badgeInput('Both'), communityId: encodeGlobalID('Community', 1) },
      admin.token,
    );
    const neither = await createBadge(
      { ...badgeInput('Neither'), districtId: undefined },
      admin.token,
    );

    expect(byStaff.__typename).toBe('ForbiddenError');
    expect(byOtherAdmin.__typename).toBe('NotFoundError');
    expect(both.__typename).toBe('ValidationError');
    expect(neither.__typename).toBe('ValidationError');
    expect(neither.issues[0].message).toMatch(/community or a district/);
    expect(await badgeCount()).toBe(before);
  });

  test('district readers see badge', async () => {
    const read = async (token: string) =>
      (await server.graphql(BADGE, { id: badgeId }, { token })).body.data.badge;

    expect(await read(admin.token)).toMatchObject({ viewerCanManage: true, community: null });
    expect(await read(staff.token)).toMatchObject({ viewerCanManage: false });
    expect(await read(outsider.token)).toBeNull();
    expect(await read(otherAdmin.token)).toBeNull();
    const listed = await server.graphql(
      DISTRICT_BADGES,
      { slug: 'riverbend' },
      {
        token: staff.token,
      },
    );
    const hidden = await server.graphql(
      DISTRICT_BADGES,
      { slug: 'riverbend' },
      {
        token: outsider.token,
      },
    );
    expect(listed.body.data.district.badges.nodes.map((badge: Json) => badge.name)).toEqual([
      'Data Inquiry Lead',
    ]);
    expect(hidden.body.data.district?.badges ?? null).toBeNull();
  });

  test('admin awards staff only', async () => {
    const award = (recipient: string, token: string) =>
      server
        .graphql(AWARD, { input: { badgeId, recipientId: recipient } }, { token })
        .then((result) => result.body.data.awardBadge as Json);

    const toOutsider = await award(outsider.id, admin.token);
    const byStaff = await award(colleague.id, staff.token);
    const awarded = await award(staff.id, admin.token);
    const notifications = await server.graphql(NOTIFICATIONS, {}, { token: staff.token });

    expect(toOutsider.__typename).toBe('ValidationError');
    expect(toOutsider.issues[0]).toMatchObject({ path: ['recipientId'] });
    expect(byStaff.__typename).toBe('ForbiddenError');
    expect(awarded).toMatchObject({ __typename: 'MutationAwardBadgeSuccess' });
    expect(notifications.body.data.notifications.nodes[0]).toMatchObject({
      kind: 'BADGE_AWARDED',
      community: null,
      badge: { name: 'Data Inquiry Lead' },
    });
    expect(notifications.body.data.notifications.nodes[0].message).toContain('Dana Admin');
  });

  test('profile shows district awards', async () => {
    const profile = async (token: string) =>
      (await server.graphql(PROFILE, { id: staff.id }, { token })).body.data.node.badgeAwards.nodes;

    expect(await profile(colleague.token)).toEqual([
      { badge: { name: 'Data Inquiry Lead', district: { slug: 'riverbend' } } },
    ]);
    expect(await profile(outsider.token)).toEqual([]);
  });

  test('admin revokes with reason', async () => {
    const holders = await server.graphql(
      `query($id: ID!) { badge(id: $id) { holders(first: 5) { nodes { id } } } }`,
      { id: badgeId },
      { token: admin.token },
    );
    const awardId = holders.body.data.badge.holders.nodes[0].id;
    const byStaff = await server.graphql(
      REVOKE,
      { input: { awardId, reason: 'Mistake' } },
      { token: colleague.token },
    );
    const revoked = await server.graphql(
      REVOKE,
      { input: { awardId, reason: 'Awarded to the wrong person' } },
      { token: admin.token },
    );
    const notifications = await server.graphql(NOTIFICATIONS, {}, { token: staff.token });

    expect(byStaff.body.data.revokeBadgeAward.__typename).toBe('ForbiddenError');
    expect(revoked.body.data.revokeBadgeAward.data).toMatchObject({
      status: 'revoked',
      revokeReason: 'Awarded to the wrong person',
    });
    expect(notifications.body.data.notifications.nodes[0]).toMatchObject({
      kind: 'BADGE_REVOKED',
      badge: { name: 'Data Inquiry Lead' },
    });
  });

  test('community revocation notifies earner', async () => {
    const community = await createCommunityWithMembers(
      server,
      admin.token,
      { name: 'Riverbend Readers', focus: 'LITERACY', visibility: 'PUBLIC' },
      [staff.token],
    );
    const badge = await mutate(
      server,
      'createBadge',
      'CreateBadgeInput',
      { ...badgeInput('Book Club Host'), districtId: undefined, communityId: community.id },
      'id',
      admin.token,
    );
    const award = await mutate(
      server,
      'awardBadge',
      'AwardBadgeInput',
      { badgeId: badge.id, recipientId: staff.id },
      'id',
      admin.token,
    );
    await mutate(
      server,
      'revokeBadgeAward',
      'RevokeBadgeAwardInput',
      { awardId: award.id, reason: 'Duplicate award' },
      'id',
      admin.token,
    );
    const notifications = await server.graphql(NOTIFICATIONS, {}, { token: staff.token });

    expect(notifications.body.data.notifications.nodes[0]).toMatchObject({
      kind: 'BADGE_REVOKED',
      community: { id: community.id },
    });
  });
});
