import { and, eq, isNotNull } from 'drizzle-orm';
import type { Transaction } from '../../drizzle/db.ts';
import { chatMessages, memberships, posts, reports, threads } from '../../drizzle/tables/index.ts';
import { type CommunityAccess, canDisciplineMember } from '../auth/access.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { InputValidator } from '../validation.ts';
import { recordAudit } from './audit.ts';
import { removePostInTransaction, removeThreadInTransaction } from './content-removal.ts';
import {
  type EventRecorder,
  requireViewer,
  runInTransaction,
  type ServiceContext,
  topics,
} from './context.ts';
import { deleteChatMessageInTransaction } from './live-room.ts';
import { announceAccessChange, banInTransaction, type MembershipRow } from './membership.ts';
import { requireContentModerator } from './moderation-access.ts';
import {
  closeReportsOnSubject,
  type ReportAction,
  type ReportRow,
  subjectIds,
} from './report-resolution.ts';
import { notify } from './thread.ts';

export const RESOLUTION_NOTE_MAX_LENGTH = 1000;
/** The maximum length of a community mute, in minutes: one year. */
export const MAX_MUTE_MINUTES = 365 * 24 * 60;

/** Actions that act on a person: the reported one, or the author of the reported content. */
const PERSON_ACTIONS: readonly ReportAction[] = ['warned', 'muted', 'banned'];

interface Decision {
  report: ReportRow;
  action: ReportAction;
  note: string | null;
  mutedUntil: string | null;
  actorId: number;
  community: CommunityAccess;
  /** The membership of the person acted on, for WARNED, MUTED and BANNED. */
  target: MembershipRow | null;
}

function validateDecision(input: {
  action: ReportAction;
  note?: string | null;
  muteMinutes?: number | null;
}) {
  const validator = new InputValidator();
  const note = validator.optionalText('note', input.note, {
    min: 0,
    max: RESOLUTION_NOTE_MAX_LENGTH,
    multiline: true,
  });
  const minutes = input.muteMinutes ?? null;
  if (input.action === 'muted') {
    if (minutes === null) {
      validator.add('muteMinutes', 'is required to mute');
    } else if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MUTE_MINUTES) {
      validator.add('muteMinutes', `must be a whole number from 1 to ${MAX_MUTE_MINUTES}`);
    }
  } else if (minutes !== null) {
    validator.add('muteMinutes', 'applies only to the MUTE action');
  }
  validator.check();
  return { note: note || null, minutes };
}

/** Checks that the action fits the report's subject, before anything is changed. */
function checkActionFits(report: ReportRow, action: ReportAction): void {
  if (action === 'removed' && report.subjectKind === 'person') {
    throw ValidationError.of(
      'action',
      'REMOVE applies to content; for a person, warn, mute or ban',
    );
  }
  if (action === 'approved' && report.subjectKind !== 'thread' && report.subjectKind !== 'post') {
    throw ValidationError.of('action', 'APPROVE releases a held thread or post; dismiss instead');
  }
  if (PERSON_ACTIONS.includes(action) && report.subjectUserId === null) {
    throw ValidationError.of(
      'action',
      'the author of this content no longer has an account; dismiss or remove instead',
    );
  }
}

/** Loads the membership of the person a WARN, MUTE or BAN acts on, and checks that it may. */
async function loadDisciplineTarget(
  ctx: ServiceContext,
  report: ReportRow,
  action: ReportAction,
  community: CommunityAccess,
  actor: MembershipRow | null,
): Promise<MembershipRow | null> {
  if (!PERSON_ACTIONS.includes(action) || report.subjectUserId === null) {
    return null;
  }
  const userId = report.subjectUserId;
  const [target] = await ctx.db
    .select()
    .from(memberships)
    .where(and(eq(memberships.communityId, community.id), eq(memberships.userId, userId)));
  if (!canDisciplineMember(ctx.viewer, community, actor, { userId, membership: target ?? null })) {
    throw new ForbiddenError(
      'You cannot act on yourself or an owner, and only an owner or a district admin can act on a facilitator.',
    );
  }
  if (action === 'muted' && target?.status !== 'active') {
    throw new ConflictError('Only active members can be muted; this person is not one.');
  }
  if (action === 'banned' && target?.status === 'banned') {
    throw new ConflictError('This person is already banned from the community.');
  }
  return target ?? null;
}

