import { and, asc, desc, eq, gt, inArray, ne, sql } from 'drizzle-orm';
import type { Executor, Transaction } from '../../drizzle/db.ts';
import {
  badgeAwards,
  districtAdmins,
  evidenceFiles,
  evidenceReviews,
  evidenceRevisions,
  evidenceSubmissions,
  memberships,
  type NotificationSubject,
  notifications,
  type REVIEW_DECISIONS,
  uploads,
} from '../../drizzle/tables/index.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import {
  ConflictError,
  describeWait,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../errors.ts';
import { InputValidator, parsePublicHttpUrl } from '../validation.ts';
import { recordAudit } from './audit.ts';
import { grantAward } from './badge.ts';
import {
  type BadgeRow,
  canManageBadge,
  isEligibleRecipient,
  requireReadableBadge,
} from './badge-access.ts';
import { canManageBadgeById } from './badge-award-access.ts';
import {
  type EventRecorder,
  requireViewer,
  runInTransaction,
  type ServiceContext,
} from './context.ts';
import { notify } from './thread.ts';

export type EvidenceSubmissionRow = typeof evidenceSubmissions.$inferSelect;
export type EvidenceRevisionRow = typeof evidenceRevisions.$inferSelect;
export type EvidenceReviewRow = typeof evidenceReviews.$inferSelect;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export const MAX_REFLECTION_LENGTH = 10_000;
export const MAX_EVIDENCE_LINKS = 10;
export const MAX_LINK_LENGTH = 2000;
export const MAX_EVIDENCE_FILES = 5;
export const MAX_FEEDBACK_LENGTH = 5000;
/** Maximum length of an approval's feedback, because it becomes the award note (2,000 characters). */
export const MAX_APPROVAL_FEEDBACK_LENGTH = 2000;
/** Maximum number of managers notified of one new or revised submission. */
export const MAX_NOTIFIED_MANAGERS = 20;
/**
 * New submissions one person may send in an hour, counted once the input is valid. Each one
 * notifies up to 20 managers, so sending and withdrawing in a loop must not go on without end.
 */
export const EVIDENCE_SUBMISSION_RATE_LIMIT: RateLimitRule = { limit: 10, windowSeconds: 60 * 60 };
/**
 * A manager is notified of new submissions (not revisions) from one person for one badge at most
 * once in this time.
 */
const SUBMISSION_NOTICE_INTERVAL = sql`interval '1 day'`;

/** The evidence of one revision, as the educator sends it. */
export interface EvidenceInput {
  reflection: string;
  links?: readonly string[] | null;
  /** Uploads of purpose evidence, owned by the viewer, in the order to show them. */
  fileIds?: readonly number[] | null;
}

interface CleanEvidence {
  reflection: string;
  links: string[];
  fileIds: number[];
}

/**
 * Checks a revision's reflection, links and file ids, and reports every invalid field at once.
 * Links must be http or https URLs of at most 2,000 characters, without a user name or password
 * and not to localhost or a non-public IP address, at most 10, each given once. At most 5 files,
 * each given once.
 */
function validateEvidence(validator: InputValidator, input: EvidenceInput): CleanEvidence {
  const reflection = validator.text('reflection', input.reflection, {
    max: MAX_REFLECTION_LENGTH,
    multiline: true,
  });
  const rawLinks = input.links ?? [];
  const links: string[] = [];
  if (rawLinks.length > MAX_EVIDENCE_LINKS) {
    validator.add('links', `must be at most ${MAX_EVIDENCE_LINKS} links (got ${rawLinks.length})`);
  } else {
    rawLinks.forEach((raw, index) => {
      const path = `links.${index}`;
      const before = validator.issues.length;
      if (raw.trim().length > MAX_LINK_LENGTH) {
        validator.add(path, `must be at most ${MAX_LINK_LENGTH} characters`);
        return;
      }
      const url = parsePublicHttpUrl(validator, path, raw);
      if (validator.issues.length > before) {
        return;
      }
      if (url.length > MAX_LINK_LENGTH) {
        validator.add(path, `must be at most ${MAX_LINK_LENGTH} characters once normalized`);
      } else if (links.includes(url)) {
        validator.add(path, `repeats the link ${url}; give each link once`);
      } else {
        links.push(url);
      }
    });
  }
  const fileIds = [...(input.fileIds ?? [])];
  if (fileIds.length > MAX_EVIDENCE_FILES) {
    validator.add('fileIds', `must be at most ${MAX_EVIDENCE_FILES} files (got ${fileIds.length})`);
  } else {
    fileIds.forEach((id, index) => {
      if (fileIds.indexOf(id) !== index) {
        validator.add(`fileIds.${index}`, 'repeats a file; attach each file once');
      }
    });
  }
  return { reflection, links, fileIds };
}

