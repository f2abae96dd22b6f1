import { eq, type SQL, sql } from 'drizzle-orm';
import {
  evidenceFiles,
  evidenceSubmissions,
  REVIEW_DECISIONS,
  SUBMISSION_STATUSES,
} from '../../drizzle/tables/index.ts';
import type { Viewer } from '../../server/auth/access.ts';
import { RateLimitedError } from '../../server/errors.ts';
import { renderMarkdown } from '../../server/markdown.ts';
import { canManageBadge } from '../../server/services/badge-access.ts';
import {
  canReadSubmission,
  MAX_EVIDENCE_FILES,
  MAX_EVIDENCE_LINKS,
  reviewEvidence,
  reviseEvidence,
  submitEvidence,
  withdrawEvidence,
} from '../../server/services/evidence.ts';
import { builder, type GraphQLContext } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { loadRow } from '../loaders.ts';
import { enumFromValues } from './enums.ts';

export const EvidenceSubmissionStatusEnum = enumFromValues(
  'EvidenceSubmissionStatus',
  SUBMISSION_STATUSES,
  'Where evidence for a microcredential stands: waiting for review, back with the educator for changes, or closed (approved, declined or withdrawn).',
);

export const ReviewDecisionEnum = enumFromValues(
  'ReviewDecision',
  REVIEW_DECISIONS,
  "A reviewer's decision on the latest revision of evidence.",
);

/**
 * Returns the scopes of a submission's readers: its submitter while they may read the badge, and
 * the badge's managers (the community's owners and facilitators, or the district's admins). It is
 * the rule of canReadSubmission, written as scopes so that `node(id:)` applies it too.
 */
async function submissionScopes(
  submission: { badgeId: number; userId: number },
  ctx: GraphQLContext,
) {
  const badge = await loadRow(ctx, 'badges', submission.badgeId);
  const managers =
    badge?.communityId != null
      ? { moderateCommunity: badge.communityId }
      : { administerDistrict: badge?.districtId ?? -1 };
  return {
    $any: {
      $all: { isViewer: submission.userId, readBadge: submission.badgeId },
      ...managers,
    },
  };
}

const EvidenceRevision = builder.drizzleObject('evidenceRevisions', {
  name: 'EvidenceRevision',
  description:
    'One version of evidence that an educator sent: a reflection, links and files. Read with its submission.',
  fields: (t) => ({
    number: t.exposeInt('number', { description: '1 for the first version, then 2, 3 and so on.' }),
    reflection: t.exposeString('reflection', {
      description: "Markdown: the educator's reflection, 1 to 10,000 characters.",
    }),
    reflectionHtml: t.string({
      description: 'The reflection rendered to sanitized HTML.',
      resolve: (revision) => renderMarkdown(revision.reflection),
    }),
    links: t.exposeStringList('links', {
      description: `Links to the evidence, http or https, at most ${MAX_EVIDENCE_LINKS}, in the order given.`,
    }),
    files: t.drizzleField({
      type: ['uploads'],
      description: `Uploaded files of evidence, at most ${MAX_EVIDENCE_FILES}, in the order given.`,
      resolve: async (query, revision, _args, ctx) => {
        const attached = await ctx.db
          .select({ uploadId: evidenceFiles.uploadId })
          .from(evidenceFiles)
          .where(eq(evidenceFiles.revisionId, revision.id))
          .orderBy(evidenceFiles.position);
        const ids = attached.map((row) => row.uploadId);
        if (ids.length === 0) {
          return [];
        }
        const rows = await ctx.db.query.uploads.findMany(query({ where: { id: { in: ids } } }));
        const byId = new Map(rows.map((row) => [(row as unknown as { id: number }).id, row]));
        return ids.flatMap((id) => byId.get(id) ?? []);
      },
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was sent.',
      resolve: (revision) => revision.createdAt,
    }),
  }),
});

builder.drizzleObject('evidenceReviews', {
  name: 'EvidenceReview',
  description: "A reviewer's decision on one revision, with feedback for the educator.",
  fields: (t) => ({
    decision: t.field({
      type: ReviewDecisionEnum,
      description: 'Approved, changes requested or declined.',
      resolve: (review) => review.decision,
    }),
    feedback: t.exposeString('feedback', {
      description:
        'What the reviewer wrote to the educator; required unless approving, and empty when an approval has none.',
    }),
    reviewer: t.relation('reviewer', {
      nullable: true,
      description: 'Who decided; null when that account was deleted.',
    }),
    revisionNumber: t.int({
      description: 'The number of the revision decided on.',
      select: {
        extras: {
          revisionNumber: (table) =>
            sql<number>`(select r.number from evidence_revisions r where r.id = ${table.revisionId})`,
        },
      },
      resolve: (review) => review.revisionNumber,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the decision was made.',
      resolve: (review) => review.createdAt,
    }),
  }),
});

