/**
 * Who belongs to a community and who decides: requests to join, roles, removals and bans,
 * invitations by email and the audit log, through the GraphQL API. Tables are read directly only
 * for what the API does not show: queued mail and raw audit rows.
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  auditLog,
  communityInvitations,
  districtAdmins,
  districts,
  mailOutbox,
  users,
} from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  collect,
  type Json,
  mutate,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

type Person = Awaited<ReturnType<typeof signUpUser>>;

interface CommunityFixture {
  id: string;
  threadId: string;
}

const INPUT_TYPES: Record<string, string> = {
  requestToJoin: 'RequestToJoinInput',
  decideJoinRequest: 'DecideJoinRequestInput',
  changeMemberRole: 'ChangeMemberRoleInput',
  removeMember: 'RemoveMemberInput',
  unbanMember: 'UnbanMemberInput',
  inviteToCommunity: 'InviteToCommunityInput',
  revokeInvitation: 'RevokeInvitationInput',
  acceptInvitation: 'AcceptInvitationInput',
  joinCommunity: 'CommunityIdInput',
  leaveCommunity: 'CommunityIdInput',
  updateCommunity: 'UpdateCommunityInput',
};

const COMMUNITY_ACTIVITY =
  'subscription($id: ID!) { communityActivity(communityId: $id) { eventId type } }';
const THREAD_ACTIVITY =
  'subscription($id: ID!) { threadActivity(threadId: $id) { eventId type post { body } } }';

/** The fields of a community for its owners and facilitators. Each is null for anyone else. */
const MANAGEMENT = `query($id: ID!) { node(id: $id) { ... on Community {
  joinRequests { nodes { status user { id } } }
  bannedMembers { nodes { status user { id } } }
  members { nodes { role user { id } } }
  invitations { nodes { id email state } }
  auditLog { nodes { id action details actor { id } subjectUser { id } } } } } }`;

function rowId(globalId: string): number {
  return Number(decodeGlobalID(globalId).id);
}

/**
 * Runs a mutation and returns its payload: `__typename`, and `message` for an error or `data`
 * (with `selection`) for a success. Throws when the request fails outright.
 */
async function attempt(
  server: TestServer,
  field: keyof typeof INPUT_TYPES,
  input: Record<string, unknown>,
  token?: string,
  selection = '__typename',
): Promise<Json> {
  const successType = `Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`;
  const result = await server.graphql(
    `mutation($input: ${INPUT_TYPES[field]}!) { ${field}(input: $input) {
      __typename ... on Error { message } ... on ValidationError { issues { path message } }
      ... on ${successType} { data { ${selection} } } } }`,
    { input },
    { token },
  );
  const payload = result.body?.data?.[field];
  if (!payload) {
    throw new Error(`${field} failed with HTTP ${result.status}: ${JSON.stringify(result.body)}`);
  }
  return payload;
}

/**
 * Creates a community owned by `owner` with one thread. Everyone in `members` and `facilitators`
 * joins while it is still public, the facilitators are promoted, and then it gets its final
 * visibility: a private community takes no direct joins.
 */
async function createCommunity(
  server: TestServer,
  owner: Person,
  options: {
    name: string;
    visibility: 'PUBLIC' | 'PRIVATE' | 'DISTRICT';
    listed?: boolean;
    members?: Person[];
    facilitators?: Person[];
  },
): Promise<CommunityFixture> {
  const community = await mutate(
    server,
    'createCommunity',
    'CreateCommunityInput',
    { name: options.name, focus: 'OTHER', visibility: 'PUBLIC' },
    'id',
    owner.token,
  );
  const facilitators = options.facilitators ?? [];
  for (const person of [...facilitators, ...(options.members ?? [])]) {
    await mutate(
      server,
      'joinCommunity',
      'CommunityIdInput',
      { communityId: community.id },
      'id',
      person.token,
    );
  }
  for (const person of facilitators) {
    await mutate(
      server,
      'changeMemberRole',
      'ChangeMemberRoleInput',
      { communityId: community.id, userId: person.id, role: 'FACILITATOR' },
      'id',
      owner.token,
    );
  }
  const thread = await mutate(
    server,
    'createThread',
    'CreateThreadInput',
    { communityId: community.id, title: `Welcome to ${options.name}`, body: 'Say hello' },
    'id',
    owner.token,
  );
  if (options.visibility !== 'PUBLIC' || options.listed === false) {
    await mutate(
      server,
      'updateCommunity',
      'UpdateCommunityInput',
      { communityId: community.id, visibility: options.visibility, listed: options.listed ?? true },
      'id',
      owner.token,
    );
  }
  return { id: community.id, threadId: thread.id };
}

/** Loads the community with the credentials of `token`, or null when it is hidden from them. */
async function communityAs(server: TestServer, communityId: string, token?: string): Promise<Json> {
  const result = await server.graphql(
    `query($id: ID!) { node(id: $id) { ... on Community {
      viewerCanRead viewerRequestPending viewerMembership { role status }
      threads { nodes { id } } } } }`,
    { id: communityId },
    { token },
  );
  return result.body.data.node;
}

async function readsThreads(
  server: TestServer,
  communityId: string,
  token?: string,
): Promise<boolean> {
  const community = await communityAs(server, communityId, token);
  return community?.threads != null;
}

/** Loads the MANAGEMENT fields with the credentials of `token`. */
async function managementAs(server: TestServer, communityId: string, token: string): Promise<Json> {
  const result = await server.graphql(MANAGEMENT, { id: communityId }, { token });
  return result.body.data.node;
}

function userIdsOf(connection: Json): string[] {
  return connection.nodes.map((node: Json) => node.user.id);
}

function roleOf(management: Json, person: Person): string | undefined {
  return management.members.nodes.find((node: Json) => node.user.id === person.id)?.role;
}

/** Returns the newest audit entry with `action`, its details parsed. */
function latestEntry(management: Json, action: string): Json {
  const entry = management.auditLog.nodes.find((node: Json) => node.action === action);
  return entry && { ...entry, details: JSON.parse(entry.details) };
}