/**
 * Checks inside the transaction that every file is an evidence upload of the viewer and is not
 * attached to another person's submission. Throws a ValidationError naming each bad file.
 */
async function requireUsableFiles(
  tx: Transaction,
  viewerId: number,
  fileIds: number[],
): Promise<void> {
  if (fileIds.length === 0) {
    return;
  }
  const owned = await tx
    .select({ id: uploads.id })
    .from(uploads)
    .where(
      and(
        inArray(uploads.id, fileIds),
        eq(uploads.ownerId, viewerId),
        eq(uploads.purpose, 'evidence'),
      ),
    );
  const usedByOthers = await tx
    .selectDistinct({ id: evidenceFiles.uploadId })
    .from(evidenceFiles)
    .innerJoin(evidenceRevisions, eq(evidenceRevisions.id, evidenceFiles.revisionId))
    .innerJoin(evidenceSubmissions, eq(evidenceSubmissions.id, evidenceRevisions.submissionId))
    .where(and(inArray(evidenceFiles.uploadId, fileIds), ne(evidenceSubmissions.userId, viewerId)));
  const ownedIds = new Set(owned.map((row) => row.id));
  const usedIds = new Set(usedByOthers.map((row) => row.id));
  const validator = new InputValidator();
  fileIds.forEach((id, index) => {
    if (!ownedIds.has(id)) {
      validator.add(
        `fileIds.${index}`,
        'names no evidence file of yours; upload the file with purpose EVIDENCE and pass its id',
      );
    } else if (usedIds.has(id)) {
      validator.add(`fileIds.${index}`, "is attached to another person's evidence");
    }
  });
  validator.check();
}

/** Inserts a revision of a submission with its files in the order given. */
async function insertRevision(
  tx: Transaction,
  submissionId: number,
  number: number,
  evidence: CleanEvidence,
): Promise<EvidenceRevisionRow> {
  const [revision] = await tx
    .insert(evidenceRevisions)
    .values({
      submissionId,
      number,
      reflection: evidence.reflection,
      links: evidence.links,
    })
    .returning();
  if (!revision) {
    throw new Error(`Inserting revision ${number} of evidence submission ${submissionId} failed`);
  }
  if (evidence.fileIds.length > 0) {
    await tx.insert(evidenceFiles).values(
      evidence.fileIds.map((uploadId, position) => ({
        revisionId: revision.id,
        uploadId,
        position,
      })),
    );
  }
  return revision;
}

/** Builds the subject of a notification about a badge: its issuer and the badge. */
function badgeSubject(badge: BadgeRow): NotificationSubject {
  return badge.communityId !== null
    ? { communityId: badge.communityId, badgeId: badge.id }
    : { districtId: badge.districtId ?? undefined, badgeId: badge.id };
}

/**
 * Returns the ids of the people who manage a badge, at most MAX_NOTIFIED_MANAGERS + 1. For a
 * community's badge these are its active owners, then its facilitators; for a district's badge,
 * the district's admins.
 */
export async function badgeManagerIds(db: Executor, badge: BadgeRow): Promise<number[]> {
  if (badge.communityId !== null) {
    const rows = await db
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(
        and(
          eq(memberships.communityId, badge.communityId),
          eq(memberships.status, 'active'),
          inArray(memberships.role, ['owner', 'facilitator']),
        ),
      )
      .orderBy(sql`${memberships.role} = 'owner' desc`, asc(memberships.id))
      .limit(MAX_NOTIFIED_MANAGERS + 1);
    return rows.map((row) => row.userId);
  }
  const rows = await db
    .select({ userId: districtAdmins.userId })
    .from(districtAdmins)
    .where(eq(districtAdmins.districtId, badge.districtId ?? -1))
    .orderBy(asc(districtAdmins.createdAt), asc(districtAdmins.userId))
    .limit(MAX_NOTIFIED_MANAGERS + 1);
  return rows.map((row) => row.userId);
}