builder.drizzleNode('evidenceSubmissions', {
  name: 'EvidenceSubmission',
  description:
    "An educator's evidence for a microcredential, with every revision they sent and every review. Read by the educator who sent it and by those who manage the badge.",
  id: { column: (submission) => submission.id },
  authScopes: (submission, ctx) => submissionScopes(submission, ctx),
  fields: (t) => ({
    badge: t.relation('badge', { description: 'The microcredential the evidence is for.' }),
    submitter: t.relation('user', { description: 'The educator who sent the evidence.' }),
    status: t.field({
      type: EvidenceSubmissionStatusEnum,
      description: 'The state of the evidence in its review.',
      resolve: (submission) => submission.status,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the first revision was sent.',
      resolve: (submission) => submission.createdAt,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description:
        'When the status last changed; for PENDING evidence, when it started waiting for review.',
      resolve: (submission) => submission.updatedAt,
    }),
    revisions: t.relation('revisions', {
      description: 'Every revision, oldest first; the last is the one a reviewer decides on.',
      query: { orderBy: { number: 'asc' } },
    }),
    latestRevision: t.field({
      type: EvidenceRevision,
      description: 'The newest revision, the one a reviewer decides on.',
      // Loaded with the submission, so a queue of submissions costs no query per submission.
      select: (_args, _ctx, nestedSelection) => ({
        with: {
          revisions: nestedSelection({ orderBy: { number: 'desc' as const }, limit: 1 }),
        },
      }),
      resolve: (submission) => {
        const revision = submission.revisions[0];
        if (!revision) {
          throw new Error(`Evidence submission ${submission.id} has no revision`);
        }
        return revision;
      },
    }),
    reviews: t.relation('reviews', {
      description: 'Every decision, oldest first.',
      query: { orderBy: { id: 'asc' } },
    }),
    award: t.drizzleField({
      type: 'badgeAwards',
      nullable: true,
      description: 'The award that approving the evidence granted; null until it is approved.',
      resolve: (query, submission, _args, ctx) =>
        submission.status === 'approved'
          ? ctx.db.query.badgeAwards.findFirst(
              query({ where: { submissionId: submission.id }, orderBy: { id: 'desc' } }),
            )
          : null,
    }),
    viewerCanReview: t.boolean({
      description:
        'Whether the viewer may decide on it now: it is pending, the viewer manages the badge, and it is not their own.',
      resolve: async (submission, _args, ctx) => {
        if (submission.status !== 'pending' || submission.userId === ctx.viewer?.id) {
          return false;
        }
        const badge = await loadRow(ctx, 'badges', submission.badgeId);
        return badge !== null && canManageBadge(ctx, badge);
      },
    }),
  }),
});

/**
 * Builds the condition for evidence that waits for the viewer's review. It matches pending
 * submissions other than the viewer's own, for badges of communities the viewer owns or
 * facilitates and of districts the viewer administers, optionally of one community or district.
 */
function reviewQueueCondition(
  viewer: Viewer | null,
  table: typeof evidenceSubmissions,
  filter: { communityId: number | null; districtId: number | null },
): SQL {
  if (!viewer) {
    return sql`false`;
  }
  // Platform admins manage every district's badges, as canAdministerDistrict decides.
  const managedDistricts = viewer.isPlatformAdmin
    ? sql`b.district_id is not null`
    : sql`b.district_id in (${sql.join(
        [...viewer.adminDistrictIds, -1].map((id) => sql`${id}`),
        sql`, `,
      )})`;
  const issuerFilter =
    filter.communityId !== null
      ? sql`and b.community_id = ${filter.communityId}`
      : filter.districtId !== null
        ? sql`and b.district_id = ${filter.districtId}`
        : sql``;
  return sql`${table.status} = 'pending' and ${table.userId} <> ${viewer.id}
    and ${table.badgeId} in (select b.id from badges b where (
      b.community_id in (select m.community_id from memberships m
        where m.user_id = ${viewer.id} and m.status = 'active' and m.role in ('owner', 'facilitator'))
      or ${managedDistricts}) ${issuerFilter})`;
}

/**
 * Reads the queue's filter arguments. A malformed id, or one of another type, is a
 * ValidationError naming the argument, as other query arguments are.
 */
