/**
 * SQL statements per request for the main pages of the web client. Each operation below is the
 * document a page sends, copied from client/, and runs on a small and a large data set. Its count
 * must match the table for both, so a resolver that loads per row or per author fails here.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { users } from '../../drizzle/tables/index.ts';
import { createAuthSession } from '../../server/services/account.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { type Json, mutate, rowIdOf, startTestServer, type TestServer } from '../helpers/server.ts';

/** SQL statements each operation runs, the same for the small and the large data set. */
const EXPECTED_STATEMENTS = {
  Community: 8,
  Thread: 7,
  LiveSession: 8,
  LiveRoomContent: 10,
  MyCommunities: 2,
  Directory: 3,
  UpcomingLiveSessions: 2,
  Badge: 6,
  Profile: 5,
  Notifications: 12,
  ReviewQueue: 6,
  DistrictAdmin: 3,
} as const;

type OperationName = keyof typeof EXPECTED_STATEMENTS;

// client/app/routes/community.tsx: COMMUNITY.
const LIVE_SESSION_FIELDS =
  'id title startsAt endsAt timeZone status rsvpCount host { displayName }';
const COMMUNITY = `query Community($slug: String!) { community(slug: $slug) {
  id slug name descriptionHtml focus visibility memberCount threadCount eventCursor
  viewerCanRead viewerCanRequestToJoin viewerRequestPending
  viewerCanPost viewerCanModerate viewerCanJoin viewerMembership { role }
  viewerFollowState
  threads(first: 30) { nodes { id title kind pinned locked replyCount lastActivityAt author { displayName }
    viewerUnreadCount } }
  upcomingLiveSessions(first: 10) { nodes { ${LIVE_SESSION_FIELDS} } }
  pastLiveSessions(first: 10) { nodes { ${LIVE_SESSION_FIELDS} } }
  badges(first: 30) { nodes { id name holderCount isteStandards { code name } } }
  members(first: 50) { nodes { id role user { id displayName school { name } } } } } }`;

// client/app/routes/thread.tsx: THREAD, with POST_FIELDS of client/app/components/post-view.tsx
// and POST_PAGE_SIZE of client/app/components/later-posts.ts.
const POST_PAGE_SIZE = 50;
const POST_FIELDS = `id body bodyHtml deleted edited createdAt isAcceptedAnswer viewerCanEdit
  author { id displayName } reactions { kind count viewerReacted }`;
const THREAD = `query Thread($id: ID!) { thread(id: $id) {
  id title bodyHtml kind pinned locked replyCount createdAt eventCursor
  viewerCanReply viewerCanModerate viewerCanAcceptAnswer
  viewerFollowState viewerUnreadCount viewerFirstUnreadPostId
  author { displayName } community { name slug }
  posts(first: ${POST_PAGE_SIZE}) {
    pageInfo { hasNextPage endCursor } nodes { ${POST_FIELDS} replies { ${POST_FIELDS} } } } } }`;

// client/app/components/live-room/room-documents.ts: the fields and page sizes of the live room.
const PERSON_FIELDS = 'id displayName';
const CHAT_FIELDS = `id sequence body createdAt editedAt deletedAt deletedByModerator viewerCanEdit
  author { ${PERSON_FIELDS} }`;
const QUESTION_FIELDS = `id body status voteCount viewerHasVoted createdAt resolvedAt
  author { ${PERSON_FIELDS} }`;
const CHAT_PAGE_SIZE = 50;
const QUESTION_PAGE_SIZE = 50;
const PRESENT_LIST_SIZE = 100;
const CHAT_PAGE = `pageInfo { hasPreviousPage startCursor } nodes { ${CHAT_FIELDS} }`;
const QUESTION_PAGE = `pageInfo { hasNextPage endCursor } nodes { ${QUESTION_FIELDS} }`;
const PRESENCE = `presentCount presentParticipants(first: ${PRESENT_LIST_SIZE}) { nodes { ${PERSON_FIELDS} } }`;
const ROOM_SETTINGS_FIELDS = `host { ${PERSON_FIELDS} } viewerCanManage viewerCanModerate viewerCanChat
  viewerIsMuted slowModeSeconds viewerNextChatAt chatMessageMaxLength questionMaxLength reactionEmojis
  typingIntervalSeconds eventCursor`;

// client/app/routes/live-session.tsx: LIVE_SESSION, the page's own query.
const LIVE_SESSION = `query LiveSession($id: ID!) { liveSession(id: $id) {
  id title description descriptionHtml startsAt endsAt timeZone status joinUrl joinUrlAvailableAt calendarUrl capacity rsvpCount waitlistCount viewerRsvp viewerSeat viewerWaitlistPosition
  community { name slug } ${ROOM_SETTINGS_FIELDS}
  occurrenceIndex detachedFromSeries series { id summary cancelledAt viewerCanManage
    frequency interval monthlyKind startTime timeZone count until
    occurrences(first: 1) { nodes { startsAt } } } } }`;