describe.each(await databaseKinds())('requests to join on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let facilitator: Person;
  let member: Person;
  let listed: CommunityFixture;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Olu Owner' });
    facilitator = await signUpUser(server, { displayName: 'Fatima Facilitator' });
    member = await signUpUser(server, { displayName: 'Mateo Member' });
    listed = await createCommunity(server, owner, {
      name: 'Listed Circle',
      visibility: 'PRIVATE',
      facilitators: [facilitator],
      members: [member],
    });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('records a pending request without access', async () => {
    const asker = await signUpUser(server, { displayName: 'Asha Asker' });

    const requested = await attempt(
      server,
      'requestToJoin',
      { communityId: listed.id },
      asker.token,
      'status role',
    );
    const community = await communityAs(server, listed.id, asker.token);

    expect(requested.__typename).toBe('MutationRequestToJoinSuccess');
    expect(requested.data).toEqual({ status: 'REQUESTED', role: 'MEMBER' });
    expect(community.viewerRequestPending).toBe(true);
    expect(community.viewerCanRead).toBe(false);
    expect(community.threads).toBeNull();
    expect(community.viewerMembership).toBeNull();
  });

  test('rejects a second request with a conflict', async () => {
    const asker = await signUpUser(server, { displayName: 'Twice Tomas' });
    await attempt(server, 'requestToJoin', { communityId: listed.id }, asker.token);

    const again = await attempt(server, 'requestToJoin', { communityId: listed.id }, asker.token);
    const management = await managementAs(server, listed.id, owner.token);

    expect(again.__typename).toBe('ConflictError');
    expect(again.message).toMatch(/already asked/);
    expect(userIdsOf(management.joinRequests).filter((id) => id === asker.id)).toHaveLength(1);
  });

  test('facilitator approves a request', async () => {
    const asker = await signUpUser(server, { displayName: 'Approved Ana' });
    await attempt(server, 'requestToJoin', { communityId: listed.id }, asker.token);
    const before = await managementAs(server, listed.id, facilitator.token);

    const decided = await attempt(
      server,
      'decideJoinRequest',
      { communityId: listed.id, userId: asker.id, approve: true },
      facilitator.token,
      'membership { status role user { id } }',
    );
    const after = await managementAs(server, listed.id, facilitator.token);
    const community = await communityAs(server, listed.id, asker.token);

    expect(userIdsOf(before.joinRequests)).toContain(asker.id);
    expect(before.joinRequests.nodes.every((node: Json) => node.status === 'REQUESTED')).toBe(true);
    expect(decided.data.membership).toEqual({
      status: 'ACTIVE',
      role: 'MEMBER',
      user: { id: asker.id },
    });
    expect(userIdsOf(after.joinRequests)).not.toContain(asker.id);
    expect(userIdsOf(after.members)).toContain(asker.id);
    expect(community.threads.nodes.map((node: Json) => node.id)).toEqual([listed.threadId]);
    expect(community.viewerRequestPending).toBe(false);
    expect(latestEntry(after, 'community.request_approved')).toMatchObject({
      actor: { id: facilitator.id },
      subjectUser: { id: asker.id },
    });
  });

  test('declined request ends and may be made again', async () => {
    const asker = await signUpUser(server, { displayName: 'Declined Dara' });
    await attempt(server, 'requestToJoin', { communityId: listed.id }, asker.token);

    const declined = await attempt(
      server,
      'decideJoinRequest',
      { communityId: listed.id, userId: asker.id, approve: false },
      facilitator.token,
      'membership { id }',
    );
    const management = await managementAs(server, listed.id, facilitator.token);
    const community = await communityAs(server, listed.id, asker.token);
    const again = await attempt(
      server,
      'requestToJoin',
      { communityId: listed.id },
      asker.token,
      'status',
    );

    expect(declined.__typename).toBe('MutationDecideJoinRequestSuccess');
    expect(declined.data.membership).toBeNull();
    expect(userIdsOf(management.joinRequests)).not.toContain(asker.id);
    expect(userIdsOf(management.members)).not.toContain(asker.id);
    expect(community.viewerRequestPending).toBe(false);
    expect(community.threads).toBeNull();
    expect(latestEntry(management, 'community.request_declined')).toMatchObject({
      actor: { id: facilitator.id },
      subjectUser: { id: asker.id },
    });
    expect(again.data).toEqual({ status: 'REQUESTED' });
  });

  test('plain member cannot decide a request', async () => {
    const asker = await signUpUser(server, { displayName: 'Waiting Wen' });
    await attempt(server, 'requestToJoin', { communityId: listed.id }, asker.token);

    const decided = await attempt(
      server,
      'decideJoinRequest',
      { communityId: listed.id, userId: asker.id, approve: true },
      member.token,
    );
    const management = await managementAs(server, listed.id, owner.token);

    expect(decided.__typename).toBe('ForbiddenError');
    expect(userIdsOf(management.joinRequests)).toContain(asker.id);
    expect(await readsThreads(server, listed.id, asker.token)).toBe(false);
  });

  test('leaveCommunity withdraws a pending request', async () => {
    const asker = await signUpUser(server, { displayName: 'Withdrawing Will' });
    await attempt(server, 'requestToJoin', { communityId: listed.id }, asker.token);

    const left = await attempt(
      server,
      'leaveCommunity',
      { communityId: listed.id },
      asker.token,
      'community { id }',
    );
    const management = await managementAs(server, listed.id, owner.token);
    const community = await communityAs(server, listed.id, asker.token);

    expect(left.__typename).toBe('MutationLeaveCommunitySuccess');
    // The payload's community is null for someone who cannot read it, as a withdrawn asker.
    expect(left.data.community).toBeNull();
    expect(userIdsOf(management.joinRequests)).not.toContain(asker.id);
    expect(community.viewerRequestPending).toBe(false);
  });

  test('unlisted private community is not found', async () => {
    const unlisted = await createCommunity(server, owner, {
      name: 'Unlisted Circle',
      visibility: 'PRIVATE',
      listed: false,
    });

    const requested = await attempt(
      server,
      'requestToJoin',
      { communityId: unlisted.id },
      member.token,
    );
    const management = await managementAs(server, unlisted.id, owner.token);

    expect(requested.__typename).toBe('NotFoundError');
    expect(management.joinRequests.nodes).toEqual([]);
  });

  test('public community answers with a conflict', async () => {
    const open = await createCommunity(server, owner, {
      name: 'Open Lounge',
      visibility: 'PUBLIC',
    });

    const requested = await attempt(
      server,
      'requestToJoin',
      { communityId: open.id },
      member.token,
    );
    const management = await managementAs(server, open.id, owner.token);

    expect(requested.__typename).toBe('ConflictError');
    expect(requested.message).toMatch(/join it directly/);
    expect(management.joinRequests.nodes).toEqual([]);
  });
});

