/** Badge definitions: frameworks and alignments, kinds, validity periods, expiry and revocation. */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rowsOf } from '../../drizzle/db.ts';
import { communities, districts, users } from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const FRAMEWORKS = `query($districtId: ID) { frameworks(districtId: $districtId) {
  id name url district { id } standards { id code name summary } } }`;

const CREATE_FRAMEWORK = `mutation($input: CreateFrameworkInput!) { createFramework(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } }
  ... on MutationCreateFrameworkSuccess { data { id name standards { id code name } } } } }`;

const CREATE_BADGE = `mutation($input: CreateBadgeInput!) { createBadge(input: $input) {
  __typename ... on Error { message } ... on ValidationError { issues { path message } }
  ... on MutationCreateBadgeSuccess { data { id alignments { code name framework { name } } } } } }`;

const rowIdOf = (globalId: string) =>
  Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);

describe.each(await databaseKinds())('frameworks and badge alignments on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let admin: { id: string; token: string };
  let facilitator: { id: string; token: string };
  let districtId: number;
  let otherDistrictId: number;
  let communityId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    admin = await signUpUser(server, { displayName: 'Ada Admin' });
    facilitator = await signUpUser(server, { displayName: 'Fay Facilitator' });
    const { db } = server.database;
    await db
      .update(users)
      .set({ isPlatformAdmin: true })
      .where(eq(users.id, rowIdOf(admin.id)));
    const [district, other] = await db
      .insert(districts)
      .values([
        { slug: 'riverbend', name: 'Riverbend Unified' },
        { slug: 'lakeside', name: 'Lakeside County' },
      ])
      .returning();
    districtId = district?.id ?? 0;
    otherDistrictId = other?.id ?? 0;
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Riverbend Makers', focus: 'STEM', visibility: 'PUBLIC' },
        'id',
        facilitator.token,
      )
    ).id;
    await db
      .update(communities)
      .set({ districtId })
      .where(eq(communities.id, rowIdOf(communityId)));
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const createFramework = (input: Record<string, unknown>, token = admin.token) =>
    server
      .graphql(CREATE_FRAMEWORK, { input }, { token })
      .then((result) => result.body.data.createFramework as Json);

  const literacy = (district: number) => ({
    districtId: encodeGlobalID('District', district),
    name: 'Literacy coaching',
    url: 'https://example.org/literacy',
    standards: [
      { code: 'L1', name: 'Phonics', summary: 'Teaches sounds and letters explicitly.' },
      { code: 'L2', name: 'Fluency', summary: 'Builds accurate, expressive reading.' },
    ],
  });

  test('ISTE framework seeded with seven standards', async () => {
    const result = await server.graphql(FRAMEWORKS, {});
    const [iste] = result.body.data.frameworks;

    expect(result.body.data.frameworks).toHaveLength(1);
    expect(iste.name).toBe('ISTE Standards for Educators');
    expect(iste.district).toBeNull();
    expect(iste.standards.map((standard: Json) => `${standard.code} ${standard.name}`)).toEqual([
      '2.1 Learner',
      '2.2 Leader',
      '2.3 Citizen',
      '2.4 Collaborator',
      '2.5 Designer',
      '2.6 Facilitator',
      '2.7 Analyst',
    ]);
    expect(iste.standards.every((standard: Json) => standard.summary.length > 20)).toBe(true);
  });

  test('district admin adds a framework', async () => {
    const created = await createFramework(literacy(districtId));
    const again = await createFramework(literacy(districtId));
    const listed = await server.graphql(FRAMEWORKS, {
      districtId: encodeGlobalID('District', districtId),
    });
    const audit = rowsOf(
      await server.database.db.execute(
        sql`select action from audit_log where district_id = ${districtId}`,
      ),
    );

    expect(created.__typename).toBe('MutationCreateFrameworkSuccess');
    expect(created.data.standards.map((standard: Json) => standard.code)).toEqual(['L1', 'L2']);
    expect(again.__typename).toBe('ConflictError');
    expect(listed.body.data.frameworks.map((framework: Json) => framework.name)).toEqual([
      'ISTE Standards for Educators',
      'Literacy coaching',
    ]);
    expect(audit.map((row) => row.action)).toContain('district.framework_added');
  });

  test('framework rejected for others and bad input', async () => {
    const byFacilitator = await createFramework(
      { ...literacy(otherDistrictId), name: 'Not mine' },
      facilitator.token,
    );
    const repeated = await createFramework({
      ...literacy(otherDistrictId),
      name: 'Repeats',
      standards: [
        { code: 'A', name: 'One', summary: 'First.' },
        { code: 'a', name: 'Two', summary: 'Second.' },
      ],
    });
    const empty = await createFramework({ ...literacy(otherDistrictId), standards: [] });
    const badUrl = await createFramework({ ...literacy(otherDistrictId), url: 'ftp://x' });
    const count = rowsOf(
      await server.database.db.execute(
        sql`select count(*)::int as count from frameworks where district_id = ${otherDistrictId}`,
      ),
    );

    expect(byFacilitator.__typename).toBe('ForbiddenError');
    expect(repeated.__typename).toBe('ValidationError');
    expect(repeated.issues[0].path).toEqual(['standards', '1', 'code']);
    expect(empty.issues[0].path).toEqual(['standards']);
    expect(badUrl.issues[0].path).toEqual(['url']);
    expect(count[0]?.count).toBe(0);
  });

  test('framework rejects the ISTE name', async () => {
    const names = [
      'ISTE Standards for Educators',
      '  iste standards   for educators ',
      'ISTE\u00a0STANDARDS FOR EDUCATORS',
      '\uff29\uff33\uff34\uff25 Standards for Educators',
    ];
    const countFrameworks = async () =>
      rowsOf(
        await server.database.db.execute(
          sql`select count(*)::int as count from frameworks where district_id = ${otherDistrictId}`,
        ),
      )[0]?.count;
    const before = await countFrameworks();

    for (const name of names) {
      const result = await createFramework({ ...literacy(otherDistrictId), name });

      expect(result.__typename, name).toBe('ValidationError');
      expect(result.issues[0].path, name).toEqual(['name']);
      expect(result.issues[0].message, name).toContain('every community uses');
    }
    expect(await countFrameworks()).toBe(before);
  });

  test('framework names collapse extra spaces', async () => {
    const created = await createFramework({
      ...literacy(otherDistrictId),
      name: 'Lakeside   reading  standards',
    });
    const again = await createFramework({
      ...literacy(otherDistrictId),
      name: 'lakeside reading standards',
    });

    expect(created.data.name).toBe('Lakeside reading standards');
    expect(again.__typename).toBe('ConflictError');
  });

  test('badge text rejects invisible and direction characters', async () => {
    const createBadge = (fields: Record<string, string>) =>
      server
        .graphql(
          CREATE_BADGE,
          {
            input: {
              communityId,
              name: 'Design Challenge Architect',
              description: 'Designs challenges',
              criteria: 'Design three challenges',
              isteStandards: ['DESIGNER'],
              ...fields,
            },
          },
          { token: facilitator.token },
        )
        .then((result) => result.body.data.createBadge as Json);
    const rejected: [Record<string, string>, string, string][] = [
      [{ name: 'Design\u200bChallenge Architect' }, 'name', 'zero width space character (U+200B)'],
      [{ name: 'Design\u2060Challenge Architect' }, 'name', 'word joiner character (U+2060)'],
      [{ name: 'Architect \u202bof design' }, 'name', 'right-to-left embedding character (U+202B)'],
      [
        { name: 'Architect \u2067design\u2069' },
        'name',
        'right-to-left isolate character (U+2067)',
      ],
      [{ name: 'Architect\u200f of design' }, 'name', 'right-to-left mark character (U+200F)'],
      [{ name: 'Architect\u061c of design' }, 'name', 'Arabic letter mark character (U+061C)'],
      [{ name: 'Design\tChallenge Architect' }, 'name', 'tab character (U+0009)'],
      [{ name: 'Design\u2028Challenge Architect' }, 'name', 'single line'],
      [
        { description: 'Designs\ufeff challenges' },
        'description',
        'no-break space character (U+FEFF)',
      ],
      [{ criteria: 'Design \u202bthree challenges' }, 'criteria', 'U+202B'],
    ];
    const countBadges = async () =>
      rowsOf(await server.database.db.execute(sql`select count(*)::int as count from badges`))[0]
        ?.count;
    const before = await countBadges();

    for (const [fields, path, message] of rejected) {
      const result = await createBadge(fields);

      expect(result.__typename, JSON.stringify(fields)).toBe('ValidationError');
      expect(result.issues[0].path, JSON.stringify(fields)).toEqual([path]);
      expect(result.issues[0].message, JSON.stringify(fields)).toContain(message);
    }
    expect(await countBadges()).toBe(before);
    const plain = await createBadge({ criteria: 'Design\tthree challenges\nand share them' });
    expect(plain.__typename).toBe('MutationCreateBadgeSuccess');
  });

  test('badge aligns to ISTE and district standards', async () => {
    const districtFramework = (
      await server.graphql(FRAMEWORKS, { districtId: encodeGlobalID('District', districtId) })
    ).body.data.frameworks.find((framework: Json) => framework.name === 'Literacy coaching');
    const foreign = await createFramework({
      ...literacy(otherDistrictId),
      name: 'Lakeside only',
    });
    const createBadge = (name: string, alignmentIds: string[]) =>
      server
        .graphql(
          CREATE_BADGE,
          {
            input: {
              communityId,
              name,
              description: 'Coached a reading group',
              criteria: 'Run six sessions',
              isteStandards: ['LEARNER', 'COLLABORATOR'],
              alignmentIds,
            },
          },
          { token: facilitator.token },
        )
        .then((result) => result.body.data.createBadge as Json);

    const aligned = await createBadge('Reading coach', [districtFramework.standards[1].id]);
    const rejected = await createBadge('Borrowed standard', [foreign.data.standards[0].id]);
    const tooMany = await createBadge(
      'Every standard',
      Array.from({ length: 51 }, (_, index) => encodeGlobalID('FrameworkStandard', index + 1)),
    );

    expect(aligned.data.alignments).toEqual([
      { code: '2.1', name: 'Learner', framework: { name: 'ISTE Standards for Educators' } },
      { code: '2.4', name: 'Collaborator', framework: { name: 'ISTE Standards for Educators' } },
      { code: 'L2', name: 'Fluency', framework: { name: 'Literacy coaching' } },
    ]);
    expect(rejected.__typename).toBe('ValidationError');
    expect(rejected.issues[0].path).toEqual(['alignmentIds']);
    expect(tooMany.__typename).toBe('ValidationError');
    expect(tooMany.issues[0].message).toContain('at most 50');
  });
});