// client/app/components/live-room/room-documents.ts: ROOM_CONTENT, which the live session page's
// room loads beside LIVE_SESSION: chat, questions, raised hands and the people present.
const LIVE_ROOM_CONTENT = `query LiveRoomContent($id: ID!) { liveSession(id: $id) {
  id viewerHandRaised ${PRESENCE}
  chatMessages(last: ${CHAT_PAGE_SIZE}) { ${CHAT_PAGE} }
  questions(first: ${QUESTION_PAGE_SIZE}, orderBy: VOTES) { ${QUESTION_PAGE} }
  raisedHands { raisedAt user { ${PERSON_FIELDS} } }
  mutedParticipants { ${PERSON_FIELDS} } } }`;

// client/app/routes/directory.tsx: MY_COMMUNITIES and DIRECTORY, the two lists of the home page.
const CARD_FIELDS = 'id slug name description focus visibility memberCount threadCount';
const MY_COMMUNITIES = `query MyCommunities { myCommunities(first: 50) { nodes { ${CARD_FIELDS} } } }`;
const DIRECTORY = `query Directory($focus: FocusArea, $search: String) {
  communities(first: 50, focus: $focus, search: $search) { totalCount nodes { ${CARD_FIELDS} } } }`;

// client/app/lib/upcoming-live-sessions.ts: UPCOMING_LIVE_SESSIONS, for the live sessions page
// and its month grid.
const UPCOMING_LIVE_SESSIONS = `query UpcomingLiveSessions(
  $first: Int, $after: String, $from: DateTime, $to: DateTime) {
  upcomingLiveSessions(first: $first, after: $after, from: $from, to: $to) {
    nodes { id title startsAt endsAt timeZone status capacity rsvpCount viewerRsvp viewerSeat
      community { name slug } }
    pageInfo { hasNextPage endCursor } } }`;

// client/app/routes/badge.tsx: BADGE.
const BADGE = `query Badge($id: ID!) { badge(id: $id) {
  id name description criteriaHtml holderCount kind validForDays viewerCanManage imageUrl
  community { name slug members(first: 100) { nodes { user { id displayName } } } }
  district { name slug staff(first: 100) { nodes { id displayName } } }
  alignments { id code name summary framework { id name } }
  viewerAwards(first: 20) { nodes { id status awardedAt expiresAt revokedAt revokeReason note } }
  holders(first: 100) { nodes { id awardedAt expiresAt recipient { id displayName school { name } } } } } }`;

// client/app/routes/profile.tsx: PROFILE, the educator profile.
const MAX_AWARDS_SHOWN = 50;
const MAX_ENDED_AWARDS_SHOWN = 20;
const AWARD_FIELDS = `id status awardedAt expiresAt revokedAt
    badge { id name kind imageUrl community { name slug } district { name }
      isteStandards { code name } }`;
const PROFILE = `query Profile($id: ID!) { node(id: $id) { __typename ... on User {
  id displayName bio school { name } district { name }
  badgeAwards(first: ${MAX_AWARDS_SHOWN}) { pageInfo { hasNextPage } nodes { ${AWARD_FIELDS} } }
  badgeAwardHistory(first: ${MAX_ENDED_AWARDS_SHOWN}) { pageInfo { hasNextPage }
    nodes { ${AWARD_FIELDS} revokeReason } } } } }`;

// client/app/routes/notifications.tsx: NOTIFICATIONS.
const NOTIFICATIONS = `query Notifications { unreadNotificationCount notifications(first: 50) { nodes {
  id kind message read createdAt thread { id } badge { id } badgeAward { id } liveSession { id }
  submission { id } } } }`;

// client/app/routes/reviews.tsx: QUEUE, the reviewer's queue of evidence.
const QUEUE_PAGE_SIZE = 50;
const REVIEW_QUEUE = `query ReviewQueue { reviewQueue(first: ${QUEUE_PAGE_SIZE}) { totalCount nodes {
  id updatedAt submitter { displayName } latestRevision { number }
  badge { id name community { name } district { name } } } } }`;

// client/app/routes/district-admin.tsx: DISTRICT_ADMIN, with AUDIT_ENTRY_FIELDS of
// client/app/components/audit-log.tsx.
const DISTRICT_PERSON_FIELDS = 'id displayName email school { name }';
const AUDIT_ENTRY_FIELDS =
  'id action createdAt details actor { displayName } subjectUser { displayName }';
const DISTRICT_ADMIN = `query DistrictAdmin($slug: String!) { district(slug: $slug) {
  id slug name viewerIsAdmin
  schools { id name }
  domains { id domain verified verifiedAt createdAt }
  admins { ${DISTRICT_PERSON_FIELDS} }
  staff(first: 100) { nodes { ${DISTRICT_PERSON_FIELDS} } }
  sso { issuer clientId enabled updatedAt }
  badges(first: 100) { nodes { id name kind holderCount } }
  auditLog(first: 50) { nodes { ${AUDIT_ENTRY_FIELDS} } } } }`;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Authors of the large data set's rows; the small one has two. */
