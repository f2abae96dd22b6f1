import { encodeGlobalID } from '@pothos/plugin-relay';
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { rowsOf, type Transaction } from '../../drizzle/db.ts';
import { communities, follows, notifications, threads, users } from '../../drizzle/tables/index.ts';
import { readableCommunityCondition } from '../auth/access.ts';
import { notBlockedCondition, visibleThreadCondition } from '../auth/content-visibility.ts';
import { type MailMessage, queueMail } from '../mail/outbox.ts';
import {
  type ClaimedNotification,
  describeForMail,
  type MailContext,
  type MailItem,
  muteLines,
} from './notification-mail.ts';
import { loadUnreadStates } from './read-position.ts';

/** Notifications listed in one digest; the rest are counted in an "and N more" line. */
export const DIGEST_MAX_ITEMS = 20;
/** Followed threads with unread replies listed in one digest. */
export const DIGEST_MAX_UNREAD_THREADS = 10;
/** People whose digest one statement claims. */
const DIGEST_BATCH = 20;

const PERIODS = { daily_digest: '1 day', weekly_digest: '7 days' } as const;

interface DigestRecipient {
  userId: number;
  delivery: keyof typeof PERIODS;
  /** When the person chose this delivery: older notifications are left out. */
  since: string;
}

interface UnreadThread {
  threadId: number;
  title: string;
  unreadCount: number;
}

/**
 * Claims the people whose digest period has passed: one conditional UPDATE sets their
 * `last_digest_at` to now and returns them, skipping rows another process holds, so with several
 * server processes each digest is claimed once per period.
 */
async function claimDueDigests(tx: Transaction): Promise<DigestRecipient[]> {
  // Only verified addresses get digests, so a person cannot have mail sent to someone else's.
  const due = sql`s.delivery in ('daily_digest', 'weekly_digest')
    and exists (select 1 from users u where u.id = s.user_id and u.email_verified_at is not null)
    and s.last_digest_at <= now() -
    (case s.delivery when 'daily_digest' then interval '${sql.raw(PERIODS.daily_digest)}' else interval '${sql.raw(PERIODS.weekly_digest)}' end)`;
  return rowsOf(
    await tx.execute(sql`update notification_settings s set last_digest_at = now()
      where s.user_id in (
        select s.user_id from notification_settings s where ${due}
        order by s.last_digest_at limit ${DIGEST_BATCH}
        for update skip locked)
        and ${due}
      returning s.user_id, s.delivery, s.updated_at`),
  ).map((row) => ({
    userId: Number(row.user_id),
    delivery: row.delivery as DigestRecipient['delivery'],
    since: String(row.updated_at),
  }));
}

/** Takes the person's notifications not mailed yet and marks them mailed. */
async function takePendingNotifications(
  tx: Transaction,
  recipient: DigestRecipient,
): Promise<ClaimedNotification[]> {
  return tx
    .update(notifications)
    .set({ mailedAt: sql`now()` })
    .where(
      and(
        eq(notifications.userId, recipient.userId),
        isNull(notifications.mailedAt),
        isNull(notifications.readAt),
        sql`${notifications.createdAt} >= ${recipient.since}`,
      ),
    )
    .returning({
      id: notifications.id,
      userId: notifications.userId,
      kind: notifications.kind,
      subject: notifications.subject,
      createdAt: notifications.createdAt,
    });
}

/**
 * Loads the followed threads that the person may still read and see (not removed, held or by
 * someone blocked either way), with unread replies.
 */
async function loadUnreadThreads(
  tx: Transaction,
  user: { id: number; districtId: number | null },
): Promise<UnreadThread[]> {
  const viewer = { ...user, isPlatformAdmin: false, adminDistrictIds: [], scopes: [] };
  const followed = await tx
    .select({ id: threads.id, title: threads.title })
    .from(follows)
    .innerJoin(threads, eq(threads.id, follows.threadId))
    .innerJoin(communities, eq(communities.id, threads.communityId))
    .where(
      and(
        eq(follows.userId, user.id),
        eq(follows.state, 'following'),
        visibleThreadCondition(viewer, threads),
        readableCommunityCondition(viewer, communities),
      ),
    )
    .orderBy(desc(threads.lastActivityAt))
    .limit(50);
  if (followed.length === 0) {
    return [];
  }
  const states = await loadUnreadStates(
    tx,
    user.id,
    followed.map((thread) => thread.id),
  );
  return followed
    .map((thread, index) => ({
      threadId: thread.id,
      title: thread.title,
      unreadCount: states[index]?.unreadCount ?? 0,
    }))
    .filter((thread) => thread.unreadCount > 0)
    .slice(0, DIGEST_MAX_UNREAD_THREADS);
}

/** Groups digest items by community, then by thread, keeping the newest first within each. */
function groupItems(items: MailItem[]): Map<string, Map<string, MailItem[]>> {
  const groups = new Map<string, Map<string, MailItem[]>>();
  for (const item of items) {
    const community =
      item.communityName === null ? 'Elsewhere' : `In the community “${item.communityName}”`;
    const thread = item.threadTitle === null ? '' : `“${item.threadTitle}”`;
    let threadsOfCommunity = groups.get(community);
    if (!threadsOfCommunity) {
      threadsOfCommunity = new Map();
      groups.set(community, threadsOfCommunity);
    }
    threadsOfCommunity.set(thread, [...(threadsOfCommunity.get(thread) ?? []), item]);
  }
  return groups;
}