/**
 * Returns those of `managerIds` who got an EVIDENCE_SUBMITTED notification from the submitter for
 * the badge within SUBMISSION_NOTICE_INTERVAL.
 */
async function recentlyNotifiedManagerIds(
  tx: Transaction,
  badge: BadgeRow,
  submitterId: number,
  managerIds: number[],
): Promise<Set<number>> {
  if (managerIds.length === 0) {
    return new Set();
  }
  const rows = await tx
    .selectDistinct({ userId: notifications.userId })
    .from(notifications)
    .where(
      and(
        inArray(notifications.userId, managerIds),
        eq(notifications.kind, 'evidence_submitted'),
        gt(notifications.createdAt, sql`now() - ${SUBMISSION_NOTICE_INTERVAL}`),
        sql`${notifications.subject}->>'badgeId' = ${String(badge.id)}`,
        sql`${notifications.subject}->>'actorId' = ${String(submitterId)}`,
      ),
    );
  return new Set(rows.map((row) => row.userId));
}

/**
 * Notifies the badge's managers, except the submitter, that evidence waits for their review. With
 * `oncePerDay`, as for new submissions, a manager already notified of the submitter's evidence for
 * this badge in the last day is not notified again, though the evidence is in their review queue.
 */
async function notifyManagers(
  tx: Transaction,
  recorder: EventRecorder,
  badge: BadgeRow,
  submission: EvidenceSubmissionRow,
  options: { oncePerDay: boolean },
): Promise<void> {
  let managerIds = (await badgeManagerIds(tx, badge))
    .filter((id) => id !== submission.userId)
    .slice(0, MAX_NOTIFIED_MANAGERS);
  if (options.oncePerDay) {
    const notified = await recentlyNotifiedManagerIds(tx, badge, submission.userId, managerIds);
    managerIds = managerIds.filter((id) => !notified.has(id));
  }
  for (const managerId of managerIds) {
    await notify(tx, recorder, managerId, 'evidence_submitted', {
      ...badgeSubject(badge),
      submissionId: submission.id,
      actorId: submission.userId,
    });
  }
}

/** Reports whether the person has an active award of the badge that has not expired. */
async function holdsActiveAward(db: Executor, badgeId: number, userId: number): Promise<boolean> {
  const [award] = await db
    .select({ id: badgeAwards.id })
    .from(badgeAwards)
    .where(
      and(
        eq(badgeAwards.badgeId, badgeId),
        eq(badgeAwards.recipientId, userId),
        eq(badgeAwards.status, 'active'),
        sql`(${badgeAwards.expiresAt} is null or ${badgeAwards.expiresAt} > now())`,
      ),
    );
  return award !== undefined;
}

/**
 * Throws unless the viewer may send evidence for the badge: it is a microcredential
 * (ValidationError), the viewer may hold it (ForbiddenError) and does not hold it yet
 * (ConflictError).
 */
async function requireCanSendEvidence(
  db: Executor,
  badge: BadgeRow,
  viewerId: number,
): Promise<void> {
  if (badge.kind !== 'microcredential') {
    throw ValidationError.of(
      'badgeId',
      `"${badge.name}" is a participation badge; evidence is reviewed for microcredentials only`,
    );
  }
  if (!(await isEligibleRecipient(db, badge, viewerId))) {
    throw new ForbiddenError(
      badge.communityId !== null
        ? "Only active members of the badge's community send evidence for it."
        : "Only staff of the badge's district send evidence for it.",
    );
  }
  if (await holdsActiveAward(db, badge.id, viewerId)) {
    throw new ConflictError(`You already have the badge "${badge.name}".`);
  }
}

/** Counts one evidence submission of the person, or throws RateLimitedError with the wait. */
async function consumeSubmissionAttempt(ctx: ServiceContext, userId: number): Promise<void> {
  try {
    await consumeRateLimit(ctx.db, `evidence:user:${userId}`, EVIDENCE_SUBMISSION_RATE_LIMIT);
  } catch (error) {
    if (!(error instanceof RateLimitedError)) {
      throw error;
    }
    ctx.log.warn({ userId, retryAfterSeconds: error.retryAfterSeconds }, 'Evidence rate limit hit');
    throw new RateLimitedError(
      error.retryAfterSeconds,
      `Each person may send new evidence ${EVIDENCE_SUBMISSION_RATE_LIMIT.limit} times an hour, and you have reached that; try again in ${describeWait(error.retryAfterSeconds)}.`,
    );
  }
}

