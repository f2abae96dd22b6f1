import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

const COMMUNITY_FIELDS =
  'id slug name focus visibility memberCount viewerCanModerate viewerCanPost';

describe.each(await databaseKinds())('communities on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: { id: string; token: string };
  let outsider: { id: string; token: string };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Owner Olsen' });
    outsider = await signUpUser(server, { displayName: 'Outsider Oz' });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('createCommunity', () => {
    test('creates a community owned by the viewer', async () => {
      const community = await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        {
          name: 'Rural STEM Teachers',
          focus: 'STEM',
          visibility: 'PUBLIC',
          description: 'We **build**.',
        },
        COMMUNITY_FIELDS,
        owner.token,
      );

      expect(community.slug).toBe('rural-stem-teachers');
      expect(community.memberCount).toBe(1);
      expect(community.viewerCanModerate).toBe(true);
    });

    test('rejects a taken slug with ConflictError', async () => {
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Taken', slug: 'taken-slug', focus: 'OTHER', visibility: 'PUBLIC' },
        'id',
        owner.token,
      );

      const result = await server.graphql(
        'mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { __typename ... on Error { message } } }',
        { input: { name: 'Again', slug: 'taken-slug', focus: 'OTHER', visibility: 'PUBLIC' } },
        { token: owner.token },
      );

      expect(result.body.data.createCommunity.__typename).toBe('ConflictError');
    });

    test('requires a signed-in viewer', async () => {
      const result = await server.graphql(
        'mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { __typename } }',
        { input: { name: 'Nobody', focus: 'OTHER', visibility: 'PUBLIC' } },
      );

      expect(result.body.data.createCommunity.__typename).toBe('UnauthenticatedError');
    });

    test('rejects district visibility without a district', async () => {
      const result = await server.graphql(
        'mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { __typename ... on ValidationError { issues { path } } } }',
        { input: { name: 'District only', focus: 'OTHER', visibility: 'DISTRICT' } },
        { token: owner.token },
      );

      expect(result.body.data.createCommunity.__typename).toBe('ValidationError');
      expect(result.body.data.createCommunity.issues[0].path).toEqual(['visibility']);
    });
  });

  describe('communities', () => {
    test('filters by focus and searches by name', async () => {
      await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Phonics Friends', focus: 'LITERACY', visibility: 'PUBLIC' },
        'id',
        owner.token,
      );

      const literacy = await server.graphql(
        '{ communities(focus: LITERACY) { totalCount nodes { name focus } } }',
      );
      const search = await server.graphql('{ communities(search: "phonics") { nodes { name } } }');
      const none = await server.graphql('{ communities(search: "%") { nodes { name } } }');

      expect(
        literacy.body.data.communities.nodes.every((node: Json) => node.focus === 'LITERACY'),
      ).toBe(true);
      expect(literacy.body.data.communities.totalCount).toBe(
        literacy.body.data.communities.nodes.length,
      );
      expect(search.body.data.communities.nodes.map((node: Json) => node.name)).toEqual([
        'Phonics Friends',
      ]);
      expect(none.body.data.communities.nodes).toEqual([]);
    });

    test('caps the page size at 100', async () => {
      for (let index = 0; index < 101; index++) {
        await mutate(
          server,
          'createCommunity',
          'CreateCommunityInput',
          { name: `Bulk ${index}`, focus: 'OTHER', visibility: 'PUBLIC' },
          'id',
          owner.token,
        );
      }

      const result = await server.graphql(
        '{ communities(first: 500) { nodes { id } pageInfo { hasNextPage } } }',
      );

      expect(result.body.data.communities.nodes).toHaveLength(100);
      expect(result.body.data.communities.pageInfo.hasNextPage).toBe(true);
    });
  });

  describe('join and leave', () => {
    test('joins a public community and leaves it', async () => {
      const community = await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Open Door', focus: 'OTHER', visibility: 'PUBLIC' },
        'id',
        owner.token,
      );

      const membership = await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId: community.id },
        'role user { id }',
        outsider.token,
      );
      const again = await server.graphql(
        'mutation($input: CommunityIdInput!) { joinCommunity(input: $input) { __typename } }',
        { input: { communityId: community.id } },
        { token: outsider.token },
      );
      const left = await mutate(
        server,
        'leaveCommunity',
        'CommunityIdInput',
        { communityId: community.id },
        'community { memberCount viewerMembership { id } }',
        outsider.token,
      );

      expect(membership.role).toBe('MEMBER');
      expect(membership.user.id).toBe(outsider.id);
      expect(again.body.data.joinCommunity.__typename).toBe('ConflictError');
      expect(left.community.memberCount).toBe(1);
      expect(left.community.viewerMembership).toBeNull();
    });

    test('keeps the last owner from leaving', async () => {
      const community = await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Solo', focus: 'OTHER', visibility: 'PUBLIC' },
        'id',
        owner.token,
      );

      const result = await server.graphql(
        'mutation($input: CommunityIdInput!) { leaveCommunity(input: $input) { __typename ... on Error { message } } }',
        { input: { communityId: community.id } },
        { token: owner.token },
      );

      expect(result.body.data.leaveCommunity.__typename).toBe('ConflictError');
    });

    test('rejects joining a private community', async () => {
      const listed = await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Closed Circle', focus: 'OTHER', visibility: 'PRIVATE' },
        'id',
        owner.token,
      );
      const unlisted = await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Hidden Circle', focus: 'OTHER', visibility: 'PRIVATE', listed: false },
        'id',
        owner.token,
      );
      const join = (communityId: string) =>
        server.graphql(
          'mutation($input: CommunityIdInput!) { joinCommunity(input: $input) { __typename ... on Error { message } } }',
          { input: { communityId } },
          { token: outsider.token },
        );

      const listedResult = await join(listed.id);
      const unlistedResult = await join(unlisted.id);

      expect(listedResult.body.data.joinCommunity.__typename).toBe('ForbiddenError');
      expect(listedResult.body.data.joinCommunity.message).toMatch(/requestToJoin/);
      expect(unlistedResult.body.data.joinCommunity.__typename).toBe('NotFoundError');
    });
  });

  describe('updateCommunity', () => {
    test('lets the owner rename and forbids members', async () => {
      const community = await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Old Name', focus: 'OTHER', visibility: 'PUBLIC' },
        'id',
        owner.token,
      );
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId: community.id },
        'id',
        outsider.token,
      );

      const renamed = await mutate(
        server,
        'updateCommunity',
        'UpdateCommunityInput',
        { communityId: community.id, name: 'New Name', focus: 'STEM' },
        'name focus',
        owner.token,
      );
      const forbidden = await server.graphql(
        'mutation($input: UpdateCommunityInput!) { updateCommunity(input: $input) { __typename } }',
        { input: { communityId: community.id, name: 'Hijacked' } },
        { token: outsider.token },
      );

      expect(renamed).toEqual({ name: 'New Name', focus: 'STEM' });
      expect(forbidden.body.data.updateCommunity.__typename).toBe('ForbiddenError');
    });
  });

  describe('community page', () => {
    test('runs the same number of statements for any page size', async () => {
      const community = await mutate(
        server,
        'createCommunity',
        'CreateCommunityInput',
        { name: 'Busy Place', focus: 'STEM', visibility: 'PUBLIC' },
        'id slug',
        owner.token,
      );
      for (let index = 0; index < 12; index++) {
        const thread = await mutate(
          server,
          'createThread',
          'CreateThreadInput',
          { communityId: community.id, title: `Topic ${index}`, body: 'Body' },
          'id',
          owner.token,
        );
        await mutate(
          server,
          'createPost',
          'CreatePostInput',
          { threadId: thread.id, body: `Reply ${index}` },
          'id',
          owner.token,
        );
      }
      const page = `query($slug: String!, $first: Int!) { community(slug: $slug) {
        name memberCount threadCount viewerCanPost viewerMembership { role }
        threads(first: $first) { nodes { title replyCount author { displayName school { name } } } }
        upcomingLiveSessions(first: $first) { nodes { title host { displayName } rsvpCount } }
        pastLiveSessions(first: $first) { nodes { title } }
        badges(first: $first) { nodes { name holderCount isteStandards { code } } }
        members(first: $first) { nodes { role user { displayName } } } } }`;

      const small = await server.graphql(
        page,
        { slug: community.slug, first: 2 },
        { token: owner.token },
      );
      const large = await server.graphql(
        page,
        { slug: community.slug, first: 12 },
        { token: owner.token },
      );

      expect(small.body.data.community.threads.nodes).toHaveLength(2);
      expect(large.body.data.community.threads.nodes).toHaveLength(12);
      expect(large.body.extensions.sqlStatements).toBe(small.body.extensions.sqlStatements);
      expect(large.body.extensions.sqlStatements).toBeLessThanOrEqual(6);
    });
  });
});