function queueFilter(args: {
  communityId?: string | number | null;
  districtId?: string | number | null;
}) {
  const communityId =
    args.communityId == null
      ? null
      : parseGlobalId(String(args.communityId), 'Community', 'communityId');
  const districtId =
    args.districtId == null
      ? null
      : parseGlobalId(String(args.districtId), 'District', 'districtId');
  return { communityId, districtId };
}

builder.queryFields((t) => ({
  reviewQueue: t.drizzleConnection({
    type: 'evidenceSubmissions',
    description:
      "Evidence waiting for the viewer's review, longest waiting first: pending submissions of badges the viewer manages (for platform admins, every district's badges), other than the viewer's own. Empty when signed out. A malformed communityId or districtId is an error with code VALIDATION.",
    args: {
      communityId: t.arg.id({
        required: false,
        description: "Only evidence for this community's badges.",
      }),
      districtId: t.arg.id({
        required: false,
        description: "Only evidence for this district's badges.",
      }),
    },
    totalCount: async (_parent, args, ctx) => {
      const [row] = await ctx.db
        .select({ count: sql<number>`count(*)::int` })
        .from(evidenceSubmissions)
        .where(reviewQueueCondition(ctx.viewer, evidenceSubmissions, queueFilter(args)));
      return row?.count ?? 0;
    },
    resolve: (query, _parent, args, ctx) =>
      ctx.db.query.evidenceSubmissions.findMany(
        query({
          where: {
            RAW: (table) => reviewQueueCondition(ctx.viewer, table, queueFilter(args)),
          },
          orderBy: { updatedAt: 'asc', id: 'asc' },
        }),
      ),
  }),
}));

/** Returns the scopes of those who manage a badge, for fields that only they read. */
function managerScopes(badge: { communityId: number | null; districtId: number | null }) {
  return badge.communityId !== null
    ? { moderateCommunity: badge.communityId }
    : { administerDistrict: badge.districtId ?? -1 };
}

builder.drizzleObjectFields('badges', (t) => ({
  viewerSubmissions: t.relation('submissions', {
    description:
      "The viewer's own evidence for this badge, newest first; empty when signed out or for a participation badge.",
    query: (_args, ctx) => ({
      where: { userId: ctx.viewer?.id ?? -1 },
      orderBy: { id: 'desc' },
    }),
  }),
  submissions: t.relatedConnection('submissions', {
    nullable: true,
    description:
      'All evidence for this badge, newest first, optionally with one status; null unless the viewer manages the badge.',
    authScopes: managerScopes,
    unauthorizedResolver: () => null,
    args: {
      status: t.arg({
        type: EvidenceSubmissionStatusEnum,
        required: false,
        description: 'Only evidence with this status.',
      }),
    },
    query: (args) => ({
      where: args.status ? { status: args.status } : {},
      orderBy: { id: 'desc' },
    }),
  }),
}));

builder.drizzleObjectFields('notifications', (t) => ({
  submission: t.drizzleField({
    type: 'evidenceSubmissions',
    nullable: true,
    description:
      'The evidence, for EVIDENCE_SUBMITTED and REVIEW_RESULT; null for other kinds, or when the viewer may no longer read it.',
    resolve: async (_query, notification, _args, ctx) => {
      const submissionId = notification.subject.submissionId;
      if (submissionId === undefined) {
        return null;
      }
      const submission = await loadRow(ctx, 'evidenceSubmissions', submissionId);
      return submission && (await canReadSubmission(ctx, submission)) ? submission : null;
    },
  }),
}));

/** Parses the Upload ids of a revision's files. */
function parseFileIds(fileIds: readonly (string | number)[] | null | undefined): number[] {
  return (fileIds ?? []).map((id, index) =>
    parseGlobalId(String(id), 'Upload', `fileIds.${index}`),
  );
}

const evidenceFields = {
  reflection: `Markdown: what was done and learned, 1 to 10,000 characters.`,
  links: `Links to the evidence: http or https URLs of at most 2,000 characters, at most ${MAX_EVIDENCE_LINKS}, each once.`,
  fileIds: `Upload ids of evidence files (uploadFile with purpose EVIDENCE) that the viewer uploaded, at most ${MAX_EVIDENCE_FILES}, each once.`,
};

