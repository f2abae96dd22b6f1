import { encodeGlobalID } from '@pothos/plugin-relay';
import { and, inArray, sql } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { type Database, rowsOf, type Transaction } from '../../drizzle/db.ts';
import {
  badges,
  communities,
  liveSessions,
  mailOutbox,
  type NOTIFICATION_KINDS,
  type NotificationSubject,
  threads,
  users,
} from '../../drizzle/tables/index.ts';
import type { MuteLinks } from '../mail/mute-links.ts';
import { type MailMessage, queueMail } from '../mail/outbox.ts';
import { describeNotificationForMail, type NotificationNames } from './notification-text.ts';

/**
 * Age past which a notification is no longer mailed on its own, so that an address verified late
 * does not receive a burst of old news.
 */
const EMAIL_MAX_AGE = '1 day';

/** Notifications claimed per statement by the per-notification mail worker. */
const MAIL_BATCH = 50;

/**
 * Notification mails one address gets in an hour with EMAIL delivery. Past it, notifications stay
 * in the app only, so that mentions and replies from one busy or hostile sender cannot flood a
 * mailbox. The count covers every mail queued to the address in the last hour.
 */
export const MAX_NOTIFICATION_MAILS_PER_HOUR = 12;

export interface ClaimedNotification {
  id: number;
  userId: number;
  kind: (typeof NOTIFICATION_KINDS)[number];
  subject: NotificationSubject;
  createdAt: string;
}

export interface MailContext {
  db: Database;
  muteLinks: MuteLinks;
  publicUrl: string;
}

/** A notification ready for mail: its sentence and the page it points at. */
export interface MailItem {
  notification: ClaimedNotification;
  text: string;
  link: string;
  threadTitle: string | null;
  communityName: string | null;
}

function toClaimed(row: Record<string, unknown>): ClaimedNotification {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    kind: row.kind as ClaimedNotification['kind'],
    subject: (typeof row.subject === 'string'
      ? JSON.parse(row.subject)
      : row.subject) as NotificationSubject,
    createdAt: String(row.created_at),
  };
}

function idsOf(rows: ClaimedNotification[], key: keyof NotificationSubject): number[] {
  return [
    ...new Set(
      rows.flatMap((row) => (typeof row.subject[key] === 'number' ? [row.subject[key]] : [])),
    ),
  ] as number[];
}

/** Loads names by id from one table, as a map; no statement when there are no ids. */
async function namesById(
  tx: Transaction,
  columns: { table: PgTable; id: AnyPgColumn; name: AnyPgColumn },
  ids: number[],
): Promise<Map<number, string>> {
  if (ids.length === 0) {
    return new Map();
  }
  const rows = await tx
    .select({ id: sql<number>`${columns.id}`, name: sql<string>`${columns.name}` })
    .from(columns.table)
    .where(inArray(columns.id, ids));
  return new Map(rows.map((row) => [Number(row.id), row.name]));
}

/** Loads the sentence and link of each notification, with the names in five statements at most. */
export async function describeForMail(
  tx: Transaction,
  publicUrl: string,
  rows: ClaimedNotification[],
): Promise<MailItem[]> {
  const [actors, threadTitles, communityNames, badgeNames, sessionTitles] = await Promise.all([
    namesById(tx, { table: users, id: users.id, name: users.displayName }, idsOf(rows, 'actorId')),
    namesById(tx, { table: threads, id: threads.id, name: threads.title }, idsOf(rows, 'threadId')),
    namesById(
      tx,
      { table: communities, id: communities.id, name: communities.name },
      idsOf(rows, 'communityId'),
    ),
    namesById(tx, { table: badges, id: badges.id, name: badges.name }, idsOf(rows, 'badgeId')),
    namesById(
      tx,
      { table: liveSessions, id: liveSessions.id, name: liveSessions.title },
      idsOf(rows, 'liveSessionId'),
    ),
  ]);
  return rows.map((notification) => {
    const { subject } = notification;
    const lookup = (map: Map<number, string>, id: number | undefined) =>
      id === undefined ? null : (map.get(id) ?? null);
    const names: NotificationNames = {
      actorName: lookup(actors, subject.actorId),
      threadTitle: lookup(threadTitles, subject.threadId),
      communityName: lookup(communityNames, subject.communityId),
      badgeName: lookup(badgeNames, subject.badgeId),
      liveSessionTitle: lookup(sessionTitles, subject.liveSessionId),
    };
    return {
      notification,
      text: describeNotificationForMail(notification.kind, subject, names),
      link: notificationLink(publicUrl, subject),
      threadTitle: names.threadTitle,
      communityName: names.communityName,
    };
  });
}

/** Returns the web client's page for a notification's subject. */
export function notificationLink(publicUrl: string, subject: NotificationSubject): string {
  if (subject.threadId !== undefined) {
    return `${publicUrl}/t/${encodeURIComponent(encodeGlobalID('Thread', subject.threadId))}`;
  }
  if (subject.liveSessionId !== undefined) {
    return `${publicUrl}/s/${encodeURIComponent(encodeGlobalID('LiveSession', subject.liveSessionId))}`;
  }
  if (subject.badgeId !== undefined) {
    return `${publicUrl}/b/${encodeURIComponent(encodeGlobalID('Badge', subject.badgeId))}`;
  }
  return `${publicUrl}/notifications`;
}