describe.each(await databaseKinds())('badge kinds, expiry and revocation on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let facilitator: { id: string; token: string };
  let member: { id: string; token: string };
  let communityId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    facilitator = await signUpUser(server, { displayName: 'Fay Facilitator' });
    member = await signUpUser(server, { displayName: 'Max Member' });
    communityId = (
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Credential Circle', focus: 'STEM', visibility: 'PUBLIC' },
        'id',
        facilitator.token,
      )
    ).id;
    await mutate(server, 'joinCommunity', 'CommunityIdInput', { communityId }, 'id', member.token);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const createBadge = (fields: Record<string, unknown>) =>
    server
      .graphql(
        `mutation($input: CreateBadgeInput!) { createBadge(input: $input) {
          __typename ... on Error { message } ... on ValidationError { issues { path message } }
          ... on MutationCreateBadgeSuccess { data { id kind validForDays } } } }`,
        {
          input: {
            communityId,
            name: `Badge ${Math.random()}`,
            description: 'Something shown',
            criteria: 'Do it',
            isteStandards: ['ANALYST'],
            ...fields,
          },
        },
        { token: facilitator.token },
      )
      .then((result) => result.body.data.createBadge as Json);

  const award = (badgeId: string) =>
    mutate(
      server,
      'awardBadge',
      'AwardBadgeInput',
      { badgeId, recipientId: member.id },
      'id status awardedAt expiresAt',
      facilitator.token,
    );

  const revoke = (awardId: string, reason: string, token = facilitator.token) =>
    server
      .graphql(
        `mutation($input: RevokeBadgeAwardInput!) { revokeBadgeAward(input: $input) {
          __typename ... on Error { message } ... on ValidationError { issues { path message } }
          ... on MutationRevokeBadgeAwardSuccess { data { status revokeReason revokedAt revokedBy { displayName } } } } }`,
        { input: { awardId, reason } },
        { token },
      )
      .then((result) => result.body.data.revokeBadgeAward as Json);

  test('microcredential with a validity period', async () => {
    const created = await createBadge({ kind: 'MICROCREDENTIAL', validForDays: 365 });
    const given = await award(created.data.id);
    const days = (Date.parse(given.expiresAt) - Date.parse(given.awardedAt)) / 86_400_000;
    const tooLong = await createBadge({ validForDays: 3651 });

    expect(created.data).toMatchObject({ kind: 'MICROCREDENTIAL', validForDays: 365 });
    expect(Math.round(days)).toBe(365);
    expect(tooLong.__typename).toBe('ValidationError');
    expect(tooLong.issues[0].path).toEqual(['validForDays']);
  });

  test('expired award reads as expired', async () => {
    const created = await createBadge({});
    const given = await award(created.data.id);
    await server.database.db.execute(
      sql`update badge_awards set awarded_at = now() - interval '2 days', expires_at = now() - interval '1 day' where id = ${rowIdOf(given.id)}`,
    );
    const read = await server.graphql(
      'query($id: ID!) { node(id: $id) { ... on BadgeAward { status } } }',
      { id: given.id },
    );
    const revokeExpired = await revoke(given.id, 'Too late');

    expect(given.status).toBe('active');
    expect(read.body.data.node.status).toBe('expired');
    expect(revokeExpired.__typename).toBe('ConflictError');
  });

  test('revocation keeps the reason', async () => {
    const created = await createBadge({});
    const given = await award(created.data.id);
    const byMember = await revoke(given.id, 'I want it gone', member.token);
    const empty = await revoke(given.id, '   ');
    const revoked = await revoke(given.id, 'Awarded to the wrong person');
    const twice = await revoke(given.id, 'Again');
    const audit = rowsOf(
      await server.database.db.execute(
        sql`select details->>'reason' as reason from audit_log where action = 'community.badge_revoked'`,
      ),
    );
    const again = await award(created.data.id);

    expect(byMember.__typename).toBe('ForbiddenError');
    expect(empty.__typename).toBe('ValidationError');
    expect(revoked.data).toMatchObject({
      status: 'revoked',
      revokeReason: 'Awarded to the wrong person',
      revokedBy: { displayName: 'Fay Facilitator' },
    });
    expect(twice.__typename).toBe('ConflictError');
    expect(audit.map((row) => row.reason)).toContain('Awarded to the wrong person');
    expect(again.status).toBe('active');
  });
});