const SubmitEvidenceInput = builder.inputType('SubmitEvidenceInput', {
  description: 'Evidence for a microcredential.',
  fields: (f) => ({
    badgeId: f.id({ required: true, description: 'The microcredential, by Badge id.' }),
    reflection: f.string({ required: true, description: evidenceFields.reflection }),
    links: f.stringList({ description: evidenceFields.links }),
    fileIds: f.idList({ description: evidenceFields.fileIds }),
  }),
});

const ReviseEvidenceInput = builder.inputType('ReviseEvidenceInput', {
  description: 'A new revision of evidence whose reviewer asked for changes.',
  fields: (f) => ({
    submissionId: f.id({ required: true, description: 'The EvidenceSubmission.' }),
    reflection: f.string({ required: true, description: evidenceFields.reflection }),
    links: f.stringList({ description: evidenceFields.links }),
    fileIds: f.idList({ description: evidenceFields.fileIds }),
  }),
});

const WithdrawEvidenceInput = builder.inputType('WithdrawEvidenceInput', {
  description: 'Open evidence of the viewer to withdraw.',
  fields: (f) => ({
    submissionId: f.id({ required: true, description: 'The EvidenceSubmission.' }),
  }),
});

const ReviewEvidenceInput = builder.inputType('ReviewEvidenceInput', {
  description: 'A decision on the latest revision of pending evidence.',
  fields: (f) => ({
    submissionId: f.id({ required: true, description: 'The EvidenceSubmission.' }),
    decision: f.field({ type: ReviewDecisionEnum, required: true, description: 'The decision.' }),
    feedback: f.string({
      description:
        'For the educator: required for CHANGES_REQUESTED and DECLINED (at most 5,000 characters); optional for APPROVED (at most 2,000 characters), where it becomes the award note.',
    }),
    revisionNumber: f.int({
      description:
        'The revision the reviewer read; when another revision has arrived since, a ConflictError. Omit it to decide on the latest.',
    }),
  }),
});

const submissionIdOf = (input: { submissionId: string | number }) =>
  parseGlobalId(String(input.submissionId), 'EvidenceSubmission', 'submissionId');

builder.mutationFields((t) => ({
  submitEvidence: t.drizzleField({
    type: 'evidenceSubmissions',
    description:
      "Sends evidence for a microcredential for review: one open submission per person and badge, from an active member of the badge's community (or staff of its district) who does not hold it yet. At most 10 submissions per person an hour (RateLimitedError). Up to 20 of the badge's managers are notified, each at most once a day for one person's evidence for one badge.",
    errors: { types: [...COMMON_ERRORS, RateLimitedError] },
    args: { input: t.arg({ type: SubmitEvidenceInput, required: true }) },
    resolve: (_query, _parent, { input }, ctx) =>
      submitEvidence(ctx, {
        badgeId: parseGlobalId(String(input.badgeId), 'Badge', 'badgeId'),
        reflection: input.reflection,
        links: input.links,
        fileIds: parseFileIds(input.fileIds),
      }),
  }),
  reviseEvidence: t.drizzleField({
    type: 'evidenceSubmissions',
    description:
      "Adds a revision to the viewer's evidence after a reviewer asked for changes, and sets it pending again; the badge's managers are notified.",
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ type: ReviseEvidenceInput, required: true }) },
    resolve: (_query, _parent, { input }, ctx) =>
      reviseEvidence(ctx, {
        submissionId: submissionIdOf(input),
        reflection: input.reflection,
        links: input.links,
        fileIds: parseFileIds(input.fileIds),
      }),
  }),
  withdrawEvidence: t.drizzleField({
    type: 'evidenceSubmissions',
    description:
      "Withdraws the viewer's open evidence (pending, or with changes requested); its history stays readable.",
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ type: WithdrawEvidenceInput, required: true }) },
    resolve: (_query, _parent, { input }, ctx) =>
      withdrawEvidence(ctx, { submissionId: submissionIdOf(input) }),
  }),
  reviewEvidence: t.drizzleField({
    type: 'evidenceSubmissions',
    description:
      "Decides on pending evidence, for those who manage its badge and never on one's own: APPROVED awards the badge (source REVIEW), CHANGES_REQUESTED sends it back, DECLINED closes it. Of two reviewers deciding at once, one decides and the other gets a ConflictError. The educator is notified and the audit log records the decision.",
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ type: ReviewEvidenceInput, required: true }) },
    resolve: async (_query, _parent, { input }, ctx) =>
      (
        await reviewEvidence(ctx, {
          submissionId: submissionIdOf(input),
          decision: input.decision,
          feedback: input.feedback,
          revisionNumber: input.revisionNumber,
        })
      ).submission,
  }),
}));