describe.each(await databaseKinds())('member roles on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let facilitator: Person;
  let member: Person;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Rosa Owner' });
    facilitator = await signUpUser(server, { displayName: 'Felix Facilitator' });
    member = await signUpUser(server, { displayName: 'Mina Member' });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('promoted facilitator approves requests', async () => {
    const community = await createCommunity(server, owner, {
      name: 'Promotion Circle',
      visibility: 'PRIVATE',
      members: [member],
    });
    const asker = await signUpUser(server, { displayName: 'Asking Abel' });
    await attempt(server, 'requestToJoin', { communityId: community.id }, asker.token);
    const beforePromotion = await attempt(
      server,
      'decideJoinRequest',
      { communityId: community.id, userId: asker.id, approve: true },
      member.token,
    );

    const promoted = await attempt(
      server,
      'changeMemberRole',
      { communityId: community.id, userId: member.id, role: 'FACILITATOR' },
      owner.token,
      'role status user { id }',
    );
    const approved = await attempt(
      server,
      'decideJoinRequest',
      { communityId: community.id, userId: asker.id, approve: true },
      member.token,
      'membership { status }',
    );
    const management = await managementAs(server, community.id, owner.token);
    const entry = latestEntry(management, 'community.role_changed');

    expect(beforePromotion.__typename).toBe('ForbiddenError');
    expect(promoted.data).toEqual({
      role: 'FACILITATOR',
      status: 'ACTIVE',
      user: { id: member.id },
    });
    expect(approved.data.membership.status).toBe('ACTIVE');
    expect(await readsThreads(server, community.id, asker.token)).toBe(true);
    expect(entry.details).toEqual({ from: 'member', to: 'facilitator' });
    expect(entry.actor).toEqual({ id: owner.id });
    expect(entry.subjectUser).toEqual({ id: member.id });
  });

  test('facilitator cannot change roles', async () => {
    const community = await createCommunity(server, owner, {
      name: 'Steady Circle',
      visibility: 'PUBLIC',
      facilitators: [facilitator],
      members: [member],
    });

    const promote = await attempt(
      server,
      'changeMemberRole',
      { communityId: community.id, userId: member.id, role: 'FACILITATOR' },
      facilitator.token,
    );
    const selfPromote = await attempt(
      server,
      'changeMemberRole',
      { communityId: community.id, userId: facilitator.id, role: 'OWNER' },
      facilitator.token,
    );
    const management = await managementAs(server, community.id, owner.token);

    expect(promote.__typename).toBe('ForbiddenError');
    expect(selfPromote.__typename).toBe('ForbiddenError');
    expect(roleOf(management, member)).toBe('MEMBER');
    expect(roleOf(management, facilitator)).toBe('FACILITATOR');
    expect(roleOf(management, owner)).toBe('OWNER');
  });

  test('only owner steps down after naming another', async () => {
    const community = await createCommunity(server, owner, {
      name: 'Handover Circle',
      visibility: 'PUBLIC',
      facilitators: [facilitator],
    });

    const alone = await attempt(
      server,
      'changeMemberRole',
      { communityId: community.id, userId: owner.id, role: 'MEMBER' },
      owner.token,
    );
    const stillOwner = await managementAs(server, community.id, owner.token);
    const named = await attempt(
      server,
      'changeMemberRole',
      { communityId: community.id, userId: facilitator.id, role: 'OWNER' },
      owner.token,
      'role',
    );
    const steppedDown = await attempt(
      server,
      'changeMemberRole',
      { communityId: community.id, userId: owner.id, role: 'MEMBER' },
      owner.token,
      'role',
    );
    const management = await managementAs(server, community.id, facilitator.token);
    const entry = latestEntry(management, 'community.role_changed');

    expect(alone.__typename).toBe('ConflictError');
    expect(alone.message).toMatch(/only owner/);
    expect(roleOf(stillOwner, owner)).toBe('OWNER');
    expect(named.data.role).toBe('OWNER');
    expect(steppedDown.data.role).toBe('MEMBER');
    expect(roleOf(management, owner)).toBe('MEMBER');
    expect(roleOf(management, facilitator)).toBe('OWNER');
    expect(entry.details).toEqual({ from: 'owner', to: 'member' });
    expect(entry.actor).toEqual({ id: owner.id });
    expect(entry.subjectUser).toEqual({ id: owner.id });
  });
});