/** Builds the text of one digest. */
export function digestMail(
  context: MailContext,
  recipient: { id: number; email: string; displayName: string },
  delivery: DigestRecipient['delivery'],
  items: MailItem[],
  totalCount: number,
  unreadThreads: UnreadThread[],
): MailMessage {
  const period = delivery === 'daily_digest' ? 'daily' : 'weekly';
  const lines = [
    `Hello ${recipient.displayName},`,
    '',
    `Your ${period} Staffroom digest: ${totalCount} new notification${totalCount === 1 ? '' : 's'}.`,
  ];
  for (const [community, threadsOfCommunity] of groupItems(items)) {
    lines.push('', community);
    for (const [thread, threadItems] of threadsOfCommunity) {
      if (thread) {
        lines.push(`  ${thread}`);
      }
      for (const item of threadItems) {
        lines.push(`  - ${item.text} ${item.link}`);
      }
      const first = threadItems[0];
      if (first) {
        lines.push(
          ...muteLines(context.muteLinks, recipient.id, first).map((line) => `    ${line}`),
        );
      }
    }
  }
  if (totalCount > items.length) {
    lines.push('', `And ${totalCount - items.length} more: ${context.publicUrl}/notifications`);
  }
  if (unreadThreads.length > 0) {
    lines.push('', 'Unread replies in threads you follow:');
    for (const thread of unreadThreads) {
      const link = `${context.publicUrl}/t/${encodeURIComponent(encodeGlobalID('Thread', thread.threadId))}`;
      lines.push(`  - “${thread.title}”: ${thread.unreadCount} unread ${link}`);
    }
  }
  lines.push(
    '',
    `Stop all notification mail: ${context.muteLinks.url({ kind: 'email', userId: recipient.id })}`,
    `Change how notifications reach you: ${context.publicUrl}/settings`,
  );
  return {
    to: recipient.email,
    subject: `Your ${period} Staffroom digest`,
    text: lines.join('\n'),
  };
}

/**
 * Queues the digests that are due, one mail for each person whose daily or weekly period has
 * passed. A digest lists up to 20 of their notifications not mailed yet, newest first and grouped
 * by community and thread with mute links, and their followed threads with unread replies. The
 * claim, the mail and the notifications' `mailed_at` are written in one transaction. A person with
 * nothing new gets no mail, but their period still restarts. Returns how many digests it queued.
 */
export async function sendDueDigests(context: MailContext): Promise<number> {
  let queued = 0;
  // Bounded: each pass moves the claimed people's periods forward, so they are not due again.
  for (let pass = 0; pass < 50; pass += 1) {
    const result = await context.db.transaction(async (tx) => {
      const claimed = await claimDueDigests(tx);
      let sent = 0;
      for (const recipient of claimed) {
        sent += (await sendDigest(tx, context, recipient)) ? 1 : 0;
      }
      return { claimed: claimed.length, sent };
    });
    queued += result.sent;
    if (result.claimed < DIGEST_BATCH) {
      break;
    }
  }
  return queued;
}

/** Kinds about a thread, which a digest lists only while the person may still read it. */
const THREAD_KINDS = new Set([
  'reply',
  'mention',
  'followed_reply',
  'new_thread',
  'answer_accepted',
]);

/**
 * Keeps the notifications a digest may still list. Blocks and access apply when mail is sent, as
 * they do to live events. Notifications about a community the person may no longer read (left,
 * removed or banned since) are left out, and so are those whose actor was blocked since. They stay marked mailed, so no later digest lists them either. Other kinds, such as
 * moderation outcomes and badges, are about the person's own work and are always listed.
 */
async function keepStillVisible(
  tx: Transaction,
  user: { id: number; districtId: number | null },
  rows: ClaimedNotification[],
): Promise<ClaimedNotification[]> {
  const viewer = { ...user, isPlatformAdmin: false, adminDistrictIds: [], scopes: [] };
  const communityIds = [
    ...new Set(rows.flatMap((row) => (row.subject.communityId ? [row.subject.communityId] : []))),
  ];
  const actorIds = [
    ...new Set(rows.flatMap((row) => (row.subject.actorId ? [row.subject.actorId] : []))),
  ];
  const readable =
    communityIds.length === 0
      ? []
      : await tx
          .select({ id: communities.id })
          .from(communities)
          .where(
            and(
              inArray(communities.id, communityIds),
              readableCommunityCondition(viewer, communities),
            ),
          );
  const blocked =
    actorIds.length === 0
      ? []
      : await tx
          .select({ id: users.id })
          .from(users)
          .where(
            and(inArray(users.id, actorIds), sql`not ${notBlockedCondition(viewer, users.id)}`),
          );
  const readableIds = new Set(readable.map((row) => row.id));
  const blockedIds = new Set(blocked.map((row) => row.id));
  return rows.filter((row) => {
    const { actorId, communityId } = row.subject;
    if (!THREAD_KINDS.has(row.kind)) {
      return true;
    }
    return !(actorId && blockedIds.has(actorId)) && !(communityId && !readableIds.has(communityId));
  });
}

async function sendDigest(
  tx: Transaction,
  context: MailContext,
  recipient: DigestRecipient,
): Promise<boolean> {
  const [user] = await tx
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      districtId: users.districtId,
    })
    .from(users)
    .where(eq(users.id, recipient.userId));
  if (!user) {
    return false;
  }
  const unmailed = await takePendingNotifications(tx, recipient);
  const pending = (await keepStillVisible(tx, user, unmailed)).sort((a, b) => b.id - a.id);
  const unreadThreads = await loadUnreadThreads(tx, user);
  if (pending.length === 0 && unreadThreads.length === 0) {
    return false;
  }
  const items = await describeForMail(tx, context.publicUrl, pending.slice(0, DIGEST_MAX_ITEMS));
  await queueMail(
    tx,
    digestMail(context, user, recipient.delivery, items, pending.length, unreadThreads),
  );
  return true;
}