/**
 * Sends evidence for a microcredential: revision 1 of a new pending submission, and a
 * notification (EVIDENCE_SUBMITTED) to up to 20 of the badge's managers, except those already
 * notified of this person's evidence for the badge in the last day.
 *
 * Errors: NotFoundError for a badge the viewer may not read. ValidationError for invalid input or
 * a participation badge. ForbiddenError unless the viewer is an active member of its community
 * (or staff of its district). ConflictError when the viewer already has the badge or an open
 * submission for it. RateLimitedError past 10 submissions in an hour.
 */
export async function submitEvidence(
  ctx: ServiceContext,
  input: EvidenceInput & { badgeId: number },
): Promise<EvidenceSubmissionRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const evidence = validateEvidence(validator, input);
  validator.check();

  const badge = await requireReadableBadge(ctx, input.badgeId);
  await requireCanSendEvidence(ctx.db, badge, viewer.id);
  await consumeSubmissionAttempt(ctx, viewer.id);

  return runInTransaction(ctx, async (tx, recorder) => {
    await requireUsableFiles(tx, viewer.id, evidence.fileIds);
    // The partial unique index allows one pending or changes_requested submission per person
    // and badge, so of two parallel submissions one inserts nothing.
    const [submission] = await tx
      .insert(evidenceSubmissions)
      .values({ badgeId: badge.id, userId: viewer.id })
      .onConflictDoNothing()
      .returning();
    if (!submission) {
      throw new ConflictError(
        `You already have open evidence for "${badge.name}"; revise or withdraw it instead.`,
      );
    }
    await insertRevision(tx, submission.id, 1, evidence);
    await notifyManagers(tx, recorder, badge, submission, { oncePerDay: true });
    return submission;
  });
}

/**
 * Returns whether the viewer may read a submission: its submitter while they may read the
 * badge, and those who manage the badge.
 */
export async function canReadSubmission(
  ctx: ServiceContext,
  submission: Pick<EvidenceSubmissionRow, 'badgeId' | 'userId'>,
): Promise<boolean> {
  if (!ctx.viewer || !(await ctx.access.canReadBadge(submission.badgeId))) {
    return false;
  }
  if (submission.userId === ctx.viewer.id) {
    return true;
  }
  return canManageBadgeById(ctx, submission.badgeId);
}

/**
 * Loads a submission with its badge, or throws NotFoundError when it does not exist or the viewer
 * may not read it, so that someone else's evidence looks the same as a missing one.
 */
async function loadReadableSubmission(
  ctx: ServiceContext,
  submissionId: number,
): Promise<{ submission: EvidenceSubmissionRow; badge: BadgeRow }> {
  const notFound = () =>
    new NotFoundError(
      `Evidence submission ${submissionId} not found, or you do not have access to it.`,
    );
  const [submission] = await ctx.db
    .select()
    .from(evidenceSubmissions)
    .where(eq(evidenceSubmissions.id, submissionId));
  if (!submission || !(await canReadSubmission(ctx, submission))) {
    throw notFound();
  }
  const badge = await requireReadableBadge(ctx, submission.badgeId).catch((error: unknown) => {
    throw error instanceof NotFoundError ? notFound() : error;
  });
  return { submission, badge };
}

/**
 * Locks a submission's row until the transaction ends and returns it as stored then, so that two
 * decisions on it (two reviewers, or a review and a withdrawal) run one after the other.
 */
async function lockSubmission(tx: Transaction, submissionId: number) {
  const [locked] = await tx
    .select()
    .from(evidenceSubmissions)
    .where(eq(evidenceSubmissions.id, submissionId))
    .for('update');
  if (!locked) {
    throw new NotFoundError(`Evidence submission ${submissionId} not found.`);
  }
  return locked;
}

/** Loads the newest revision of a submission. */
async function latestRevision(tx: Executor, submissionId: number): Promise<EvidenceRevisionRow> {
  const [revision] = await tx
    .select()
    .from(evidenceRevisions)
    .where(eq(evidenceRevisions.submissionId, submissionId))
    .orderBy(desc(evidenceRevisions.number))
    .limit(1);
  if (!revision) {
    throw new Error(`Evidence submission ${submissionId} has no revision`);
  }
  return revision;
}

