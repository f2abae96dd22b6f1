/** Evidence for microcredentials: submitting, revising, withdrawing and reviewing it. */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rowsOf } from '../../drizzle/db.ts';
import { districtAdmins, districts, users } from '../../drizzle/tables/index.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import {
  type Json,
  mutate,
  rowIdOf,
  signUpUser,
  startTestServer,
  type TestServer,
} from '../helpers/server.ts';

type Person = { id: string; token: string };

const ERRORS =
  '__typename ... on Error { message } ... on ValidationError { issues { path message } }';

const SUBMISSION_FIELDS = `id status createdAt updatedAt viewerCanReview
  badge { id name } submitter { id displayName }
  revisions { number reflection reflectionHtml links files { id fileName url } }
  reviews { decision feedback revisionNumber reviewer { displayName } }
  award { id status note source }`;

const mutation = (field: string, inputType: string, selection = 'id status') => {
  const success = `Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`;
  return `mutation($input: ${inputType}!) { ${field}(input: $input) { ${ERRORS}
    ... on ${success} { data { ${selection} } } } }`;
};

const SUBMIT = mutation('submitEvidence', 'SubmitEvidenceInput');
const REVISE = mutation('reviseEvidence', 'ReviseEvidenceInput');
const WITHDRAW = mutation('withdrawEvidence', 'WithdrawEvidenceInput');
const REVIEW = mutation('reviewEvidence', 'ReviewEvidenceInput', 'id status award { id }');
const UPLOAD = mutation('uploadFile', 'UploadFileInput', 'id');

const SUBMISSION = `query($id: ID!) { node(id: $id) { ... on EvidenceSubmission { ${SUBMISSION_FIELDS} } } }`;

const QUEUE = `query($communityId: ID) { reviewQueue(communityId: $communityId, first: 10) {
  totalCount nodes { id status submitter { displayName } badge { name } latestRevision { number } } } }`;

const BADGE_SUBMISSIONS = `query($id: ID!) { badge(id: $id) {
  viewerSubmissions { id status }
  submissions(first: 20) { nodes { id status submitter { displayName } } } } }`;

