import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Transaction } from '../../drizzle/db.ts';
import { type REPORT_ACTIONS, reports } from '../../drizzle/tables/index.ts';
import type { EventRecorder } from './context.ts';
import { notify } from './thread.ts';

export type ReportRow = typeof reports.$inferSelect;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

/** The subject of a report: its community and the subject's own id column. */
export type ReportSubject = Pick<
  ReportRow,
  'communityId' | 'subjectKind' | 'threadId' | 'postId' | 'chatMessageId' | 'subjectUserId'
>;

/** Builds the condition that holds for every report on the same subject as `subject`. */
export function sameSubjectCondition(subject: ReportSubject): SQL {
  const inCommunity = eq(reports.communityId, subject.communityId);
  switch (subject.subjectKind) {
    case 'thread':
      return and(
        inCommunity,
        eq(reports.subjectKind, 'thread'),
        eq(reports.threadId, subject.threadId ?? -1),
      ) as SQL;
    case 'post':
      return and(inCommunity, eq(reports.postId, subject.postId ?? -1)) as SQL;
    case 'chat_message':
      return and(inCommunity, eq(reports.chatMessageId, subject.chatMessageId ?? -1)) as SQL;
    case 'person':
      return and(
        inCommunity,
        eq(reports.subjectKind, 'person'),
        eq(reports.subjectUserId, subject.subjectUserId ?? -1),
      ) as SQL;
  }
}

/** Returns the ids of a report's subject, for the subject of a notification. */
export function subjectIds(subject: ReportSubject) {
  return {
    communityId: subject.communityId,
    ...(subject.threadId !== null && { threadId: subject.threadId }),
    ...(subject.postId !== null && { postId: subject.postId }),
    ...(subject.chatMessageId !== null && { chatMessageId: subject.chatMessageId }),
  };
}

/**
 * Resolves every open report on the subject with one decision, inside the caller's transaction,
 * and sends a REPORT_RESOLVED notification to each person who reported it (none for reports the
 * server wrote). Returns the reports it resolved, oldest first.
 */
export async function closeReportsOnSubject(
  tx: Transaction,
  recorder: EventRecorder,
  input: {
    subject: ReportSubject;
    action: ReportAction;
    note: string | null;
    mutedUntil: string | null;
    actorId: number;
  },
): Promise<ReportRow[]> {
  const resolved = await tx
    .update(reports)
    .set({
      status: 'resolved',
      action: input.action,
      resolutionNote: input.note,
      mutedUntil: input.mutedUntil,
      resolvedById: input.actorId,
      resolvedAt: sql`now()`,
    })
    .where(and(sameSubjectCondition(input.subject), eq(reports.status, 'open')))
    .returning();
  resolved.sort((a, b) => a.id - b.id);
  const notified = new Set<number>();
  for (const report of resolved) {
    if (report.reporterId === null || notified.has(report.reporterId)) {
      continue;
    }
    notified.add(report.reporterId);
    await notify(tx, recorder, report.reporterId, 'report_resolved', {
      ...subjectIds(report),
      reportId: report.id,
      action: input.action,
    });
  }
  return resolved;
}