/**
 * Decides on an open report: dismiss it, approve held content, remove the content, or warn,
 * mute or ban the person. Only moderators may (see canModerateContent). Every open report on the
 * same subject is resolved with the same action. One transaction contains the action's effect, its
 * audit rows, a MODERATION notification to the person acted on, a REPORT_RESOLVED one to each
 * reporter, and the events of a removal. Throws ConflictError for a report already resolved.
 */
export async function resolveReport(
  ctx: ServiceContext,
  input: {
    reportId: number;
    action: ReportAction;
    note?: string | null;
    muteMinutes?: number | null;
  },
): Promise<ReportRow> {
  const viewer = requireViewer(ctx);
  const { note, minutes } = validateDecision(input);
  const [report] = await ctx.db.select().from(reports).where(eq(reports.id, input.reportId));
  if (!report) {
    throw new NotFoundError(`Report ${input.reportId} not found, or you do not have access to it.`);
  }
  const { community, membership } = await requireContentModerator(
    ctx,
    report.communityId,
    `Report ${input.reportId}`,
  );
  if (report.status !== 'open') {
    throw new ConflictError(`Report ${report.id} was already resolved as ${report.action}.`);
  }
  checkActionFits(report, input.action);
  const target = await loadDisciplineTarget(ctx, report, input.action, community, membership);
  const mutedUntil =
    minutes === null ? null : new Date(Date.now() + minutes * 60_000).toISOString();

  const resolved = await runInTransaction(ctx, async (tx, recorder) => {
    const decision: Decision = {
      report,
      action: input.action,
      note,
      mutedUntil,
      actorId: viewer.id,
      community,
      target,
    };
    await applyDecision(tx, recorder, decision);
    const closed = await closeReportsOnSubject(tx, recorder, {
      subject: report,
      action: input.action,
      note,
      mutedUntil,
      actorId: viewer.id,
    });
    const own = closed.find((row) => row.id === report.id);
    if (!own) {
      throw new ConflictError(`Report ${report.id} was resolved meanwhile by someone else.`);
    }
    await recordDecision(tx, recorder, decision, closed);
    return own;
  });
  if (input.action === 'banned') {
    announceAccessChange(ctx, community.id);
  }
  return resolved;
}

/**
 * Carries out the effect of a decision. DISMISSED releases held content, since nothing is wrong
 * with it, and otherwise changes nothing, like WARNED.
 */
async function applyDecision(
  tx: Transaction,
  recorder: EventRecorder,
  decision: Decision,
): Promise<void> {
  const { report, community, actorId } = decision;
  switch (decision.action) {
    case 'approved':
      return approveHeld(tx, recorder, report);
    case 'dismissed':
      if (report.subjectKind === 'post' || report.subjectKind === 'thread') {
        await approveHeld(tx, recorder, report, { onlyIfHeld: true });
      }
      return;
    case 'removed':
      return removeSubject(tx, recorder, decision);
    case 'muted': {
      const [muted] = await tx
        .update(memberships)
        .set({ mutedUntil: decision.mutedUntil })
        .where(
          and(
            eq(memberships.communityId, community.id),
            eq(memberships.userId, report.subjectUserId ?? -1),
            eq(memberships.status, 'active'),
          ),
        )
        .returning({ id: memberships.id });
      if (!muted) {
        throw new ConflictError('Only active members can be muted; this person is not one.');
      }
      return;
    }
    case 'banned':
      return banInTransaction(tx, {
        actorId,
        community,
        target: decision.target,
        userId: report.subjectUserId ?? -1,
        reason: decision.note ?? '',
        details: { reportId: report.id },
      });
    default:
      return;
  }
}

/**
 * Clears held_at of a held thread or post, and publishes POST_RESTORED or THREAD_RESTORED.
 * Throws ConflictError when the subject is not held, unless `onlyIfHeld` is set.
 */