describe.each(await databaseKinds())('removal and bans on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let facilitator: Person;
  let secondFacilitator: Person;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Bea Owner' });
    facilitator = await signUpUser(server, { displayName: 'Finn Facilitator' });
    secondFacilitator = await signUpUser(server, { displayName: 'Greta Facilitator' });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('facilitator removes a member', async () => {
    const member = await signUpUser(server, { displayName: 'Removed Rami' });
    const community = await createCommunity(server, owner, {
      name: 'Pruned Circle',
      visibility: 'PRIVATE',
      facilitators: [facilitator],
      members: [member],
    });
    const readBefore = await readsThreads(server, community.id, member.token);

    const removed = await attempt(
      server,
      'removeMember',
      { communityId: community.id, userId: member.id, reason: 'Left the school' },
      facilitator.token,
      'id memberCount',
    );
    const management = await managementAs(server, community.id, owner.token);
    const entry = latestEntry(management, 'community.member_removed');

    expect(readBefore).toBe(true);
    expect(removed.data).toEqual({ id: community.id, memberCount: 2 });
    expect(await readsThreads(server, community.id, member.token)).toBe(false);
    expect(userIdsOf(management.members)).not.toContain(member.id);
    expect(userIdsOf(management.bannedMembers)).not.toContain(member.id);
    expect(entry.actor).toEqual({ id: facilitator.id });
    expect(entry.subjectUser).toEqual({ id: member.id });
    expect(entry.details).toEqual({
      reason: 'Left the school',
      previousRole: 'member',
      previousStatus: 'active',
    });
  });

  test('facilitator cannot remove a facilitator or the owner', async () => {
    const community = await createCommunity(server, owner, {
      name: 'Guarded Circle',
      visibility: 'PRIVATE',
      facilitators: [facilitator, secondFacilitator],
    });

    const peer = await attempt(
      server,
      'removeMember',
      { communityId: community.id, userId: secondFacilitator.id },
      facilitator.token,
    );
    const peerBan = await attempt(
      server,
      'removeMember',
      { communityId: community.id, userId: secondFacilitator.id, ban: true },
      facilitator.token,
    );
    const theOwner = await attempt(
      server,
      'removeMember',
      { communityId: community.id, userId: owner.id },
      facilitator.token,
    );
    const management = await managementAs(server, community.id, owner.token);

    expect(peer.__typename).toBe('ForbiddenError');
    expect(peer.message).toMatch(/Only an owner can remove a facilitator/);
    expect(peerBan.__typename).toBe('ForbiddenError');
    expect(theOwner.__typename).toBe('ForbiddenError');
    expect(theOwner.message).toMatch(/owner cannot be removed/);
    expect(roleOf(management, secondFacilitator)).toBe('FACILITATOR');
    expect(roleOf(management, owner)).toBe('OWNER');
    expect(management.bannedMembers.nodes).toEqual([]);
    expect(latestEntry(management, 'community.member_removed')).toBeUndefined();
    expect(latestEntry(management, 'community.member_banned')).toBeUndefined();
  });

  test('owner removes a facilitator', async () => {
    const community = await createCommunity(server, owner, {
      name: 'Reshuffled Circle',
      visibility: 'PRIVATE',
      facilitators: [secondFacilitator],
    });

    const removed = await attempt(
      server,
      'removeMember',
      { communityId: community.id, userId: secondFacilitator.id },
      owner.token,
      'id',
    );
    const management = await managementAs(server, community.id, owner.token);

    expect(removed.__typename).toBe('MutationRemoveMemberSuccess');
    expect(userIdsOf(management.members)).toEqual([owner.id]);
    expect(await readsThreads(server, community.id, secondFacilitator.token)).toBe(false);
    expect(latestEntry(management, 'community.member_removed').details.previousRole).toBe(
      'facilitator',
    );
  });

  test('ban blocks joining until lifted', async () => {
    const member = await signUpUser(server, { displayName: 'Banned Boris' });
    const community = await createCommunity(server, owner, {
      name: 'Open Forum',
      visibility: 'PUBLIC',
      facilitators: [facilitator],
      members: [member],
    });

    const banned = await attempt(
      server,
      'removeMember',
      { communityId: community.id, userId: member.id, ban: true, reason: 'Repeated spam' },
      facilitator.token,
      'id',
    );
    const join = await attempt(
      server,
      'joinCommunity',
      { communityId: community.id },
      member.token,
    );
    const request = await attempt(
      server,
      'requestToJoin',
      { communityId: community.id },
      member.token,
    );
    const whileBanned = await managementAs(server, community.id, facilitator.token);
    const unbanned = await attempt(
      server,
      'unbanMember',
      { communityId: community.id, userId: member.id },
      facilitator.token,
      'id',
    );
    const rejoin = await attempt(
      server,
      'joinCommunity',
      { communityId: community.id },
      member.token,
      'status',
    );
    const after = await managementAs(server, community.id, facilitator.token);
    const banEntry = latestEntry(after, 'community.member_banned');
    const unbanEntry = latestEntry(after, 'community.member_unbanned');

    expect(banned.__typename).toBe('MutationRemoveMemberSuccess');
    expect(join.__typename).toBe('ForbiddenError');
    expect(join.message).toMatch(/banned/);
    expect(request.__typename).toBe('ForbiddenError');
    expect(request.message).toMatch(/banned/);
    expect(whileBanned.bannedMembers.nodes).toEqual([
      { status: 'BANNED', user: { id: member.id } },
    ]);
    expect(userIdsOf(whileBanned.members)).not.toContain(member.id);
    expect(unbanned.__typename).toBe('MutationUnbanMemberSuccess');
    expect(rejoin.data).toEqual({ status: 'ACTIVE' });
    expect(after.bannedMembers.nodes).toEqual([]);
    expect(userIdsOf(after.members)).toContain(member.id);
    expect(banEntry.details).toEqual({
      reason: 'Repeated spam',
      previousRole: 'member',
      previousStatus: 'active',
    });
    expect(banEntry.actor).toEqual({ id: facilitator.id });
    expect(unbanEntry.subjectUser).toEqual({ id: member.id });
  });

  test('ban of a non-member blocks requests', async () => {
    const stranger = await signUpUser(server, { displayName: 'Stranger Sol' });
    const community = await createCommunity(server, owner, {
      name: 'Closed Circle',
      visibility: 'PRIVATE',
    });

    const banned = await attempt(
      server,
      'removeMember',
      { communityId: community.id, userId: stranger.id, ban: true, reason: 'Known troll' },
      owner.token,
      'id',
    );
    const request = await attempt(
      server,
      'requestToJoin',
      { communityId: community.id },
      stranger.token,
    );
    const management = await managementAs(server, community.id, owner.token);

    expect(banned.__typename).toBe('MutationRemoveMemberSuccess');
    expect(request.__typename).toBe('ForbiddenError');
    expect(request.message).toMatch(/banned/);
    expect(userIdsOf(management.bannedMembers)).toEqual([stranger.id]);
    expect(management.joinRequests.nodes).toEqual([]);
    expect(latestEntry(management, 'community.member_banned').details).toEqual({
      reason: 'Known troll',
      previousRole: null,
      previousStatus: null,
    });
  });

  test('rejects a ban reason over 500 characters', async () => {
    const member = await signUpUser(server, { displayName: 'Lucky Lena' });
    const community = await createCommunity(server, owner, {
      name: 'Wordy Circle',
      visibility: 'PUBLIC',
      members: [member],
    });

    const banned = await attempt(
      server,
      'removeMember',
      { communityId: community.id, userId: member.id, ban: true, reason: 'x'.repeat(501) },
      owner.token,
    );
    const management = await managementAs(server, community.id, owner.token);

    expect(banned.__typename).toBe('ValidationError');
    expect(banned.issues.map((issue: Json) => issue.path)).toEqual([['reason']]);
    expect(userIdsOf(management.members)).toContain(member.id);
    expect(management.bannedMembers.nodes).toEqual([]);
    expect(latestEntry(management, 'community.member_banned')).toBeUndefined();

    const atLimit = await attempt(
      server,
      'removeMember',
      { communityId: community.id, userId: member.id, ban: true, reason: 'y'.repeat(500) },
      owner.token,
    );
    const after = await managementAs(server, community.id, owner.token);

    expect(atLimit.__typename).toBe('MutationRemoveMemberSuccess');
    expect(latestEntry(after, 'community.member_banned').details.reason).toBe('y'.repeat(500));
  });
});