/** Throws ForbiddenError unless the viewer sent the submission, naming the action. */
function requireSubmitter(
  viewerId: number,
  submission: EvidenceSubmissionRow,
  action: string,
): void {
  if (submission.userId !== viewerId) {
    throw new ForbiddenError(`Only the person who sent the evidence can ${action} it.`);
  }
}

/**
 * Sends a new revision of evidence whose reviewer requested changes, and sets the submission
 * pending again. The managers are notified as for new evidence.
 *
 * Errors: NotFoundError, ValidationError, ForbiddenError (not the submitter, or no longer
 * eligible), and ConflictError unless changes were requested.
 */
export async function reviseEvidence(
  ctx: ServiceContext,
  input: EvidenceInput & { submissionId: number },
): Promise<EvidenceSubmissionRow> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const evidence = validateEvidence(validator, input);
  validator.check();

  const { submission, badge } = await loadReadableSubmission(ctx, input.submissionId);
  requireSubmitter(viewer.id, submission, 'revise');
  if (!(await isEligibleRecipient(ctx.db, badge, viewer.id))) {
    throw new ForbiddenError(
      'You may no longer hold this badge, so the evidence cannot be revised; withdraw it instead.',
    );
  }

  return runInTransaction(ctx, async (tx, recorder) => {
    const locked = await lockSubmission(tx, submission.id);
    if (locked.status !== 'changes_requested') {
      throw new ConflictError(
        `Evidence submission ${submission.id} is ${describeStatus(locked.status)}; it can be revised only after a reviewer asks for changes.`,
      );
    }
    await requireUsableFiles(tx, viewer.id, evidence.fileIds);
    const previous = await latestRevision(tx, submission.id);
    await insertRevision(tx, submission.id, previous.number + 1, evidence);
    const [updated] = await tx
      .update(evidenceSubmissions)
      .set({ status: 'pending', updatedAt: sql`now()` })
      .where(eq(evidenceSubmissions.id, submission.id))
      .returning();
    if (!updated) {
      throw new Error(`Updating evidence submission ${submission.id} returned no row`);
    }
    // A revision responds to a reviewer's request for changes, so the managers are always notified.
    await notifyManagers(tx, recorder, badge, updated, { oncePerDay: false });
    return updated;
  });
}

/**
 * Withdraws the viewer's open evidence (pending, or with changes requested) and keeps its history.
 * Errors: NotFoundError, ForbiddenError (not the submitter), ConflictError once it is closed.
 */
export async function withdrawEvidence(
  ctx: ServiceContext,
  input: { submissionId: number },
): Promise<EvidenceSubmissionRow> {
  const viewer = requireViewer(ctx);
  const { submission } = await loadReadableSubmission(ctx, input.submissionId);
  requireSubmitter(viewer.id, submission, 'withdraw');

  return runInTransaction(ctx, async (tx) => {
    const locked = await lockSubmission(tx, submission.id);
    if (locked.status !== 'pending' && locked.status !== 'changes_requested') {
      throw new ConflictError(
        `Evidence submission ${submission.id} is ${describeStatus(locked.status)}, so it cannot be withdrawn.`,
      );
    }
    const [updated] = await tx
      .update(evidenceSubmissions)
      .set({ status: 'withdrawn', updatedAt: sql`now()` })
      .where(eq(evidenceSubmissions.id, submission.id))
      .returning();
    if (!updated) {
      throw new Error(`Updating evidence submission ${submission.id} returned no row`);
    }
    return updated;
  });
}

function describeStatus(status: EvidenceSubmissionRow['status']): string {
  switch (status) {
    case 'pending':
      return 'waiting for review';
    case 'changes_requested':
      return 'back with its sender for changes';
    default:
      return status;
  }
}

export interface ReviewOutcome {
  submission: EvidenceSubmissionRow;
  review: EvidenceReviewRow;
  /** The award that an approval granted; null for other decisions. */
  award: typeof badgeAwards.$inferSelect | null;
}

/**
 * Decides on the latest revision of pending evidence: approve (grants the badge with source
 * review in the same transaction), request changes or decline. Feedback is required unless
 * approving. The submitter is notified (REVIEW_RESULT) and the audit log records the decision.
 *
 * Errors: NotFoundError unless the viewer may read the submission. ForbiddenError for one's own
 * evidence, or when the viewer does not manage the badge. ValidationError for invalid feedback.
 * ConflictError when the submission is no longer pending or revisionNumber is not its latest
 * revision, and on approval when the submitter may no longer have the badge or already has it.
 */