async function approveHeld(
  tx: Transaction,
  recorder: EventRecorder,
  report: ReportRow,
  options: { onlyIfHeld?: boolean } = {},
): Promise<void> {
  const released =
    report.subjectKind === 'post'
      ? await tx
          .update(posts)
          .set({ heldAt: null })
          .where(and(eq(posts.id, report.postId ?? -1), isNotNull(posts.heldAt)))
          .returning({ threadId: posts.threadId })
      : await tx
          .update(threads)
          .set({ heldAt: null })
          .where(and(eq(threads.id, report.threadId ?? -1), isNotNull(threads.heldAt)))
          .returning({ threadId: threads.id });
  const [row] = released;
  if (!row && options.onlyIfHeld) {
    return;
  }
  if (!row) {
    throw new ConflictError(
      `The ${report.subjectKind} of report ${report.id} is not held; dismiss the report instead.`,
    );
  }
  const type = report.subjectKind === 'post' ? 'post_restored' : 'thread_restored';
  const payload = {
    threadId: row.threadId,
    ...(report.postId !== null && { postId: report.postId }),
    approved: true,
  };
  await recorder.record(topics.thread(row.threadId), type, payload);
  await recorder.record(topics.community(report.communityId), type, payload);
}

/** Removes the reported thread, post or chat message. Content already removed stays as it is. */
async function removeSubject(
  tx: Transaction,
  recorder: EventRecorder,
  decision: Decision,
): Promise<void> {
  const { report, community, actorId } = decision;
  const removal = { actorId, community, reason: decision.note ?? reasonWords(report) };
  if (report.subjectKind === 'post') {
    const [post] = await tx
      .select()
      .from(posts)
      .where(eq(posts.id, report.postId ?? -1));
    if (post) {
      await removePostInTransaction(tx, recorder, post, removal);
    }
  } else if (report.subjectKind === 'thread') {
    const [thread] = await tx
      .select()
      .from(threads)
      .where(eq(threads.id, report.threadId ?? -1));
    if (thread) {
      await removeThreadInTransaction(tx, recorder, thread, removal);
    }
  } else if (report.subjectKind === 'chat_message') {
    const [message] = await tx
      .select()
      .from(chatMessages)
      .where(eq(chatMessages.id, report.chatMessageId ?? -1));
    if (message) {
      await deleteChatMessageInTransaction(tx, recorder, {
        message,
        communityId: community.id,
        actorId,
        reason: removal.reason,
      });
    }
  }
}

/** Describes the report's reason, as the removal reason when the moderator wrote no note. */
function reasonWords(report: ReportRow): string {
  return `Reported: ${report.reason.replace('_', ' ')}`;
}

/** Writes the audit rows and the MODERATION notification of a decision. */
async function recordDecision(
  tx: Transaction,
  recorder: EventRecorder,
  decision: Decision,
  closed: ReportRow[],
): Promise<void> {
  const { report, action, community, actorId } = decision;
  const personId = report.subjectUserId;
  const common = {
    actorId,
    communityId: community.id,
    districtId: community.districtId,
    subjectUserId: personId,
  };
  await recordAudit(tx, {
    ...common,
    action: 'community.report_resolved',
    details: {
      reportIds: closed.map((row) => row.id),
      action,
      note: decision.note,
      reason: report.reason,
      subjectKind: report.subjectKind,
      ...subjectIds(report),
    },
  });
  if (action === 'warned' || action === 'muted') {
    await recordAudit(tx, {
      ...common,
      action: action === 'warned' ? 'community.member_warned' : 'community.member_muted',
      details: {
        reportId: report.id,
        note: decision.note,
        ...(decision.mutedUntil !== null && { until: decision.mutedUntil }),
      },
    });
  }
  if (action !== 'dismissed' && personId !== null && personId !== actorId) {
    await notify(tx, recorder, personId, 'moderation', {
      ...subjectIds(report),
      reportId: report.id,
      action,
      ...(decision.mutedUntil !== null && { until: decision.mutedUntil }),
    });
  }
}