/**
 * Opens a server-sent event stream of one subscription, read as text. A read that times out
 * stays pending and the next call reuses it, so no chunk is lost.
 */
function openEventStream(
  server: TestServer,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
) {
  const controller = new AbortController();
  const response = fetch(`${server.url}/graphql`, {
    method: 'POST',
    signal: controller.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const decoder = new TextDecoder();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  let text = '';
  let ended = false;

  return {
    /** Resolves once the response headers arrived. */
    opened: response.then((value) => value.status),
    /** Reads until the text contains `pattern`, the stream ends or `timeoutMs` passes. */
    async readUntil(pattern: string, timeoutMs: number): Promise<string> {
      reader ??= ((await response).body as ReadableStream<Uint8Array>).getReader();
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(pattern) && !ended && Date.now() < deadline) {
        if (!pending) {
          pending = reader.read();
          // The abort in close() rejects a read that no caller awaits any more.
          pending.catch(() => {});
        }
        const chunk = await Promise.race([
          pending,
          new Promise<null>((resolve) => setTimeout(() => resolve(null), deadline - Date.now())),
        ]);
        if (chunk === null) {
          break;
        }
        pending = undefined;
        if (chunk.done) {
          ended = true;
        } else {
          text += decoder.decode(chunk.value, { stream: true });
        }
      }
      return text;
    },
    get ended() {
      return ended;
    },
    close() {
      controller.abort();
    },
  };
}

describe.each(await databaseKinds())('live subscriptions after access changes on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Sam Owner' });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function postReply(threadId: string, body: string): Promise<void> {
    await mutate(server, 'createPost', 'CreatePostInput', { threadId, body }, 'id', owner.token);
  }

  async function startThread(communityId: string, title: string): Promise<void> {
    await mutate(
      server,
      'createThread',
      'CreateThreadInput',
      { communityId, title, body: 'News' },
      'id',
      owner.token,
    );
  }

  test('removal ends WebSocket subscriptions at once', async () => {
    const member = await signUpUser(server, { displayName: 'Socket Sita' });
    const community = await createCommunity(server, owner, {
      name: 'Socket Circle',
      visibility: 'PRIVATE',
      members: [member],
    });
    const socket = server.socket({ token: member.token });
    const activity = collect(socket, COMMUNITY_ACTIVITY, { id: community.id });
    const replies = collect(socket, THREAD_ACTIVITY, { id: community.threadId });
    await Promise.all([activity.settle(200), replies.settle(0)]);
    await startThread(community.id, 'Before removal');
    await postReply(community.threadId, 'Before removal');
    const liveActivity = await activity.next();
    const liveReplyActivity = await activity.next();
    const liveReply = await replies.next();

    const removedAt = Date.now();
    await attempt(
      server,
      'removeMember',
      { communityId: community.id, userId: member.id },
      owner.token,
    );
    const [activityEnd, repliesEnd] = await Promise.all([activity.next(1000), replies.next(1000)]);
    const elapsedMs = Date.now() - removedAt;
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(liveActivity.data.communityActivity.type).toBe('THREAD_CREATED');
    expect(liveReplyActivity.data.communityActivity.type).toBe('REPLY_POSTED');
    expect(liveReply.data.threadActivity.post.body).toBe('Before removal');
    expect(activityEnd.data ?? null).toBeNull();
    expect(activityEnd.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(repliesEnd.data ?? null).toBeNull();
    expect(repliesEnd.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(elapsedMs).toBeLessThan(1000);
    expect(activity.completed).toBe(true);
    expect(replies.completed).toBe(true);
    expect(activity.results).toHaveLength(3);
    expect(replies.results).toHaveLength(2);
  });

  test('removal ends server-sent event streams at once', async () => {
    const member = await signUpUser(server, { displayName: 'Stream Stella' });
    const community = await createCommunity(server, owner, {
      name: 'Stream Circle',
      visibility: 'PRIVATE',
      members: [member],
    });
    const activity = openEventStream(
      server,
      COMMUNITY_ACTIVITY,
      { id: community.id },
      member.token,
    );
    const replies = openEventStream(
      server,
      THREAD_ACTIVITY,
      { id: community.threadId },
      member.token,
    );
    try {
      expect(await activity.opened).toBe(200);
      expect(await replies.opened).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await startThread(community.id, 'Streamed before removal');
      await postReply(community.threadId, 'Streamed reply');
      const liveActivity = await activity.readUntil('THREAD_CREATED', 5000);
      const liveReply = await replies.readUntil('Streamed reply', 5000);

      const removedAt = Date.now();
      await attempt(
        server,
        'removeMember',
        { communityId: community.id, userId: member.id },
        owner.token,
      );
      const [activityText, repliesText] = await Promise.all([
        activity.readUntil('FORBIDDEN', 1000),
        replies.readUntil('FORBIDDEN', 1000),
      ]);
      const elapsedMs = Date.now() - removedAt;

      expect(liveActivity).toContain('THREAD_CREATED');
      expect(liveReply).toContain('Streamed reply');
      expect(activityText).toContain('"FORBIDDEN"');
      expect(repliesText).toContain('"FORBIDDEN"');
      expect(elapsedMs).toBeLessThan(1000);
      expect(activityText.match(/THREAD_CREATED/g)).toHaveLength(1);
      expect(repliesText.match(/POST_ADDED/g)).toHaveLength(1);
    } finally {
      activity.close();
      replies.close();
    }
  });

  test('going private ends non-member subscriptions at once', async () => {
    const member = await signUpUser(server, { displayName: 'Staying Stan' });
    const visitor = await signUpUser(server, { displayName: 'Visiting Vera' });
    const community = await createCommunity(server, owner, {
      name: 'Closing Lounge',
      visibility: 'PUBLIC',
      members: [member],
    });
    const visitorEvents = server.subscribe(
      COMMUNITY_ACTIVITY,
      { id: community.id },
      { token: visitor.token },
    );
    const memberEvents = server.subscribe(
      COMMUNITY_ACTIVITY,
      { id: community.id },
      { token: member.token },
    );
    await Promise.all([visitorEvents.settle(200), memberEvents.settle(0)]);
    await startThread(community.id, 'While public');
    const visitorSaw = await visitorEvents.next();
    const memberSaw = await memberEvents.next();

    const changedAt = Date.now();
    await attempt(
      server,
      'updateCommunity',
      { communityId: community.id, visibility: 'PRIVATE' },
      owner.token,
    );
    const visitorEnd = await visitorEvents.next(1000);
    const elapsedMs = Date.now() - changedAt;
    await startThread(community.id, 'Members only');
    const memberAfter = await memberEvents.next();

    expect(visitorSaw.data.communityActivity.type).toBe('THREAD_CREATED');
    expect(memberSaw.data.communityActivity.type).toBe('THREAD_CREATED');
    expect(visitorEnd.data ?? null).toBeNull();
    expect(visitorEnd.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(elapsedMs).toBeLessThan(1000);
    expect(memberAfter.data.communityActivity.type).toBe('THREAD_CREATED');
    expect(visitorEvents.results).toHaveLength(2);
    await visitorEvents.close();
    await memberEvents.close();
  });
});

describe.each(await databaseKinds())('invitations on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let facilitator: Person;
  let member: Person;
  let community: CommunityFixture;

  const PREVIEW =
    'query($token: String!) { invitation(token: $token) { communityName communitySlug email state } }';

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Ivy Owner' });
    facilitator = await signUpUser(server, { displayName: 'Ike Facilitator' });
    member = await signUpUser(server, { displayName: 'Milo Member' });
    community = await createCommunity(server, owner, {
      name: 'Invitation Circle',
      visibility: 'PRIVATE',
      listed: false,
      facilitators: [facilitator],
      members: [member],
    });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  /**
   * Invites `email` and returns the invitation's id and the token of the link in the queued mail.
   * The mail rate limit allows 5 invitations per inviter and hour, so tests share the sending.
   */
  async function invite(email: string, inviter: Person): Promise<{ id: string; token: string }> {
    const invitation = await mutate(
      server,
      'inviteToCommunity',
      'InviteToCommunityInput',
      { communityId: community.id, email },
      'id',
      inviter.token,
    );
    const [mail] = await server.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.recipient, email))
      .orderBy(desc(mailOutbox.id))
      .limit(1);
    const token = /\/invitations\/(\S+)/.exec(mail?.textBody ?? '')?.[1];
    if (!token) {
      throw new Error(`No invitation link in the mail to ${email}: ${JSON.stringify(mail)}`);
    }
    return { id: invitation.id, token: decodeURIComponent(token) };
  }

  async function preview(token: string, viewerToken?: string): Promise<Json> {
    const result = await server.graphql(PREVIEW, { token }, { token: viewerToken });
    return result.body.data.invitation;
  }

  test('invitee signs up and accepts', async () => {
    const email = 'new.teacher@example.org';

    const invitation = await invite(email, facilitator);
    const [mail] = await server.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.recipient, email));
    const signedOut = await preview(invitation.token);
    const invitee = await signUpUser(server, { email, displayName: 'Nia Newcomer' });
    const readBefore = await readsThreads(server, community.id, invitee.token);
    const accepted = await attempt(
      server,
      'acceptInvitation',
      { token: invitation.token },
      invitee.token,
      'status role community { id }',
    );
    const again = await attempt(
      server,
      'acceptInvitation',
      { token: invitation.token },
      invitee.token,
    );
    const revokeAccepted = await attempt(
      server,
      'revokeInvitation',
      { invitationId: invitation.id },
      facilitator.token,
    );
    const management = await managementAs(server, community.id, facilitator.token);

    expect(mail?.subject).toContain('Invitation Circle');
    expect(mail?.textBody).toContain(`/invitations/${encodeURIComponent(invitation.token)}`);
    expect(signedOut).toMatchObject({
      communityName: 'Invitation Circle',
      email,
      state: 'PENDING',
    });
    expect(readBefore).toBe(false);
    expect(accepted.data).toEqual({
      status: 'ACTIVE',
      role: 'MEMBER',
      community: { id: community.id },
    });
    expect(await readsThreads(server, community.id, invitee.token)).toBe(true);
    expect(again.__typename).toBe('ConflictError');
    expect(revokeAccepted.__typename).toBe('ConflictError');
    expect(await preview(invitation.token)).toMatchObject({ state: 'ACCEPTED' });
    expect(userIdsOf(management.members)).toContain(invitee.id);
    expect(latestEntry(management, 'community.invitation_sent').details.email).toBe(email);
    expect(latestEntry(management, 'community.invitation_accepted').subjectUser).toEqual({
      id: invitee.id,
    });
  });

  test('rejects a token used by another email', async () => {
    const invitation = await invite('intended@example.org', facilitator);
    const other = await signUpUser(server, { displayName: 'Other Otto' });

    const accepted = await attempt(
      server,
      'acceptInvitation',
      { token: invitation.token },
      other.token,
    );
    const management = await managementAs(server, community.id, owner.token);

    expect(accepted.__typename).toBe('ForbiddenError');
    expect(accepted.message).toMatch(/another email address/);
    expect(await preview(invitation.token)).toMatchObject({ state: 'PENDING' });
    expect(await readsThreads(server, community.id, other.token)).toBe(false);
    expect(userIdsOf(management.members)).not.toContain(other.id);
  });

  test('revoked invitation cannot be accepted', async () => {
    const email = 'revoked@example.org';
    const invitation = await invite(email, facilitator);
    const invitee = await signUpUser(server, { email, displayName: 'Revoked Rita' });

    const revoked = await attempt(
      server,
      'revokeInvitation',
      { invitationId: invitation.id },
      facilitator.token,
      'state',
    );
    const accepted = await attempt(
      server,
      'acceptInvitation',
      { token: invitation.token },
      invitee.token,
    );
    const management = await managementAs(server, community.id, owner.token);

    expect(revoked.data).toEqual({ state: 'REVOKED' });
    expect(accepted.__typename).toBe('ConflictError');
    expect(accepted.message).toMatch(/withdrawn/);
    expect(await preview(invitation.token)).toMatchObject({ state: 'REVOKED' });
    expect(await readsThreads(server, community.id, invitee.token)).toBe(false);
    expect(latestEntry(management, 'community.invitation_revoked').details.email).toBe(email);
  });

  test('expired invitation cannot be accepted', async () => {
    const email = 'late@example.org';
    const invitation = await invite(email, owner);
    const invitee = await signUpUser(server, { email, displayName: 'Late Leo' });
    await server.database.db
      .update(communityInvitations)
      .set({ expiresAt: new Date(Date.now() - 60_000).toISOString() })
      .where(eq(communityInvitations.id, rowId(invitation.id)));

    const accepted = await attempt(
      server,
      'acceptInvitation',
      { token: invitation.token },
      invitee.token,
    );

    expect(accepted.__typename).toBe('ConflictError');
    expect(accepted.message).toMatch(/expired/);
    expect(await preview(invitation.token)).toMatchObject({ state: 'EXPIRED' });
    expect(await readsThreads(server, community.id, invitee.token)).toBe(false);
  });

  test('unknown token is not found', async () => {
    const accepted = await attempt(
      server,
      'acceptInvitation',
      { token: 'x'.repeat(43) },
      member.token,
    );
    const short = await attempt(server, 'acceptInvitation', { token: 'nope' }, member.token);

    expect(accepted.__typename).toBe('NotFoundError');
    expect(short.__typename).toBe('NotFoundError');
    expect(await preview('x'.repeat(43))).toBeNull();
  });

  test('rejects inviting an active member', async () => {
    const invited = await attempt(
      server,
      'inviteToCommunity',
      { communityId: community.id, email: member.email.toUpperCase() },
      owner.token,
    );

    expect(invited.__typename).toBe('ConflictError');
    expect(invited.message).toContain('already a member');
  });

  test('rejects an invalid email', async () => {
    const mailBefore = await server.database.db.select().from(mailOutbox);

    const invited = await attempt(
      server,
      'inviteToCommunity',
      { communityId: community.id, email: 'not-an-email' },
      facilitator.token,
    );
    const mailAfter = await server.database.db.select().from(mailOutbox);

    expect(invited.__typename).toBe('ValidationError');
    expect(invited.issues.map((issue: Json) => issue.path)).toEqual([['email']]);
    expect(mailAfter).toHaveLength(mailBefore.length);
  });

  test('plain member cannot invite', async () => {
    const invited = await attempt(
      server,
      'inviteToCommunity',
      { communityId: community.id, email: 'friend@example.org' },
      member.token,
    );
    const [mail] = await server.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.recipient, 'friend@example.org'));

    expect(invited.__typename).toBe('ForbiddenError');
    expect(mail).toBeUndefined();
  });

  test('second invitation revokes the first link', async () => {
    const email = 'twice@example.org';
    const first = await invite(email, owner);

    const second = await invite(email, owner);
    const asFacilitator = await managementAs(server, community.id, facilitator.token);
    const asMember = await managementAs(server, community.id, member.token);
    const invitee = await signUpUser(server, { email, displayName: 'Twice Tara' });
    const withFirst = await attempt(
      server,
      'acceptInvitation',
      { token: first.token },
      invitee.token,
    );
    const withSecond = await attempt(
      server,
      'acceptInvitation',
      { token: second.token },
      invitee.token,
      'status',
    );

    expect(second.token).not.toBe(first.token);
    expect(asFacilitator.invitations.nodes.filter((node: Json) => node.email === email)).toEqual([
      { id: second.id, email, state: 'PENDING' },
      { id: first.id, email, state: 'REVOKED' },
    ]);
    expect(asMember.invitations).toBeNull();
    expect(asMember.joinRequests).toBeNull();
    expect(asMember.bannedMembers).toBeNull();
    expect(withFirst.__typename).toBe('ConflictError');
    expect(withSecond.data).toEqual({ status: 'ACTIVE' });
  });
});