/** Builds the mute lines at the foot of a mail about one thread or community. */
export function muteLines(muteLinks: MuteLinks, userId: number, item: MailItem): string[] {
  const { subject } = item.notification;
  const lines: string[] = [];
  if (subject.threadId !== undefined) {
    lines.push(
      `Mute this thread: ${muteLinks.url({ kind: 'thread', userId, threadId: subject.threadId })}`,
    );
  }
  if (subject.communityId !== undefined && subject.communityId > 0) {
    lines.push(
      `Mute this community: ${muteLinks.url({ kind: 'community', userId, communityId: subject.communityId })}`,
    );
  }
  return lines;
}

function singleMail(
  context: MailContext,
  recipient: { email: string; displayName: string },
  item: MailItem,
): MailMessage {
  const userId = item.notification.userId;
  return {
    to: recipient.email,
    subject: item.text.length > 150 ? `${item.text.slice(0, 149)}…` : item.text,
    text: [
      `Hello ${recipient.displayName},`,
      '',
      item.text,
      `Open it: ${item.link}`,
      '',
      ...muteLines(context.muteLinks, userId, item),
      `Stop all notification mail: ${context.muteLinks.url({ kind: 'email', userId })}`,
      `Change how notifications reach you: ${context.publicUrl}/settings`,
    ].join('\n'),
  };
}

/** Loads the address and name of each recipient. */
export async function loadRecipients(
  tx: Transaction,
  userIds: number[],
): Promise<Map<number, { email: string; displayName: string }>> {
  if (userIds.length === 0) {
    return new Map();
  }
  const rows = await tx
    .select({ id: users.id, email: users.email, displayName: users.displayName })
    .from(users)
    .where(inArray(users.id, userIds));
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Queues one mail per new notification of the people whose delivery is EMAIL. Each statement
 * claims up to 50 notifications with `FOR UPDATE SKIP LOCKED` and sets their `mailed_at` in the
 * same transaction as it queues their mail, so with several server processes each notification
 * is mailed once. Only verified addresses get mail. Notifications read in the app before the
 * worker came, older than a day, or from before the person chose EMAIL are not mailed. Returns how
 * many mails it queued.
 */
export async function mailNewNotifications(context: MailContext): Promise<number> {
  let queued = 0;
  // Bounded: each pass claims rows it marks mailed, so at most this many passes find work.
  for (let pass = 0; pass < 20; pass += 1) {
    const count = await context.db.transaction(async (tx) => {
      const claimed = rowsOf(
        await tx.execute(sql`update notifications n set mailed_at = now()
          where n.id in (
            select n2.id from notifications n2
            join notification_settings s on s.user_id = n2.user_id
            join users u on u.id = n2.user_id and u.email_verified_at is not null
            where n2.mailed_at is null and n2.read_at is null and s.delivery = 'email'
              and n2.created_at >= s.updated_at
              and n2.created_at > now() - interval '${sql.raw(EMAIL_MAX_AGE)}'
            order by n2.id
            limit ${MAIL_BATCH}
            for update of n2 skip locked)
          returning n.id, n.user_id, n.kind, n.subject, n.created_at`),
      ).map(toClaimed);
      if (claimed.length === 0) {
        return 0;
      }
      const items = await describeForMail(tx, context.publicUrl, claimed);
      const recipients = await loadRecipients(tx, [...new Set(claimed.map((row) => row.userId))]);
      const sentLastHour = await countRecentMails(
        tx,
        [...recipients.values()].map((recipient) => recipient.email),
      );
      for (const item of items) {
        const recipient = recipients.get(item.notification.userId);
        if (!recipient) {
          continue;
        }
        const sent = sentLastHour.get(recipient.email) ?? 0;
        if (sent >= MAX_NOTIFICATION_MAILS_PER_HOUR) {
          continue;
        }
        sentLastHour.set(recipient.email, sent + 1);
        await queueMail(tx, singleMail(context, recipient, item));
      }
      return claimed.length;
    });
    queued += count;
    if (count < MAIL_BATCH) {
      break;
    }
  }
  return queued;
}

/**
 * Counts the mails queued to each address in the last hour. It first takes a transaction lock per
 * address, in sorted order, so that two server processes mailing the same person count in turn.
 */
async function countRecentMails(
  tx: Transaction,
  addresses: string[],
): Promise<Map<string, number>> {
  if (addresses.length === 0) {
    return new Map();
  }
  for (const address of [...addresses].sort()) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`mail:${address}`}))`);
  }
  const rows = await tx
    .select({ recipient: mailOutbox.recipient, count: sql<number>`count(*)::int` })
    .from(mailOutbox)
    .where(
      and(
        inArray(mailOutbox.recipient, addresses),
        sql`${mailOutbox.createdAt} > now() - interval '1 hour'`,
      ),
    )
    .groupBy(mailOutbox.recipient);
  return new Map(rows.map((row) => [row.recipient, Number(row.count)]));
}