export async function reviewEvidence(
  ctx: ServiceContext,
  input: {
    submissionId: number;
    decision: ReviewDecision;
    feedback?: string | null;
    /** The revision the reviewer read. When omitted, the decision is on the latest one. */
    revisionNumber?: number | null;
  },
): Promise<ReviewOutcome> {
  const viewer = requireViewer(ctx);
  const validator = new InputValidator();
  const approving = input.decision === 'approved';
  const feedback =
    validator.optionalText('feedback', input.feedback, {
      min: approving ? 0 : 1,
      max: approving ? MAX_APPROVAL_FEEDBACK_LENGTH : MAX_FEEDBACK_LENGTH,
      multiline: true,
    }) ?? '';
  if (!approving && feedback === '' && validator.issues.length === 0) {
    validator.add('feedback', 'must not be empty: tell the educator what to change or why');
  }
  validator.check();

  const { submission, badge } = await loadReadableSubmission(ctx, input.submissionId);
  if (submission.userId === viewer.id) {
    throw new ForbiddenError('You cannot review your own evidence; another reviewer decides.');
  }
  if (!(await canManageBadge(ctx, badge))) {
    throw new ForbiddenError(
      badge.districtId === null
        ? "Only the community's owners and facilitators review evidence."
        : "Only the district's admins review evidence.",
    );
  }

  return runInTransaction(ctx, async (tx, recorder) => {
    const locked = await lockSubmission(tx, submission.id);
    if (locked.status !== 'pending') {
      throw new ConflictError(
        `Evidence submission ${submission.id} is ${describeStatus(locked.status)}; only evidence waiting for review can be reviewed.`,
      );
    }
    const revision = await latestRevision(tx, submission.id);
    if (
      input.revisionNumber !== undefined &&
      input.revisionNumber !== null &&
      input.revisionNumber !== revision.number
    ) {
      throw new ConflictError(
        `Revision ${input.revisionNumber} is not the latest revision of this evidence (revision ${revision.number} is); read it before deciding.`,
      );
    }
    const [review] = await tx
      .insert(evidenceReviews)
      .values({
        submissionId: submission.id,
        revisionId: revision.id,
        reviewerId: viewer.id,
        decision: input.decision,
        feedback,
      })
      .returning();
    const [updated] = await tx
      .update(evidenceSubmissions)
      .set({ status: input.decision, updatedAt: sql`now()` })
      .where(eq(evidenceSubmissions.id, submission.id))
      .returning();
    if (!review || !updated) {
      throw new Error(`Recording the review of evidence submission ${submission.id} failed`);
    }
    const award = approving
      ? await grantApproved(tx, recorder, badge, updated, viewer.id, feedback)
      : null;
    await recordAudit(tx, {
      actorId: viewer.id,
      action: 'community.evidence_reviewed',
      communityId: badge.communityId,
      districtId: badge.districtId,
      subjectUserId: submission.userId,
      details: {
        submissionId: submission.id,
        badgeId: badge.id,
        revisionNumber: revision.number,
        decision: input.decision,
        ...(award && { awardId: award.id }),
      },
    });
    await notify(tx, recorder, submission.userId, 'review_result', {
      ...badgeSubject(badge),
      submissionId: submission.id,
      decision: review.decision,
      actorId: viewer.id,
      ...(award && { awardId: award.id }),
    });
    return { submission: updated, review, award };
  });
}

/** Grants the badge for approved evidence, or throws ConflictError when it cannot be granted. */
async function grantApproved(
  tx: Transaction,
  recorder: EventRecorder,
  badge: BadgeRow,
  submission: EvidenceSubmissionRow,
  reviewerId: number,
  feedback: string,
) {
  if (!(await isEligibleRecipient(tx, badge, submission.userId))) {
    throw new ConflictError(
      'The educator may no longer hold this badge (they left its community or district), so the evidence cannot be approved; decline it instead.',
    );
  }
  const award = await grantAward(tx, recorder, badge, {
    recipientId: submission.userId,
    awardedById: reviewerId,
    note: feedback,
    source: 'review',
    submissionId: submission.id,
  });
  if (!award) {
    throw new ConflictError(
      `The educator already has an active award of "${badge.name}"; decline the evidence or ask them to withdraw it.`,
    );
  }
  return award;
}