describe.each(await databaseKinds())('audit log visibility on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let facilitator: Person;
  let member: Person;
  let districtAdmin: Person;
  let platformAdmin: Person;
  let community: CommunityFixture;
  let districtSlug: string;

  const AUDIT =
    'query($id: ID!) { node(id: $id) { ... on Community { auditLog { nodes { id action communityId } } } } }';

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    const db = server.database.db;
    owner = await signUpUser(server, { displayName: 'Dora Owner' });
    facilitator = await signUpUser(server, { displayName: 'Dan Facilitator' });
    member = await signUpUser(server, { displayName: 'Dee Member' });
    districtAdmin = await signUpUser(server, { displayName: 'Ada Admin' });
    platformAdmin = await signUpUser(server, { displayName: 'Pia Platform' });
    const removed = await signUpUser(server, { displayName: 'Ravi Removed' });

    districtSlug = 'audit-district';
    const [district] = await db
      .insert(districts)
      .values({ slug: districtSlug, name: 'Audit District' })
      .returning({ id: districts.id });
    const districtId = district?.id as number;
    for (const person of [owner, facilitator, member, removed]) {
      await db
        .update(users)
        .set({ districtId })
        .where(eq(users.id, rowId(person.id)));
    }
    await db.insert(districtAdmins).values({ districtId, userId: rowId(districtAdmin.id) });
    await db
      .update(users)
      .set({ isPlatformAdmin: true })
      .where(eq(users.id, rowId(platformAdmin.id)));

    community = await createCommunity(server, owner, {
      name: 'District Coaches',
      visibility: 'DISTRICT',
      facilitators: [facilitator],
      members: [member, removed],
    });
    await mutate(
      server,
      'removeMember',
      'RemoveMemberInput',
      { communityId: community.id, userId: removed.id, reason: 'Moved away' },
      'id',
      facilitator.token,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('community log is for moderators', async () => {
    const asMember = await server.graphql(AUDIT, { id: community.id }, { token: member.token });
    const asFacilitator = await server.graphql(
      AUDIT,
      { id: community.id },
      { token: facilitator.token },
    );
    const asOwner = await server.graphql(AUDIT, { id: community.id }, { token: owner.token });

    expect(asMember.body.data.node).not.toBeNull();
    expect(asMember.body.data.node.auditLog).toBeNull();
    const actions = asFacilitator.body.data.node.auditLog.nodes.map((node: Json) => node.action);
    expect(actions).toEqual([
      'community.member_removed',
      'community.settings_changed',
      'community.role_changed',
    ]);
    expect(asOwner.body.data.node.auditLog.nodes).toEqual(
      asFacilitator.body.data.node.auditLog.nodes,
    );
  });

  test('district log shows community entries to its admin', async () => {
    const query =
      'query($slug: String!) { district(slug: $slug) { auditLog { nodes { action communityId details } } } }';

    const asAdmin = await server.graphql(
      query,
      { slug: districtSlug },
      { token: districtAdmin.token },
    );
    const asMember = await server.graphql(query, { slug: districtSlug }, { token: member.token });
    const asFacilitator = await server.graphql(
      query,
      { slug: districtSlug },
      { token: facilitator.token },
    );

    const entries = asAdmin.body.data.district.auditLog.nodes;
    const removal = entries.find((entry: Json) => entry.action === 'community.member_removed');
    expect(removal.communityId).toBe(community.id);
    expect(JSON.parse(removal.details).reason).toBe('Moved away');
    expect(entries.map((entry: Json) => entry.action)).toContain('community.settings_changed');
    expect(asMember.body.data.district.auditLog).toBeNull();
    expect(asFacilitator.body.data.district.auditLog).toBeNull();
  });

  test('platform log is for platform admins', async () => {
    const query = '{ platformAuditLog(first: 50) { nodes { action communityId } } }';

    const asPlatformAdmin = await server.graphql(query, {}, { token: platformAdmin.token });
    const asDistrictAdmin = await server.graphql(query, {}, { token: districtAdmin.token });
    const asOwner = await server.graphql(query, {}, { token: owner.token });
    const signedOut = await server.graphql(query);

    const actions = asPlatformAdmin.body.data.platformAuditLog.nodes.map(
      (node: Json) => node.action,
    );
    expect(actions).toContain('community.member_removed');
    expect(actions).toContain('community.role_changed');
    for (const [who, denied] of [
      ['district admin', asDistrictAdmin],
      ['owner', asOwner],
      ['signed out', signedOut],
    ] as const) {
      expect(denied.body.data, who).toBeNull();
      expect(denied.body.errors?.length, who).toBeGreaterThan(0);
      expect(JSON.stringify(denied.body), who).not.toContain('member_removed');
    }
  });

  test('audit entry by id is hidden from members', async () => {
    const [entry] = await server.database.db
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.communityId, rowId(community.id)),
          eq(auditLog.action, 'community.member_removed'),
        ),
      );
    const listed = await server.graphql(AUDIT, { id: community.id }, { token: facilitator.token });
    const entryId = listed.body.data.node.auditLog.nodes[0].id;
    const query = 'query($id: ID!) { node(id: $id) { id ... on AuditEntry { action } } }';

    const asMember = await server.graphql(query, { id: entryId }, { token: member.token });
    const asFacilitator = await server.graphql(
      query,
      { id: entryId },
      { token: facilitator.token },
    );
    const asDistrictAdmin = await server.graphql(
      query,
      { id: entryId },
      { token: districtAdmin.token },
    );

    expect(rowId(entryId)).toBe(entry?.id);
    expect(asMember.body.data.node).toBeNull();
    expect(asFacilitator.body.data.node).toEqual({
      id: entryId,
      action: 'community.member_removed',
    });
    expect(asDistrictAdmin.body.data.node?.id).toBe(entryId);
  });
});