const AUTHOR_COUNT = 8;
/**
 * Members of the large community besides its owner and authors, who hold badges, ask questions,
 * vote and raise hands.
 */
const CROWD_SIZE = 40;

type Person = { id: string; token: string; email: string };
type Size = 'small' | 'large';

/** One operation: its document, and the request and the expected rows for each data set. */
interface OperationCase {
  document: string;
  request: (size: Size) => { variables: Record<string, unknown>; viewer: Person };
  /** The lengths of the lists on the page, to show that the data set filled them. */
  rows: (data: Json) => Record<string, number>;
  expectedRows: Record<Size, Record<string, number>>;
}

describe.each(await databaseKinds())('SQL statements per operation on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let people = 0;

  /** Everything the operations read, by data set. */
  const seeded = {} as Record<
    Size,
    {
      owner: Person;
      community: { id: string; slug: string };
      threadId: string;
      liveSessionId: string;
      badgeId: string;
      profile: Person;
      member: Person;
      directoryFocus: string;
      window: { from: string; to: string };
      districtAdmin: Person;
      districtSlug: string;
    }
  >;

  /**
   * Creates a person straight in the database with a bearer token, since sign-ups are rate
   * limited per address and the large data set needs about sixty people.
   */
  async function createPerson(
    displayName: string,
    fields: { districtId?: number; schoolId?: number; isPlatformAdmin?: boolean } = {},
  ): Promise<Person> {
    people += 1;
    const email = `person${people}@statements.example.org`;
    const { db } = server.database;
    const [user] = await db
      .insert(users)
      .values({ email, displayName, emailVerifiedAt: new Date().toISOString(), ...fields })
      .returning();
    if (!user) {
      throw new Error(`Inserting the user ${displayName} returned no row`);
    }
    const { token } = await createAuthSession(db, user, 'bearer');
    return { id: encodeGlobalID('User', user.id), token, email };
  }

  const run = (
    field: string,
    inputType: string,
    input: Record<string, unknown>,
    by: Person,
    selection = 'id',
  ): Promise<Json> => mutate(server, field, inputType, input, selection, by.token);

  const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

  async function createDistrict(platformAdmin: Person, slug: string, name: string) {
    const district = await run(
      'createDistrict',
      'CreateDistrictInput',
      { slug, name },
      platformAdmin,
    );
    const admin = await createPerson(`${name} Admin`);
    await run(
      'addDistrictAdmin',
      'AddDistrictAdminInput',
      { districtId: district.id, email: admin.email },
      platformAdmin,
    );
    return { id: district.id as string, rowId: rowIdOf(district.id), admin };
  }

  async function addSchools(district: { id: string; admin: Person }, names: string[]) {
    const schoolIds: number[] = [];
    for (const name of names) {
      const school = await run(
        'addSchool',
        'AddSchoolInput',
        { districtId: district.id, name },
        district.admin,
      );
      schoolIds.push(rowIdOf(school.id));
    }
    return schoolIds;
  }

  async function createCommunity(
    owner: Person,
    fields: { name: string; focus: string },
    members: Person[],
  ) {
    const community = await run(
      'createCommunity',
      'CreateCommunityInput',
      { ...fields, visibility: 'PUBLIC', description: `About **${fields.name}**.` },
      owner,
      'id slug',
    );
    for (const member of members) {
      await run('joinCommunity', 'CommunityIdInput', { communityId: community.id }, member);
    }
    return community as { id: string; slug: string };
  }

  /** Creates threads by the authors in turn and returns their ids, oldest first. */
  async function createThreads(communityId: string, authors: Person[], count: number) {
    const threadIds: string[] = [];
    for (let index = 0; index < count; index++) {
      const thread = await run(
        'createThread',
        'CreateThreadInput',
        { communityId, title: `Topic ${index}`, body: `Opening post ${index}` },
        authors[index % authors.length] as Person,
      );
      threadIds.push(thread.id);
    }
    return threadIds;
  }

  /**
   * Fills a thread with `counts.posts` top-level replies by the authors in turn. The first
   * `counts.nested` get a nested reply each, and the first `counts.reacted` two reactions each,
   * one of them the viewer's.
   */
  async function fillThread(
    threadId: string,
    authors: Person[],
    viewer: Person,
    counts: { posts: number; nested: number; reacted: number },
  ) {
    for (let index = 0; index < counts.posts; index++) {
      const author = authors[index % authors.length] as Person;
      const post = await run(
        'createPost',
        'CreatePostInput',
        { threadId, body: `Reply **${index}**` },
        author,
      );
      if (index < counts.nested) {
        await run(
          'createPost',
          'CreatePostInput',
          { threadId, parentId: post.id, body: `Nested reply ${index}` },
          authors[(index + 1) % authors.length] as Person,
        );
      }
      if (index < counts.reacted) {
        for (const [reactor, reaction] of [
          [viewer, 'LIKE'],
          [authors[(index + 2) % authors.length] as Person, 'THANKS'],
        ] as const) {
          await run(
            'react',
            'ReactInput',
            { postId: post.id, kind: reaction, active: true },
            reactor,
          );
        }
      }
    }
  }

  async function scheduleLiveSession(
    communityId: string,
    host: Person,
    title: string,
    startsInMs: number,
  ): Promise<string> {
    const liveSession = await run(
      'scheduleLiveSession',
      'ScheduleLiveSessionInput',
      {
        communityId,
        title,
        description: `Agenda of ${title}`,
        startsAt: at(startsInMs),
        endsAt: at(startsInMs + HOUR_MS),
        timeZone: 'America/Chicago',
      },
      host,
    );
    return liveSession.id;
  }

  /**
   * Schedules `counts.upcoming` sessions hosted by the authors in turn, and `counts.past` sessions
   * hosted by the owner. The first `counts.ended` of those start and end, and the rest are
   * cancelled.
   */
  async function scheduleCommunitySessions(
    communityId: string,
    owner: Person,
    authors: Person[],
    counts: { upcoming: number; past: number; ended: number },
  ) {
    for (let index = 0; index < counts.upcoming; index++) {
      const host = authors[index % authors.length] as Person;
      await scheduleLiveSession(communityId, host, `Upcoming ${index}`, (index + 2) * DAY_MS);
    }
    for (let index = 0; index < counts.past; index++) {
      const liveSessionId = await scheduleLiveSession(communityId, owner, `Past ${index}`, HOUR_MS);
      const input = { liveSessionId };
      if (index < counts.ended) {
        await run('startLiveSession', 'LiveSessionIdInput', input, owner);
        await run('endLiveSession', 'LiveSessionIdInput', input, owner);
      } else {
        await run('cancelLiveSession', 'LiveSessionIdInput', input, owner);
      }
    }
  }

  /**
   * Starts a live session and fills its room: chat by the chatters in turn, one question from
   * each asker with a vote from a voter, hands raised, heartbeats from everyone present, and the
   * last `muted` chatters muted by the host.
   */
  async function fillLiveRoom(
    communityId: string,
    host: Person,
    room: {
      chatters: Person[];
      messages: number;
      askers: Person[];
      voters: Person[];
      hands: Person[];
      muted: number;
    },
  ): Promise<string> {
    const liveSessionId = await scheduleLiveSession(communityId, host, 'Live workshop', HOUR_MS);
    const session = { liveSessionId };
    await run('startLiveSession', 'LiveSessionIdInput', session, host);
    for (let index = 0; index < room.messages; index++) {
      const body = `Message ${index}`;
      const chatter = room.chatters[index % room.chatters.length] as Person;
      await run('sendChatMessage', 'SendChatMessageInput', { ...session, body }, chatter);
    }
    for (const [index, asker] of room.askers.entries()) {
      const question = await run(
        'askQuestion',
        'AskQuestionInput',
        { ...session, body: `Question ${index}?` },
        asker,
      );
      const voter = room.voters[index % room.voters.length] as Person;
      await run('voteOnQuestion', 'VoteOnQuestionInput', { questionId: question.id }, voter);
    }
    for (const person of room.hands) {
      await run('raiseHand', 'LiveSessionIdInput', session, person);
    }
    for (const person of [host, ...room.chatters, ...room.hands]) {
      await run(
        'liveRoomHeartbeat',
        'LiveRoomHeartbeatInput',
        { ...session, visible: true },
        person,
      );
    }
    for (const person of room.chatters.slice(-room.muted)) {
      await run(
        'setParticipantMuted',
        'SetParticipantMutedInput',
        { ...session, userId: person.id, muted: true },
        host,
      );
    }
    return liveSessionId;
  }

  async function createBadges(
    owner: { communityId?: string; districtId?: string },
    by: Person,
    names: string[],
    microcredentials: number,
  ): Promise<string[]> {
    const badgeIds: string[] = [];
    for (const [index, name] of names.entries()) {
      const badge = await run(
        'createBadge',
        'CreateBadgeInput',
        {
          ...owner,
          name,
          description: `Awarded for ${name}.`,
          criteria: `Show **${name}** in practice.`,
          isteStandards: index % 2 === 0 ? ['LEARNER'] : ['LEADER', 'COLLABORATOR'],
          kind: index >= names.length - microcredentials ? 'MICROCREDENTIAL' : 'PARTICIPATION',
        },
        by,
      );
      badgeIds.push(badge.id);
    }
    return badgeIds;
  }

  const award = (badgeId: string, recipient: Person, by: Person) =>
    run('awardBadge', 'AwardBadgeInput', { badgeId, recipientId: recipient.id }, by);

  async function submitEvidence(badgeIds: string[], submitters: Person[]) {
    for (const badgeId of badgeIds) {
      for (const submitter of submitters) {
        await run(
          'submitEvidence',
          'SubmitEvidenceInput',
          { badgeId, reflection: 'I ran it with my grade team.', links: ['https://example.org'] },
          submitter,
        );
      }
    }
  }

  /**
   * Gives an owner notifications of three kinds besides evidence: a reply from each replier in a
   * thread of theirs, an award of the first badge, which the badge page then shows as their own,
   * and a revoked award of the second.
   */
  async function notifyOwner(
    communityId: string,
    owner: Person,
    repliers: Person[],
    badgeIds: string[],
  ) {
    const thread = await run(
      'createThread',
      'CreateThreadInput',
      { communityId, title: 'Owner question', body: 'Which unit comes next?' },
      owner,
    );
    for (const replier of repliers) {
      await run(
        'createPost',
        'CreatePostInput',
        { threadId: thread.id, body: 'Fractions.' },
        replier,
      );
    }
    await award(badgeIds[0] as string, owner, owner);
    const revoked = await award(badgeIds[1] as string, owner, owner);
    await run(
      'revokeBadgeAward',
      'RevokeBadgeAwardInput',
      { awardId: revoked.id, reason: 'Awarded by mistake.' },
      owner,
    );
  }

  /** Creates two districts with schools, domains and admins, and the people who act. */
  async function seedPeople() {
    const platformAdmin = await createPerson('Pat Platform', { isPlatformAdmin: true });
    const lakeside = await createDistrict(platformAdmin, 'lakeside', 'Lakeside County');
    const riverbend = await createDistrict(platformAdmin, 'riverbend', 'Riverbend Unified');
    const deputy = await createPerson('Riverbend Deputy');
    await run(
      'addDistrictAdmin',
      'AddDistrictAdminInput',
      { districtId: riverbend.id, email: deputy.email },
      platformAdmin,
    );
    const lakesideSchools = await addSchools(lakeside, ['Lakeside Elementary', 'Lakeside High']);
    const riverbendSchools = await addSchools(
      riverbend,
      ['North', 'South', 'East', 'West', 'Central', 'Harbor'].map((name) => `${name} Middle`),
    );
    for (const [district, domain] of [
      [lakeside, 'lakeside.example.org'],
      [riverbend, 'riverbend.example.org'],
      [riverbend, 'rb-schools.example.org'],
    ] as const) {
      await run(
        'addDistrictDomain',
        'AddDistrictDomainInput',
        { districtId: district.id, domain },
        platformAdmin,
      );
    }

    const staffOf = (district: { rowId: number }, schools: number[]) => (index: number) => ({
      districtId: district.rowId,
      schoolId: schools[index % schools.length] as number,
    });
    const riverbendStaff = staffOf(riverbend, riverbendSchools);
    const lakesideStaff = staffOf(lakeside, lakesideSchools);
    const authors: Person[] = [];
    for (let index = 0; index < AUTHOR_COUNT; index++) {
      authors.push(await createPerson(`Author ${index}`, riverbendStaff(index)));
    }
    const crowd: Person[] = [];
    for (let index = 0; index < CROWD_SIZE; index++) {
      crowd.push(await createPerson(`Crowd ${index}`, riverbendStaff(index + 1)));
    }
    for (let index = 0; index < 3; index++) {
      await createPerson(`Lakeside Teacher ${index}`, lakesideStaff(index));
    }
    return {
      lakeside,
      riverbend,
      ownerSmall: await createPerson('Sol Owner'),
      ownerLarge: await createPerson('Lara Owner'),
      authors,
      crowd,
      collector: await createPerson('Cora Collector', riverbendStaff(3)),
      fewCommunities: await createPerson('Faye Few', lakesideStaff(0)),
      manyCommunities: await createPerson('Max Many', lakesideStaff(1)),
    };
  }

  type Cast = Awaited<ReturnType<typeof seedPeople>>;

  /**
   * Creates the small and the large community with their threads and live sessions, and the
   * communities of the home page and of the upcoming list.
   */
  async function seedCommunities(cast: Cast) {
    const { ownerSmall, ownerLarge, authors, crowd } = cast;
    const smallAuthors = authors.slice(0, 2);
    const small = await createCommunity(ownerSmall, { name: 'Small Circle', focus: 'STEM' }, [
      ...smallAuthors,
      ...crowd.slice(0, 5),
    ]);
    const large = await createCommunity(ownerLarge, { name: 'Large Circle', focus: 'STEM' }, [
      ...authors,
      ...crowd,
      cast.collector,
    ]);
    // The home page lists five and forty communities, each with a session of the upcoming list
    // in a window of its own, far from the sessions of the two communities above.
    for (let index = 0; index < 5; index++) {
      const reading = await createCommunity(
        ownerSmall,
        { name: `Reading Room ${index}`, focus: 'LITERACY' },
        [cast.fewCommunities],
      );
      const startsIn = 20 * DAY_MS + index * HOUR_MS;
      await scheduleLiveSession(reading.id, ownerSmall, `Book talk ${index}`, startsIn);
    }
    for (let index = 0; index < 40; index++) {
      const leaders = await createCommunity(
        ownerLarge,
        { name: `Leaders Forum ${index}`, focus: 'LEADERSHIP' },
        [cast.manyCommunities],
      );
      const startsIn = 30 * DAY_MS + index * HOUR_MS;
      await scheduleLiveSession(leaders.id, ownerLarge, `Leaders hour ${index}`, startsIn);
    }

    const smallThreadId = (await createThreads(small.id, smallAuthors, 5))[0] as string;
    const largeThreadId = (await createThreads(large.id, authors, 40))[0] as string;
    const smallThread = { posts: 5, nested: 1, reacted: 2 };
    await fillThread(smallThreadId, smallAuthors, ownerSmall, smallThread);
    await fillThread(largeThreadId, authors, ownerLarge, {
      posts: 40,
      nested: 10,
      reacted: 20,
    });
    const smallSessions = { upcoming: 2, past: 1, ended: 0 };
    await scheduleCommunitySessions(small.id, ownerSmall, smallAuthors, smallSessions);
    const largeSessions = { upcoming: 12, past: 10, ended: 3 };
    await scheduleCommunitySessions(large.id, ownerLarge, authors, largeSessions);
    const smallLiveSessionId = await fillLiveRoom(small.id, ownerSmall, {
      chatters: smallAuthors,
      messages: 5,
      askers: crowd.slice(0, 5),
      voters: smallAuthors,
      hands: crowd.slice(0, 2),
      muted: 1,
    });
    const largeLiveSessionId = await fillLiveRoom(large.id, ownerLarge, {
      chatters: authors,
      messages: 40,
      askers: crowd.slice(0, 20),
      voters: crowd.slice(20),
      hands: crowd.slice(20, 28),
      muted: 3,
    });
    return {
      small: { community: small, threadId: smallThreadId, liveSessionId: smallLiveSessionId },
      large: { community: large, threadId: largeThreadId, liveSessionId: largeLiveSessionId },
    };
  }

  /**
   * Creates badges of both communities and districts with their holders, two profiles, and the
   * evidence and notifications of each owner. Returns the badges of the badge page.
   */
  async function seedBadges(
    cast: Cast,
    communityIds: { small: string; large: string },
  ): Promise<{ small: string; large: string }> {
    const { ownerSmall, ownerLarge, authors, crowd, collector } = cast;
    const numbered = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, index) => `${prefix} ${index}`);
    const smallBadgeIds = await createBadges(
      { communityId: communityIds.small },
      ownerSmall,
      numbered('Small badge', 5),
      2,
    );
    const largeBadgeIds = await createBadges(
      { communityId: communityIds.large },
      ownerLarge,
      numbered('Large badge', 40),
      5,
    );
    const lakeside = cast.lakeside;
    const riverbend = cast.riverbend;
    const lakesideBadgeIds = await createBadges(
      { districtId: lakeside.id },
      lakeside.admin,
      ['Lakeside mentor', 'Lakeside coach'],
      0,
    );
    const riverbendBadgeIds = await createBadges(
      { districtId: riverbend.id },
      riverbend.admin,
      numbered('Riverbend badge', 6),
      0,
    );

    // The first small badge has five holders besides its owner, the first large one forty-one.
    for (const holder of [...authors.slice(0, 2), ...crowd.slice(0, 3)]) {
      await award(smallBadgeIds[0] as string, holder, ownerSmall);
    }
    for (const holder of [...crowd, collector]) {
      await award(largeBadgeIds[0] as string, holder, ownerLarge);
    }
    // The small profile has five awards, one of them revoked. The large one has forty-two, three
    // of them revoked.
    const revoked: [string, Person][] = [];
    for (const [index, badgeId] of smallBadgeIds.slice(1).entries()) {
      const awarded = await award(badgeId, authors[0] as Person, ownerSmall);
      if (index === 3) {
        revoked.push([awarded.id, ownerSmall]);
      }
    }
    for (const [index, badgeId] of largeBadgeIds.slice(1).entries()) {
      const awarded = await award(badgeId, collector, ownerLarge);
      if (index < 3) {
        revoked.push([awarded.id, ownerLarge]);
      }
    }
    for (const badgeId of riverbendBadgeIds.slice(0, 2)) {
      await award(badgeId, collector, riverbend.admin);
    }
    await award(lakesideBadgeIds[0] as string, cast.fewCommunities, lakeside.admin);
    for (const [awardId, by] of revoked) {
      const input = { awardId, reason: 'Awarded by mistake.' };
      await run('revokeBadgeAward', 'RevokeBadgeAwardInput', input, by);
    }

    // Each owner reviews evidence for their microcredentials: five items and forty.
    await submitEvidence(smallBadgeIds.slice(3, 4), crowd.slice(0, 3));
    await submitEvidence(smallBadgeIds.slice(4), crowd.slice(3, 5));
    await submitEvidence(largeBadgeIds.slice(35), authors);
    await notifyOwner(communityIds.small, ownerSmall, authors.slice(0, 2), smallBadgeIds);
    await notifyOwner(communityIds.large, ownerLarge, authors, largeBadgeIds);
    return { small: smallBadgeIds[0] as string, large: largeBadgeIds[0] as string };
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // Seeding can take longer than the default presence timeout of a minute on a busy machine, and
    // the people of the first room would count as gone by the time the room is read.
    server = await startTestServer({ database, env: { PRESENCE_TIMEOUT_MS: '600000' } });

    const cast = await seedPeople();
    const content = await seedCommunities(cast);
    const badgeIds = await seedBadges(cast, {
      small: content.small.community.id,
      large: content.large.community.id,
    });

    seeded.small = {
      ...content.small,
      owner: cast.ownerSmall,
      badgeId: badgeIds.small,
      profile: cast.authors[0] as Person,
      member: cast.fewCommunities,
      directoryFocus: 'LITERACY',
      window: { from: at(20 * DAY_MS - HOUR_MS), to: at(22 * DAY_MS) },
      districtAdmin: cast.lakeside.admin,
      districtSlug: 'lakeside',
    };
    seeded.large = {
      ...content.large,
      owner: cast.ownerLarge,
      badgeId: badgeIds.large,
      profile: cast.collector,
      member: cast.manyCommunities,
      directoryFocus: 'LEADERSHIP',
      window: { from: at(30 * DAY_MS - HOUR_MS), to: at(32 * DAY_MS) },
      districtAdmin: cast.riverbend.admin,
      districtSlug: 'riverbend',
    };
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  /** Counts the rows of a list or a connection, or returns 0 for a null one. */
  const lengthOf = (list: { nodes: unknown[] } | unknown[] | null | undefined): number => {
    if (!list) {
      return 0;
    }
    return Array.isArray(list) ? list.length : list.nodes.length;
  };

  const OPERATIONS: Record<OperationName, OperationCase> = {
    Community: {
      document: COMMUNITY,
      request: (size) => ({
        variables: { slug: seeded[size].community.slug },
        viewer: seeded[size].owner,
      }),
      rows: ({ community }) => ({
        threads: lengthOf(community.threads),
        upcoming: lengthOf(community.upcomingLiveSessions),
        past: lengthOf(community.pastLiveSessions),
        badges: lengthOf(community.badges),
        members: lengthOf(community.members),
      }),
      expectedRows: {
        small: { threads: 6, upcoming: 3, past: 1, badges: 5, members: 8 },
        large: { threads: 30, upcoming: 10, past: 10, badges: 30, members: 50 },
      },
    },
    Thread: {
      document: THREAD,
      request: (size) => ({ variables: { id: seeded[size].threadId }, viewer: seeded[size].owner }),
      rows: ({ thread }) => ({
        posts: lengthOf(thread.posts),
        replies: thread.posts.nodes.reduce(
          (total: number, post: Json) => total + post.replies.length,
          0,
        ),
        reactions: thread.posts.nodes.reduce(
          (total: number, post: Json) => total + post.reactions.length,
          0,
        ),
        authors: new Set(thread.posts.nodes.map((post: Json) => post.author.id)).size,
      }),
      expectedRows: {
        small: { posts: 5, replies: 1, reactions: 4, authors: 2 },
        large: { posts: 40, replies: 10, reactions: 40, authors: AUTHOR_COUNT },
      },
    },
    LiveSession: {
      document: LIVE_SESSION,
      request: (size) => ({
        variables: { id: seeded[size].liveSessionId },
        viewer: seeded[size].owner,
      }),
      rows: ({ liveSession }) => ({
        live: Number(liveSession.status === 'LIVE'),
        host: Number(liveSession.host !== null),
      }),
      expectedRows: { small: { live: 1, host: 1 }, large: { live: 1, host: 1 } },
    },
    LiveRoomContent: {
      document: LIVE_ROOM_CONTENT,
      request: (size) => ({
        variables: { id: seeded[size].liveSessionId },
        viewer: seeded[size].owner,
      }),
      rows: ({ liveSession }) => ({
        chat: lengthOf(liveSession.chatMessages),
        chatAuthors: new Set(
          liveSession.chatMessages.nodes.map((message: Json) => message.author.id),
        ).size,
        questions: lengthOf(liveSession.questions),
        hands: lengthOf(liveSession.raisedHands),
        present: lengthOf(liveSession.presentParticipants),
        muted: lengthOf(liveSession.mutedParticipants),
      }),
      expectedRows: {
        // The two chatters of the small room moved on to the large one, since a person is present
        // in one room at a time.
        small: { chat: 5, chatAuthors: 2, questions: 5, hands: 2, present: 3, muted: 1 },
        large: {
          chat: 40,
          chatAuthors: AUTHOR_COUNT,
          questions: 20,
          hands: 8,
          present: 17,
          muted: 3,
        },
      },
    },
    MyCommunities: {
      document: MY_COMMUNITIES,
      request: (size) => ({ variables: {}, viewer: seeded[size].member }),
      rows: ({ myCommunities }) => ({ communities: lengthOf(myCommunities) }),
      expectedRows: { small: { communities: 5 }, large: { communities: 40 } },
    },
    Directory: {
      document: DIRECTORY,
      request: (size) => ({
        variables: { focus: seeded[size].directoryFocus, search: null },
        viewer: seeded[size].member,
      }),
      rows: ({ communities }) => ({ communities: lengthOf(communities) }),
      expectedRows: { small: { communities: 5 }, large: { communities: 40 } },
    },
    UpcomingLiveSessions: {
      document: UPCOMING_LIVE_SESSIONS,
      request: (size) => ({
        variables: { first: 100, after: null, ...seeded[size].window },
        viewer: seeded[size].member,
      }),
      rows: ({ upcomingLiveSessions }) => ({
        liveSessions: lengthOf(upcomingLiveSessions),
        communities: new Set(
          upcomingLiveSessions.nodes.map((liveSession: Json) => liveSession.community.slug),
        ).size,
      }),
      expectedRows: {
        small: { liveSessions: 5, communities: 5 },
        large: { liveSessions: 40, communities: 40 },
      },
    },
    Badge: {
      document: BADGE,
      request: (size) => ({ variables: { id: seeded[size].badgeId }, viewer: seeded[size].owner }),
      rows: ({ badge }) => ({
        holders: lengthOf(badge.holders),
        members: lengthOf(badge.community.members),
        alignments: lengthOf(badge.alignments),
        viewerAwards: lengthOf(badge.viewerAwards),
      }),
      expectedRows: {
        small: { holders: 6, members: 8, alignments: 1, viewerAwards: 1 },
        large: { holders: 42, members: 50, alignments: 1, viewerAwards: 1 },
      },
    },
    Profile: {
      document: PROFILE,
      request: (size) => ({
        variables: { id: seeded[size].profile.id },
        viewer: seeded[size].profile,
      }),
      rows: ({ node }) => ({
        awards: lengthOf(node.badgeAwards),
        history: lengthOf(node.badgeAwardHistory),
      }),
      expectedRows: {
        small: { awards: 4, history: 1 },
        large: { awards: 39, history: 3 },
      },
    },
    Notifications: {
      document: NOTIFICATIONS,
      request: (size) => ({ variables: {}, viewer: seeded[size].owner }),
      rows: ({ notifications }) => ({
        notifications: lengthOf(notifications),
        kinds: new Set(notifications.nodes.map((notification: Json) => notification.kind)).size,
      }),
      expectedRows: {
        small: { notifications: 10, kinds: 4 },
        large: { notifications: 50, kinds: 4 },
      },
    },
    ReviewQueue: {
      document: REVIEW_QUEUE,
      request: (size) => ({ variables: {}, viewer: seeded[size].owner }),
      rows: ({ reviewQueue }) => ({ submissions: lengthOf(reviewQueue) }),
      expectedRows: { small: { submissions: 5 }, large: { submissions: 40 } },
    },
    DistrictAdmin: {
      document: DISTRICT_ADMIN,
      request: (size) => ({
        variables: { slug: seeded[size].districtSlug },
        viewer: seeded[size].districtAdmin,
      }),
      rows: ({ district }) => ({
        schools: lengthOf(district.schools),
        admins: lengthOf(district.admins),
        staff: lengthOf(district.staff),
        badges: lengthOf(district.badges),
        auditLog: lengthOf(district.auditLog),
      }),
      expectedRows: {
        small: { schools: 2, admins: 1, staff: 5, badges: 2, auditLog: 5 },
        large: { schools: 6, admins: 2, staff: 49, badges: 6, auditLog: 11 },
      },
    },
  };

  const names = Object.keys(EXPECTED_STATEMENTS) as OperationName[];

  test.each(names)('%s statements stay flat', async (name) => {
    const operation = OPERATIONS[name];
    const send = (size: Size) => {
      const { variables, viewer } = operation.request(size);
      return server.graphql(operation.document, variables, { token: viewer.token });
    };

    const small = await send('small');
    const large = await send('large');

    expect(small.body.errors).toBeUndefined();
    expect(large.body.errors).toBeUndefined();
    expect(operation.rows(small.body.data)).toEqual(operation.expectedRows.small);
    expect(operation.rows(large.body.data)).toEqual(operation.expectedRows.large);
    expect(
      large.body.extensions.sqlStatements,
      `${name} runs more statements for the large page than for the small one`,
    ).toBe(small.body.extensions.sqlStatements);
    expect(small.body.extensions.sqlStatements).toBe(EXPECTED_STATEMENTS[name]);
  });
});