describe.each(await databaseKinds())('evidence and reviews on %s', (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let owner: Person;
  let cofacilitator: Person;
  let educator: Person;
  let member: Person;
  let outsider: Person;
  let otherFacilitator: Person;
  let communityId: string;
  let otherCommunityId: string;
  let badgeId: string;
  let participationBadgeId: string;
  let otherBadgeId: string;
  let fileCounter = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startTestServer({ database });
    owner = await signUpUser(server, { displayName: 'Olga Owner' });
    cofacilitator = await signUpUser(server, { displayName: 'Cole Cofacilitator' });
    educator = await signUpUser(server, { displayName: 'Eva Educator' });
    member = await signUpUser(server, { displayName: 'Milo Member' });
    outsider = await signUpUser(server, { displayName: 'Otto Outsider' });
    otherFacilitator = await signUpUser(server, { displayName: 'Fern Elsewhere' });

    communityId = (await createCommunity('Science Coaches', owner)).id;
    otherCommunityId = (await createCommunity('Reading Circle', otherFacilitator)).id;
    for (const person of [cofacilitator, educator, member]) {
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        person.token,
      );
    }
    await mutate(
      server,
      'changeMemberRole',
      'ChangeMemberRoleInput',
      { communityId, userId: cofacilitator.id, role: 'FACILITATOR' },
      'id',
      owner.token,
    );
    badgeId = (await createBadge(communityId, 'Inquiry Lab Lead', 'MICROCREDENTIAL', owner)).id;
    participationBadgeId = (await createBadge(communityId, 'Regular', 'PARTICIPATION', owner)).id;
    otherBadgeId = (
      await createBadge(otherCommunityId, 'Book Club Host', 'MICROCREDENTIAL', otherFacilitator)
    ).id;
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  function createCommunity(name: string, by: Person) {
    return mutate(
      server,
      'createCommunity',
      'CreateCommunityInput',
      { name, focus: 'STEM', visibility: 'PUBLIC' },
      'id',
      by.token,
    );
  }

  function createBadge(community: string, name: string, kindValue: string, by: Person) {
    return mutate(
      server,
      'createBadge',
      'CreateBadgeInput',
      {
        communityId: community,
        name,
        description: `${name} badge`,
        criteria: 'Run an inquiry lab with **your** class',
        isteStandards: ['DESIGNER'],
        kind: kindValue,
      },
      'id',
      by.token,
    );
  }

  /** Uploads a small file with uploadFile as a multipart request and returns its global id. */
  async function insertUpload(by: Person, purpose: 'evidence' | 'badge_image' = 'evidence') {
    fileCounter += 1;
    const [content, name, type] =
      purpose === 'evidence'
        ? [`Lesson notes ${fileCounter}\n`, `lesson-${fileCounter}.txt`, 'text/plain']
        : [
            '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>',
            `badge-${fileCounter}.svg`,
            'image/svg+xml',
          ];
    const form = new FormData();
    form.set(
      'operations',
      JSON.stringify({
        query: UPLOAD,
        variables: { input: { file: null, purpose: purpose.toUpperCase() } },
      }),
    );
    form.set('map', JSON.stringify({ 0: ['variables.input.file'] }));
    form.set('0', new Blob([content], { type }), name);
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${by.token}` },
      body: form,
    });
    const body = await response.json();
    const id = body?.data?.uploadFile?.data?.id;
    if (typeof id !== 'string') {
      throw new Error(`uploadFile failed with ${response.status}: ${JSON.stringify(body)}`);
    }
    return id;
  }

  const run = async (document: string, input: Record<string, unknown>, by?: Person) => {
    const result = await server.graphql(document, { input }, { token: by?.token });
    const field = Object.keys(result.body.data ?? {})[0] ?? '';
    if (!result.body.data?.[field]) {
      throw new Error(`No result: ${JSON.stringify(result.body)}`);
    }
    return result.body.data[field] as Json;
  };

  const submit = (input: Record<string, unknown>, by: Person = educator) =>
    run(SUBMIT, { badgeId, reflection: 'I ran an inquiry lab on floating objects.', ...input }, by);

  const review = (
    submissionId: string,
    decision: string,
    by: Person | undefined,
    extra: Record<string, unknown> = {},
  ) => run(REVIEW, { submissionId, decision, ...extra }, by);

  const readSubmission = async (id: string, by?: Person) =>
    (await server.graphql(SUBMISSION, { id }, { token: by?.token })).body.data.node;

  const countRows = async (table: string) =>
    Number(
      rowsOf(
        await server.database.db.execute(sql.raw(`select count(*)::int as count from ${table}`)),
      )[0]?.count,
    );

  const snapshot = async () => ({
    submissions: await countRows('evidence_submissions'),
    revisions: await countRows('evidence_revisions'),
    files: await countRows('evidence_files'),
    reviews: await countRows('evidence_reviews'),
    awards: await countRows('badge_awards'),
    notifications: await countRows('notifications'),
  });

  const notificationsOf = async (by: Person) =>
    (
      await server.graphql(
        '{ notifications(first: 50) { nodes { kind message badge { name } submission { id status } } } }',
        {},
        { token: by.token },
      )
    ).body.data.notifications.nodes as Json[];

  describe('review cycle', () => {
    test('submit, request changes, revise and approve', async () => {
      const fileId = await insertUpload(educator);
      const secondFileId = await insertUpload(educator);
      const submitted = await submit({
        reflection: 'My class **tested** which objects float.',
        links: ['https://example.org/lab-photos', 'http://example.org/plan'],
        fileIds: [fileId],
      });
      const id = submitted.data.id;
      const queued = await server.graphql(QUEUE, { communityId }, { token: owner.token });
      const ownerNotices = await notificationsOf(owner);
      const cofacilitatorNotices = await notificationsOf(cofacilitator);

      const changes = await review(id, 'CHANGES_REQUESTED', owner, {
        feedback: 'Add a photo of the results board.',
        revisionNumber: 1,
      });
      const afterChanges = await readSubmission(id, educator);
      const revised = await run(
        REVISE,
        {
          submissionId: id,
          reflection: 'Added the results board.',
          links: ['https://example.org/lab-photos'],
          fileIds: [fileId, secondFileId],
        },
        educator,
      );
      const approved = await review(id, 'APPROVED', cofacilitator, {
        feedback: 'Well documented.',
        revisionNumber: 2,
      });
      const final = await readSubmission(id, educator);
      const educatorNotices = await notificationsOf(educator);
      const award = rowsOf(
        await server.database.db.execute(
          sql`select source, submission_id, note, status from badge_awards where recipient_id = ${rowIdOf(educator.id)}`,
        ),
      );
      const audit = rowsOf(
        await server.database.db.execute(
          sql`select action, details from audit_log where action = 'community.evidence_reviewed' order by id`,
        ),
      );
      const queueAfter = await server.graphql(QUEUE, { communityId }, { token: owner.token });

      expect(submitted.__typename).toBe('MutationSubmitEvidenceSuccess');
      expect(submitted.data.status).toBe('PENDING');
      expect(queued.body.data.reviewQueue.totalCount).toBe(1);
      expect(queued.body.data.reviewQueue.nodes[0]).toEqual({
        id,
        status: 'PENDING',
        submitter: { displayName: 'Eva Educator' },
        badge: { name: 'Inquiry Lab Lead' },
        latestRevision: { number: 1 },
      });
      expect(ownerNotices[0]).toEqual({
        kind: 'EVIDENCE_SUBMITTED',
        message: 'Eva Educator sent evidence for “Inquiry Lab Lead” to review.',
        badge: { name: 'Inquiry Lab Lead' },
        submission: { id, status: 'PENDING' },
      });
      expect(cofacilitatorNotices[0].kind).toBe('EVIDENCE_SUBMITTED');
      expect(changes.data.status).toBe('CHANGES_REQUESTED');
      expect(afterChanges.status).toBe('CHANGES_REQUESTED');
      expect(afterChanges.reviews[0].feedback).toBe('Add a photo of the results board.');
      expect(revised.data.status).toBe('PENDING');
      expect(approved.data.status).toBe('APPROVED');
      expect(approved.data.award.id).toBe(final.award.id);
      expect(final.revisions.map((revision: Json) => revision.number)).toEqual([1, 2]);
      expect(final.revisions[0].reflectionHtml).toContain('<strong>tested</strong>');
      expect(final.revisions[0].links).toEqual([
        'https://example.org/lab-photos',
        'http://example.org/plan',
      ]);
      expect(final.revisions[0].files.map((file: Json) => file.id)).toEqual([fileId]);
      expect(final.revisions[1].files.map((file: Json) => file.id)).toEqual([fileId, secondFileId]);
      expect(final.reviews).toEqual([
        {
          decision: 'CHANGES_REQUESTED',
          feedback: 'Add a photo of the results board.',
          revisionNumber: 1,
          reviewer: { displayName: 'Olga Owner' },
        },
        {
          decision: 'APPROVED',
          feedback: 'Well documented.',
          revisionNumber: 2,
          reviewer: { displayName: 'Cole Cofacilitator' },
        },
      ]);
      expect(final.award).toMatchObject({
        status: 'active',
        note: 'Well documented.',
        source: 'REVIEW',
      });
      expect(award).toEqual([
        {
          source: 'review',
          submission_id: rowIdOf(id),
          note: 'Well documented.',
          status: 'active',
        },
      ]);
      expect(educatorNotices.map((notice) => notice.kind)).toEqual([
        'REVIEW_RESULT',
        'BADGE_AWARDED',
        'REVIEW_RESULT',
      ]);
      expect(educatorNotices[0].submission).toEqual({ id, status: 'APPROVED' });
      expect(educatorNotices[1].message).toBe(
        'Cole Cofacilitator awarded you the badge “Inquiry Lab Lead”.',
      );
      expect(educatorNotices[0].message).toBe(
        'Cole Cofacilitator approved your evidence for “Inquiry Lab Lead”.',
      );
      expect(educatorNotices[2].message).toBe(
        'Olga Owner asked for changes to your evidence for “Inquiry Lab Lead”.',
      );
      expect(audit.map((entry) => (entry.details as Json).decision)).toEqual([
        'changes_requested',
        'approved',
      ]);
      expect(queueAfter.body.data.reviewQueue.totalCount).toBe(0);
    });

    test('holder cannot send evidence again', async () => {
      const before = await snapshot();
      const again = await submit({});

      expect(again.__typename).toBe('ConflictError');
      expect(again.message).toContain('already have the badge');
      expect(await snapshot()).toEqual(before);
    });

    test('decline closes and allows new evidence', async () => {
      const first = await submit({}, member);
      const declined = await review(first.data.id, 'DECLINED', owner, {
        feedback: 'The lab needs a written hypothesis.',
      });
      const second = await submit({ reflection: 'Now with a hypothesis.' }, member);
      const views = await server.graphql(
        BADGE_SUBMISSIONS,
        { id: badgeId },
        { token: member.token },
      );

      expect(declined.data).toEqual({ id: first.data.id, status: 'DECLINED', award: null });
      expect(second.__typename).toBe('MutationSubmitEvidenceSuccess');
      expect(views.body.data.badge.viewerSubmissions).toEqual([
        { id: second.data.id, status: 'PENDING' },
        { id: first.data.id, status: 'DECLINED' },
      ]);
      expect(views.body.data.badge.submissions).toBeNull();
    });

    test('withdraw closes open evidence', async () => {
      const open = (
        await server.graphql(BADGE_SUBMISSIONS, { id: badgeId }, { token: member.token })
      ).body.data.badge.viewerSubmissions[0];
      const withdrawn = await run(WITHDRAW, { submissionId: open.id }, member);
      const twice = await run(WITHDRAW, { submissionId: open.id }, member);
      const reviewed = await review(open.id, 'APPROVED', owner);

      expect(withdrawn.data.status).toBe('WITHDRAWN');
      expect(twice.__typename).toBe('ConflictError');
      expect(reviewed.__typename).toBe('ConflictError');
    });

    test('managers list submissions by status', async () => {
      const all = await server.graphql(BADGE_SUBMISSIONS, { id: badgeId }, { token: owner.token });
      const declined = await server.graphql(
        `query($id: ID!) { badge(id: $id) { submissions(status: DECLINED) { nodes { status } } } }`,
        { id: badgeId },
        { token: cofacilitator.token },
      );

      expect(all.body.data.badge.submissions.nodes.map((node: Json) => node.status)).toEqual([
        'WITHDRAWN',
        'DECLINED',
        'APPROVED',
      ]);
      expect(declined.body.data.badge.submissions.nodes).toEqual([{ status: 'DECLINED' }]);
    });
  });

  describe('access', () => {
    let submissionId: string;
    let fileId: string;

    beforeAll(async () => {
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId: otherCommunityId },
        'id',
        educator.token,
      );
      fileId = await insertUpload(educator);
      submissionId = (
        await run(
          SUBMIT,
          { badgeId: otherBadgeId, reflection: 'I hosted a book club.', fileIds: [fileId] },
          educator,
        )
      ).data.id;
    });

    test('others read no submission', async () => {
      const readers = { outsider, member, owner, signedOut: undefined };
      const results: Record<string, Json> = {};
      for (const [name, person] of Object.entries(readers)) {
        results[name] = await readSubmission(submissionId, person);
      }
      const asReviewer = await readSubmission(submissionId, otherFacilitator);
      const asSubmitter = await readSubmission(submissionId, educator);

      expect(results.outsider).toBeNull();
      expect(results.member).toBeNull();
      expect(results.owner).toBeNull();
      expect(results.signedOut).toBeNull();
      expect(asReviewer.submitter.displayName).toBe('Eva Educator');
      expect(asSubmitter.revisions[0].reflection).toBe('I hosted a book club.');
    });

    test('reviewer reads the evidence files', async () => {
      const asReviewer = await readSubmission(submissionId, otherFacilitator);

      expect(asReviewer.revisions[0].files).toEqual([
        { id: fileId, fileName: expect.any(String), url: expect.stringMatching(/^\/uploads\//) },
      ]);
    });

    test('file served to submitter and reviewer only', async () => {
      const asSubmitter = await readSubmission(submissionId, educator);
      const url = `${server.url}${asSubmitter.revisions[0].files[0].url}`;
      const statuses: Record<string, number> = {};
      for (const [name, person] of Object.entries({
        educator,
        otherFacilitator,
        outsider,
        member,
        owner,
      })) {
        const response = await fetch(url, { headers: { authorization: `Bearer ${person.token}` } });
        statuses[name] = response.status;
        await response.arrayBuffer();
      }

      expect(statuses).toEqual({
        educator: 200,
        otherFacilitator: 200,
        outsider: 404,
        member: 404,
        owner: 404,
      });
    });

    test('queue and badge lists hide evidence from others', async () => {
      const queues: Record<string, Json> = {};
      const lists: Record<string, Json> = {};
      for (const [name, person] of Object.entries({
        outsider,
        member,
        owner,
        signedOut: undefined,
      })) {
        queues[name] = (
          await server.graphql(
            '{ reviewQueue(first: 10) { totalCount nodes { id } } }',
            {},
            { token: person?.token },
          )
        ).body.data.reviewQueue;
        lists[name] = (
          await server.graphql(BADGE_SUBMISSIONS, { id: otherBadgeId }, { token: person?.token })
        ).body.data.badge.submissions;
      }
      const reviewerQueue = await server.graphql(
        '{ reviewQueue(first: 10) { totalCount nodes { id } } }',
        {},
        { token: otherFacilitator.token },
      );
      const filtered = await server.graphql(
        QUEUE,
        { communityId },
        {
          token: otherFacilitator.token,
        },
      );

      for (const name of Object.keys(queues)) {
        expect(queues[name], name).toEqual({ totalCount: 0, nodes: [] });
        expect(lists[name], name).toBeNull();
      }
      expect(reviewerQueue.body.data.reviewQueue).toEqual({
        totalCount: 1,
        nodes: [{ id: submissionId }],
      });
      expect(filtered.body.data.reviewQueue.totalCount).toBe(0);
    });

    test('others cannot change the evidence', async () => {
      const before = await snapshot();
      const attempts: Record<string, Json> = {};
      for (const [name, person] of Object.entries({
        outsider,
        member,
        owner,
        signedOut: undefined,
      })) {
        attempts[`review by ${name}`] = await review(submissionId, 'APPROVED', person);
        attempts[`revise by ${name}`] = await run(
          REVISE,
          { submissionId, reflection: 'Not mine.' },
          person,
        );
        attempts[`withdraw by ${name}`] = await run(WITHDRAW, { submissionId }, person);
      }

      for (const [name, result] of Object.entries(attempts)) {
        const expected = name.endsWith('signedOut') ? 'UnauthenticatedError' : 'NotFoundError';
        expect(result.__typename, name).toBe(expected);
      }
      expect(await snapshot()).toEqual(before);
    });

    test('reviewer cannot revise or withdraw', async () => {
      const revise = await run(REVISE, { submissionId, reflection: 'Edited.' }, otherFacilitator);
      const withdraw = await run(WITHDRAW, { submissionId }, otherFacilitator);

      expect(revise.__typename).toBe('ForbiddenError');
      expect(withdraw.__typename).toBe('ForbiddenError');
    });

    test('non-members and signed-out people cannot submit', async () => {
      const before = await snapshot();
      const byOutsider = await submit({}, outsider);
      const signedOut = await run(SUBMIT, { badgeId, reflection: 'Anonymous.' });

      expect(byOutsider.__typename).toBe('ForbiddenError');
      expect(signedOut.__typename).toBe('UnauthenticatedError');
      expect(await snapshot()).toEqual(before);
    });

    test('own evidence cannot be reviewed', async () => {
      const own = await submit({ reflection: 'My own lab.' }, cofacilitator);
      const before = await snapshot();
      const selfReview = await review(own.data.id, 'APPROVED', cofacilitator);
      const queue = await server.graphql(QUEUE, { communityId }, { token: cofacilitator.token });
      const ownerQueue = await server.graphql(QUEUE, { communityId }, { token: owner.token });
      const asSubmitter = await readSubmission(own.data.id, cofacilitator);

      expect(selfReview.__typename).toBe('ForbiddenError');
      expect(await snapshot()).toEqual(before);
      expect(queue.body.data.reviewQueue.nodes.map((node: Json) => node.id)).not.toContain(
        own.data.id,
      );
      expect(ownerQueue.body.data.reviewQueue.nodes.map((node: Json) => node.id)).toContain(
        own.data.id,
      );
      expect(asSubmitter.viewerCanReview).toBe(false);
      await run(WITHDRAW, { submissionId: own.data.id }, cofacilitator);
    });

    test('notification hides evidence after demotion', async () => {
      const pending = await submit({ reflection: 'Second try for the demotion test.' }, member);
      await mutate(
        server,
        'changeMemberRole',
        'ChangeMemberRoleInput',
        { communityId, userId: cofacilitator.id, role: 'MEMBER' },
        'id',
        owner.token,
      );
      const notices = await notificationsOf(cofacilitator);
      const direct = await readSubmission(pending.data.id, cofacilitator);
      await mutate(
        server,
        'changeMemberRole',
        'ChangeMemberRoleInput',
        { communityId, userId: cofacilitator.id, role: 'FACILITATOR' },
        'id',
        owner.token,
      );
      await run(WITHDRAW, { submissionId: pending.data.id }, member);

      expect(notices[0].kind).toBe('EVIDENCE_SUBMITTED');
      expect(notices[0].submission).toBeNull();
      expect(direct).toBeNull();
    });
  });

  describe('district badge', () => {
    test('staff send evidence and district admins review', async () => {
      const { db } = server.database;
      const admin = await signUpUser(server, { displayName: 'Dana District' });
      const staff = await signUpUser(server, { displayName: 'Sam Staff' });
      const platformAdmin = await signUpUser(server, { displayName: 'Pia Platform' });
      await db
        .update(users)
        .set({ isPlatformAdmin: true })
        .where(eq(users.id, rowIdOf(platformAdmin.id)));
      const [district] = await db
        .insert(districts)
        .values({ slug: 'riverbend', name: 'Riverbend Unified' })
        .returning({ id: districts.id });
      const districtId = district?.id ?? 0;
      await db
        .update(users)
        .set({ districtId })
        .where(eq(users.id, rowIdOf(staff.id)));
      await db.insert(districtAdmins).values({ districtId, userId: rowIdOf(admin.id) });
      const districtBadge = await mutate(
        server,
        'createBadge',
        'CreateBadgeInput',
        {
          districtId: encodeGlobalID('District', districtId),
          name: 'Data Coach',
          description: 'Coached colleagues on assessment data',
          criteria: 'Lead three data meetings',
          isteStandards: ['ANALYST'],
          kind: 'MICROCREDENTIAL',
        },
        'id',
        admin.token,
      );

      const byOutsider = await run(
        SUBMIT,
        { badgeId: districtBadge.id, reflection: 'Not staff.' },
        outsider,
      );
      const sent = await run(
        SUBMIT,
        { badgeId: districtBadge.id, reflection: 'I led three data meetings.' },
        staff,
      );
      const adminNotices = await notificationsOf(admin);
      const queue = await server.graphql(
        'query($districtId: ID) { reviewQueue(districtId: $districtId) { totalCount nodes { id } } }',
        { districtId: encodeGlobalID('District', districtId) },
        { token: admin.token },
      );
      const platformQueue = await server.graphql(
        '{ reviewQueue { totalCount nodes { id } } }',
        {},
        { token: platformAdmin.token },
      );
      const byFacilitator = await review(sent.data.id, 'APPROVED', owner);
      const approved = await review(sent.data.id, 'APPROVED', admin);
      const audit = rowsOf(
        await db.execute(
          sql`select district_id, community_id from audit_log where action = 'community.evidence_reviewed' and district_id = ${districtId}`,
        ),
      );

      expect(byOutsider.__typename).toBe('NotFoundError');
      expect(sent.data.status).toBe('PENDING');
      expect(adminNotices[0]).toMatchObject({
        kind: 'EVIDENCE_SUBMITTED',
        submission: { id: sent.data.id, status: 'PENDING' },
      });
      expect(queue.body.data.reviewQueue).toEqual({
        totalCount: 1,
        nodes: [{ id: sent.data.id }],
      });
      expect(platformQueue.body.data.reviewQueue.nodes).toContainEqual({ id: sent.data.id });
      expect(byFacilitator.__typename).toBe('NotFoundError');
      expect(approved.data.status).toBe('APPROVED');
      expect(approved.data.award).not.toBeNull();
      expect(audit).toEqual([{ district_id: districtId, community_id: null }]);
    });
  });

  describe('parallel review', () => {
    test('two reviewers make one decision', async () => {
      const pending = await submit({ reflection: 'Racing reviewers.' }, member);
      const before = await snapshot();

      const results = await Promise.all([
        review(pending.data.id, 'APPROVED', owner),
        review(pending.data.id, 'DECLINED', cofacilitator, { feedback: 'Not enough detail.' }),
      ]);
      const after = await snapshot();
      const stored = await readSubmission(pending.data.id, member);
      const typenames = results.map((result) => result.__typename).sort();

      expect(typenames).toEqual(['ConflictError', 'MutationReviewEvidenceSuccess']);
      expect(after.reviews).toBe(before.reviews + 1);
      expect(stored.reviews).toHaveLength(1);
      expect(stored.status).toBe(stored.reviews[0].decision);
      expect(after.awards - before.awards).toBe(stored.status === 'APPROVED' ? 1 : 0);
    });
  });

  describe('bad input', () => {
    let otherPersonFile: string;
    let imageFile: string;
    let ownFiles: string[];

    beforeAll(async () => {
      otherPersonFile = await insertUpload(member);
      imageFile = await insertUpload(outsider, 'badge_image');
      ownFiles = [];
      for (let index = 0; index < 6; index += 1) {
        ownFiles.push(await insertUpload(outsider));
      }
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        outsider.token,
      );
    });

    const longLink = `https://example.org/${'a'.repeat(1990)}`;
    const cases: [string, () => Record<string, unknown>, string[]][] = [
      ['empty reflection', () => ({ reflection: '   ' }), ['reflection']],
      ['long reflection', () => ({ reflection: 'x'.repeat(10_001) }), ['reflection']],
      [
        'eleven links',
        () => ({ links: Array.from({ length: 11 }, (_, i) => `https://example.org/${i}`) }),
        ['links'],
      ],
      ['ftp link', () => ({ links: ['ftp://example.org/file'] }), ['links', '0']],
      ['javascript link', () => ({ links: ['javascript:alert(1)'] }), ['links', '0']],
      ['not a URL', () => ({ links: ['lab photos'] }), ['links', '0']],
      ['long link', () => ({ links: [longLink] }), ['links', '0']],
      [
        'link with a user name',
        () => ({ links: ['https://trusted.example.org@evil.example/'] }),
        ['links', '0'],
      ],
      [
        'link with a password',
        () => ({ links: ['https://example.org/ok', 'https://user:pass@example.org/'] }),
        ['links', '1'],
      ],
      ['loopback link', () => ({ links: ['http://127.0.0.1:4630/graphql'] }), ['links', '0']],
      ['short loopback link', () => ({ links: ['http://0x7f000001/'] }), ['links', '0']],
      ['localhost link', () => ({ links: ['http://LOCALHOST.:4000/'] }), ['links', '0']],
      ['private address link', () => ({ links: ['http://192.168.1.10/'] }), ['links', '0']],
      ['link-local link', () => ({ links: ['http://169.254.169.254/latest'] }), ['links', '0']],
      ['IPv6 loopback link', () => ({ links: ['http://[::1]:4000/'] }), ['links', '0']],
      ['IPv4-mapped link', () => ({ links: ['http://[::ffff:10.0.0.1]/'] }), ['links', '0']],
      ['IPv6 private link', () => ({ links: ['http://[fd12::1]/'] }), ['links', '0']],
      [
        'repeated link',
        () => ({ links: ['https://example.org/a', 'https://EXAMPLE.org/a'] }),
        ['links', '1'],
      ],
      ['six files', () => ({ fileIds: ownFiles }), ['fileIds']],
      ['repeated file', () => ({ fileIds: [ownFiles[0], ownFiles[0]] }), ['fileIds', '1']],
      ["another person's file", () => ({ fileIds: [otherPersonFile] }), ['fileIds', '0']],
      ['badge image file', () => ({ fileIds: [imageFile] }), ['fileIds', '0']],
      ['malformed file id', () => ({ fileIds: ['not-an-id'] }), ['fileIds', '0']],
      ['file of a badge id', () => ({ fileIds: [encodeGlobalID('Badge', 1)] }), ['fileIds', '0']],
      ['participation badge', () => ({ badgeId: participationBadgeId }), ['badgeId']],
    ];

    test.each(cases)('rejects %s', async (_name, input, path) => {
      const before = await snapshot();
      const result = await submit(input(), outsider);

      expect(result.__typename).toBe('ValidationError');
      expect(result.issues[0].path).toEqual(path);
      expect(await snapshot()).toEqual(before);
    });

    test('names the real host of a link', async () => {
      const userInfo = await submit(
        { links: ['https://trusted.example.org@evil.example/'] },
        outsider,
      );
      const loopback = await submit({ links: ['http://127.0.0.1:4630/graphql'] }, outsider);

      expect(userInfo.issues[0].message).toContain('user name or password');
      expect(userInfo.issues[0].message).toContain('evil.example');
      expect(loopback.issues[0].message).toContain('127.0.0.1:4630');
      expect(loopback.issues[0].message).toContain('loopback, private or link-local');
    });

    test('rejects a file used in another submission', async () => {
      const shared = ownFiles[5] ?? '';
      const first = await submit({ reflection: 'Mine.' }, cofacilitator);
      const revision = rowsOf(
        await server.database.db.execute(
          sql`select id from evidence_revisions where submission_id = ${rowIdOf(first.data.id)}`,
        ),
      )[0]?.id;
      await server.database.db.execute(
        sql`insert into evidence_files (revision_id, upload_id, position) values (${revision}, ${rowIdOf(shared)}, 0)`,
      );
      const before = await snapshot();
      const result = await submit({ fileIds: [shared] }, outsider);
      await run(WITHDRAW, { submissionId: first.data.id }, cofacilitator);

      expect(result.__typename).toBe('ValidationError');
      expect(result.issues[0]).toEqual({
        path: ['fileIds', '0'],
        message: "is attached to another person's evidence",
      });
      expect(await snapshot()).toEqual(before);
    });

    test('rejects a second open submission', async () => {
      const first = await submit({ fileIds: [ownFiles[1]] }, outsider);
      const before = await snapshot();
      const second = await submit({}, outsider);

      expect(first.__typename).toBe('MutationSubmitEvidenceSuccess');
      expect(second.__typename).toBe('ConflictError');
      expect(await snapshot()).toEqual(before);
    });

    test('checks feedback and the revision read', async () => {
      const open = (
        await server.graphql(BADGE_SUBMISSIONS, { id: badgeId }, { token: outsider.token })
      ).body.data.badge.viewerSubmissions[0].id;
      const before = await snapshot();
      const results = {
        changesWithoutFeedback: await review(open, 'CHANGES_REQUESTED', owner),
        declineWithBlankFeedback: await review(open, 'DECLINED', owner, { feedback: '  ' }),
        longFeedback: await review(open, 'DECLINED', owner, { feedback: 'x'.repeat(5001) }),
        longApproval: await review(open, 'APPROVED', owner, { feedback: 'x'.repeat(2001) }),
        staleRevision: await review(open, 'APPROVED', owner, { revisionNumber: 2 }),
        reviseWhilePending: await run(
          REVISE,
          { submissionId: open, reflection: 'Early.' },
          outsider,
        ),
      };

      expect(results.changesWithoutFeedback.issues[0].path).toEqual(['feedback']);
      expect(results.declineWithBlankFeedback.issues[0].path).toEqual(['feedback']);
      expect(results.longFeedback.issues[0].path).toEqual(['feedback']);
      expect(results.longApproval.issues[0].path).toEqual(['feedback']);
      expect(results.staleRevision.__typename).toBe('ConflictError');
      expect(results.reviseWhilePending.__typename).toBe('ConflictError');
      expect(await snapshot()).toEqual(before);
    });

    test('review queue rejects a malformed id', async () => {
      const queue = (variables: Record<string, string>) =>
        server.graphql(
          'query($communityId: ID, $districtId: ID) { reviewQueue(communityId: $communityId, districtId: $districtId, first: 5) { totalCount nodes { id } } }',
          variables,
          { token: owner.token },
        );

      const garbage = await queue({ communityId: 'garbage' });
      const wrongType = await queue({ communityId: badgeId });
      const badDistrict = await queue({ districtId: 'garbage' });
      const valid = await queue({ communityId });

      expect(garbage.body.data).toBeNull();
      expect(garbage.body.errors[0].extensions.code).toBe('VALIDATION');
      expect(garbage.body.errors[0].message).toContain('"garbage" is not a valid Community id');
      expect(wrongType.body.errors[0].extensions.code).toBe('VALIDATION');
      expect(badDistrict.body.errors[0].message).toContain('is not a valid District id');
      expect(valid.body.errors).toBeUndefined();
      expect(valid.body.data.reviewQueue.totalCount).toBeGreaterThanOrEqual(0);
    });

    test('rejects a malformed submission id', async () => {
      const result = await review('bogus', 'APPROVED', owner);
      const missing = await review(
        encodeGlobalID('EvidenceSubmission', 999_999),
        'APPROVED',
        owner,
      );

      expect(result.issues[0].path).toEqual(['submissionId']);
      expect(missing.__typename).toBe('NotFoundError');
    });
  });
  describe('spam limits', () => {
    let sender: Person;
    let secondBadgeId: string;

    beforeAll(async () => {
      sender = await signUpUser(server, { displayName: 'Sam Sender' });
      await mutate(
        server,
        'joinCommunity',
        'CommunityIdInput',
        { communityId },
        'id',
        sender.token,
      );
      secondBadgeId = (await createBadge(communityId, 'Field Trip Lead', 'MICROCREDENTIAL', owner))
        .id;
    });

    /** Counts EVIDENCE_SUBMITTED notifications that a manager got about the sender's evidence. */
    const noticesFromSender = async (manager: Person, badge: string) =>
      Number(
        rowsOf(
          await server.database.db.execute(
            sql`select count(*)::int as count from notifications
              where user_id = ${rowIdOf(manager.id)} and kind = 'evidence_submitted'
              and subject->>'actorId' = ${String(rowIdOf(sender.id))}
              and subject->>'badgeId' = ${String(rowIdOf(badge))}`,
          ),
        )[0]?.count,
      );

    test('notifies managers once a day per badge', async () => {
      const submissions: Json[] = [];
      for (let round = 0; round < 3; round += 1) {
        const sent = await submit({ reflection: `Round ${round}.` }, sender);
        submissions.push(sent);
        if (round < 2) {
          await run(WITHDRAW, { submissionId: sent.data.id }, sender);
        }
      }
      const otherBadge = await run(
        SUBMIT,
        { badgeId: secondBadgeId, reflection: 'A different badge.' },
        sender,
      );
      const queue = await server.graphql(QUEUE, { communityId }, { token: owner.token });
      const lastId = submissions[2]?.data.id;

      expect(submissions.map((sent) => sent.__typename)).toEqual([
        'MutationSubmitEvidenceSuccess',
        'MutationSubmitEvidenceSuccess',
        'MutationSubmitEvidenceSuccess',
      ]);
      expect(otherBadge.__typename).toBe('MutationSubmitEvidenceSuccess');
      expect(await noticesFromSender(owner, badgeId)).toBe(1);
      expect(await noticesFromSender(cofacilitator, badgeId)).toBe(1);
      expect(await noticesFromSender(owner, secondBadgeId)).toBe(1);
      expect(queue.body.data.reviewQueue.nodes.map((node: Json) => node.id)).toContain(lastId);
    });

    test('notifies managers of a revision again', async () => {
      const open = (
        await server.graphql(BADGE_SUBMISSIONS, { id: badgeId }, { token: sender.token })
      ).body.data.badge.viewerSubmissions[0].id;
      await review(open, 'CHANGES_REQUESTED', owner, { feedback: 'Add the data table.' });

      const revised = await run(
        REVISE,
        { submissionId: open, reflection: 'Added the data table.' },
        sender,
      );

      expect(revised.data.status).toBe('PENDING');
      expect(await noticesFromSender(owner, badgeId)).toBe(2);
    });

    test('limits submissions per person per hour', async () => {
      const results: Json[] = [];
      // The sender made four submissions above, so six more reach the limit of 10 an hour.
      for (let attempt = 0; attempt < 7; attempt += 1) {
        const open = (
          await server.graphql(BADGE_SUBMISSIONS, { id: badgeId }, { token: sender.token })
        ).body.data.badge.viewerSubmissions[0];
        if (open.status === 'PENDING') {
          await run(WITHDRAW, { submissionId: open.id }, sender);
        }
        results.push(await submit({ reflection: `Attempt ${attempt}.` }, sender));
      }
      const submissionsBefore = await countRows('evidence_submissions');
      const limited = await server.graphql(
        `mutation($input: SubmitEvidenceInput!) { submitEvidence(input: $input) {
          __typename ... on Error { message } ... on RateLimitedError { retryAfterSeconds } } }`,
        { input: { badgeId: secondBadgeId, reflection: 'One more.' } },
        { token: sender.token },
      );
      const result = limited.body.data.submitEvidence;

      expect(results.map((sent) => sent.__typename)).toEqual([
        ...Array(6).fill('MutationSubmitEvidenceSuccess'),
        'RateLimitedError',
      ]);
      expect(result.__typename).toBe('RateLimitedError');
      expect(result.retryAfterSeconds).toBeGreaterThan(3000);
      expect(result.message).toContain('10 times an hour');
      expect(result.message).toMatch(/try again in about (\d+ minutes|1 hour)/);
      expect(await countRows('evidence_submissions')).toBe(submissionsBefore);
    });
  });
});