// Races need requests that run side by side, which the PostgreSQL server gives and PGlite's single
// connection does not.
describe.skipIf(!(await servicesAvailable('postgres')))(
  'concurrent owner changes on postgres',
  () => {
    let database: TestDatabase;
    let server: TestServer;
    let first: Person;
    let second: Person;

    const ROUNDS = 5;

    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      server = await startTestServer({ database });
      first = await signUpUser(server, { displayName: 'Ona Owner' });
      second = await signUpUser(server, { displayName: 'Tove Owner' });
    });

    afterAll(async () => {
      await server?.stop();
      await database?.drop();
    });

    /** Creates a public community that `first` and `second` both own. */
    async function createTwoOwnerCommunity(name: string): Promise<CommunityFixture> {
      const community = await createCommunity(server, first, {
        name,
        visibility: 'PUBLIC',
        members: [second],
      });
      await mutate(
        server,
        'changeMemberRole',
        'ChangeMemberRoleInput',
        { communityId: community.id, userId: second.id, role: 'OWNER' },
        'id',
        first.token,
      );
      return community;
    }

    async function ownerCount(communityId: string): Promise<number> {
      const result = await server.graphql(
        'query($id: ID!) { node(id: $id) { ... on Community { members { nodes { role } } } } }',
        { id: communityId },
      );
      return result.body.data.node.members.nodes.filter((node: Json) => node.role === 'OWNER')
        .length;
    }

    // Without a lock before the owner count, both would count two owners and leave none.
    test('two owners demoting each other keep one owner', async () => {
      const owners: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const community = await createTwoOwnerCommunity(`Demotion race ${round}`);

        await Promise.all([
          attempt(
            server,
            'changeMemberRole',
            { communityId: community.id, userId: second.id, role: 'MEMBER' },
            first.token,
          ),
          attempt(
            server,
            'changeMemberRole',
            { communityId: community.id, userId: first.id, role: 'MEMBER' },
            second.token,
          ),
        ]);
        owners.push(await ownerCount(community.id));
      }

      expect(owners).toEqual(Array(ROUNDS).fill(1));
    });

    // Without a lock before the owner count, both could pass the only-owner check.
    test('two owners leaving at once keep one owner', async () => {
      const owners: number[] = [];
      for (let round = 1; round <= ROUNDS * 2; round++) {
        const community = await createTwoOwnerCommunity(`Leaving race ${round}`);

        await Promise.all([
          attempt(server, 'leaveCommunity', { communityId: community.id }, first.token),
          attempt(server, 'leaveCommunity', { communityId: community.id }, second.token),
        ]);
        owners.push(await ownerCount(community.id));
      }

      expect(owners).toEqual(Array(ROUNDS * 2).fill(1));
    });
  },
);
