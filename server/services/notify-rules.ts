import { and, eq, inArray, sql } from 'drizzle-orm';
import { rowsOf, type Transaction } from '../../drizzle/db.ts';
import {
  communities,
  follows,
  type NOTIFICATION_KINDS,
  notifications,
  posts,
  type threads,
  users,
} from '../../drizzle/tables/index.ts';
import { communityReaderCondition } from '../auth/access.ts';
import type { EventRecorder } from './context.ts';
import { notify } from './thread.ts';

type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
type Thread = typeof threads.$inferSelect;
type Post = typeof posts.$inferSelect;

/**
 * A mention is a markdown link to a person's profile right after an `@`:
 * `@[Maya Chen](/u/<User global id>)`. The composer inserts it, so display names with spaces need
 * no escaping, and it renders as a link to the profile without any extra markup.
 */
const MENTION_PATTERN = /@\[[^\]\n]{1,80}\]\(\/u\/([A-Za-z0-9+/=_-]{4,40})\)/g;

/** Most people one post or thread notifies by mention; later mentions are ignored. */
export const MAX_MENTIONS = 20;

/**
 * Kinds in order of precedence, for a person whom one event concerns for several reasons. Each
 * person gets one notification per event, so a mention in a reply to your post is a MENTION.
 */
const KIND_PRIORITY: NotificationKind[] = ['mention', 'reply', 'followed_reply', 'new_thread'];

/** Returns the user ids of the mentions in a markdown text, each once, in order of appearance. */
export function parseMentions(markdown: string): number[] {
  const ids: number[] = [];
  for (const match of markdown.matchAll(MENTION_PATTERN)) {
    const id = userIdOfGlobalId(match[1] ?? '');
    if (id !== null && !ids.includes(id)) {
      ids.push(id);
    }
    if (ids.length >= MAX_MENTIONS) {
      break;
    }
  }
  return ids;
}

/**
 * Returns the text with its mention tokens removed, for checks that look for links, such as
 * holding a new account's links for review: a mention links to a profile on this site.
 */
export function withoutMentions(markdown: string): string {
  return markdown.replace(MENTION_PATTERN, '');
}

/** Decodes a Relay global id of a User ("User:<id>" in base64); null for anything else. */
function userIdOfGlobalId(globalId: string): number | null {
  const decoded = Buffer.from(globalId.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString(
    'utf8',
  );
  const match = /^User:(\d{1,10})$/.exec(decoded);
  return match ? Number(match[1]) : null;
}

/** Candidate recipients of one event and the kind each would get. */
class Recipients {
  private readonly kinds = new Map<number, NotificationKind>();

  add(userIds: Iterable<number | null>, kind: NotificationKind): void {
    for (const userId of userIds) {
      if (userId === null) {
        continue;
      }
      const current = this.kinds.get(userId);
      if (!current || KIND_PRIORITY.indexOf(kind) < KIND_PRIORITY.indexOf(current)) {
        this.kinds.set(userId, kind);
      }
    }
  }

  get userIds(): number[] {
    return [...this.kinds.keys()];
  }

  kindOf(userId: number): NotificationKind | undefined {
    return this.kinds.get(userId);
  }
}

/**
 * Keeps the people who may hear about content of `authorId` in `thread`. They are not the author,
 * can read the thread's community, and have no block in either direction with the author, the
 * thread's author or the author of `parent`, whose replies are hidden with it. A removed thread
 * sends no notifications, and a held one notifies only its author. When `honourMutes` is set
 * they also do not mute the thread. A thread's own state (following or muted) takes precedence over the
 * community's, so following one thread of a muted community still notifies.
 */
async function filterRecipients(
  tx: Transaction,
  thread: Thread,
  authorId: number,
  candidates: number[],
  honourMutes: boolean,
  parent?: Post,
): Promise<number[]> {
  const others = candidates.filter(
    (id) => id !== authorId && (thread.heldAt === null || id === thread.authorId),
  );
  if (others.length === 0 || thread.removedAt !== null) {
    return [];
  }
  const contentAuthors = sql.join(
    [authorId, thread.authorId, parent?.authorId ?? null]
      .filter((id): id is number => id !== null)
      .map((id) => sql`${id}`),
    sql`, `,
  );
  const [community] = await tx
    .select({
      id: communities.id,
      visibility: communities.visibility,
      listed: communities.listed,
      districtId: communities.districtId,
    })
    .from(communities)
    .where(eq(communities.id, thread.communityId));
  if (!community) {
    return [];
  }
  const muted = honourMutes
    ? sql`coalesce(
        (select f.state from follows f where f.user_id = ${users.id} and f.thread_id = ${thread.id}),
        (select f.state from follows f where f.user_id = ${users.id} and f.community_id = ${thread.communityId}),
        'none') = 'muted'`
    : sql`false`;
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        inArray(users.id, others),
        communityReaderCondition(community, users),
        sql`not exists (select 1 from user_blocks b
          where (b.blocker_id = ${users.id} and b.blocked_id in (${contentAuthors}))
             or (b.blocker_id in (${contentAuthors}) and b.blocked_id = ${users.id}))`,
        sql`not (${muted})`,
      ),
    );
  return rows.map((row) => row.id);
}

/** Ids of the people following a thread or a community. */
async function followerIds(
  tx: Transaction,
  target: { threadId: number } | { communityId: number },
): Promise<number[]> {
  const rows = await tx
    .select({ userId: follows.userId })
    .from(follows)
    .where(
      and(
        'threadId' in target
          ? eq(follows.threadId, target.threadId)
          : eq(follows.communityId, target.communityId),
        eq(follows.state, 'following'),
      ),
    );
  return rows.map((row) => row.userId);
}

/** Makes a person follow a thread, unless they already follow or muted it. */
async function followThreadByDefault(tx: Transaction, userId: number, threadId: number) {
  await tx
    .insert(follows)
    .values({ userId, threadId, state: 'following' })
    .onConflictDoNothing({
      target: [follows.userId, follows.threadId],
      where: sql`${follows.threadId} is not null`,
    });
}

/** Reports whether a post or thread waits for review, which holds back its notifications. */
async function isHeld(tx: Transaction, table: 'posts' | 'threads', id: number): Promise<boolean> {
  const [row] = rowsOf(
    await tx.execute(
      table === 'posts'
        ? sql`select held_at is not null as held from posts where id = ${id}`
        : sql`select held_at is not null as held from threads where id = ${id}`,
    ),
  );
  return row?.held === true;
}

async function sendAll(
  tx: Transaction,
  recorder: EventRecorder,
  recipients: Recipients,
  allowed: number[],
  subject: Parameters<typeof notify>[4],
): Promise<void> {
  for (const userId of allowed) {
    const kind = recipients.kindOf(userId);
    if (kind) {
      await notify(tx, recorder, userId, kind, subject);
    }
  }
}

/**
 * Notifies about a new reply, once per person: people mentioned in it (MENTION), the author of
 * what it replies to (REPLY), and the thread's followers (FOLLOWED_REPLY). The replier follows
 * the thread from then on unless they muted it. A reply held for review sends no notifications.
 */
export async function notifyPostAdded(
  tx: Transaction,
  recorder: EventRecorder,
  event: { thread: Thread; post: Post; parent: Post | undefined },
): Promise<void> {
  const { thread, post, parent } = event;
  if (post.authorId === null) {
    return;
  }
  await followThreadByDefault(tx, post.authorId, thread.id);
  // NOTE: approving a held reply later does not send the notifications it held back.
  // Replies under a held or removed top-level reply are hidden with it.
  if ((await isHeld(tx, 'posts', post.id)) || parent?.heldAt || parent?.removedAt) {
    return;
  }
  const recipients = new Recipients();
  recipients.add(parseMentions(post.body), 'mention');
  recipients.add([parent ? parent.authorId : thread.authorId], 'reply');
  recipients.add(await followerIds(tx, { threadId: thread.id }), 'followed_reply');
  const allowed = await filterRecipients(
    tx,
    thread,
    post.authorId,
    recipients.userIds,
    true,
    parent,
  );
  await sendAll(tx, recorder, recipients, allowed, {
    communityId: thread.communityId,
    threadId: thread.id,
    postId: post.id,
    actorId: post.authorId,
  });
}

/**
 * Notifies the people whom an edit of a reply mentions for the first time (MENTION), with the same
 * rules as a new reply. People mentioned before the edit, or already notified of a mention in
 * this reply, are not notified again.
 */
export async function notifyMentionsAdded(
  tx: Transaction,
  recorder: EventRecorder,
  event: { thread: Thread; post: Post; before: string },
): Promise<void> {
  const { thread, post } = event;
  const earlier = new Set(parseMentions(event.before));
  const candidates = parseMentions(post.body).filter((userId) => !earlier.has(userId));
  if (post.authorId === null || candidates.length === 0 || (await isHeld(tx, 'posts', post.id))) {
    return;
  }
  // One mention notification per person per reply, so dropping a mention and restoring it by
  // edits does not notify again. Edits have no flood limit, which makes this bound matter.
  const notified = await tx
    .select({ userId: notifications.userId })
    .from(notifications)
    .where(
      and(
        inArray(notifications.userId, candidates),
        eq(notifications.kind, 'mention'),
        sql`${notifications.subject}->>'postId' = ${String(post.id)}`,
      ),
    );
  const added = candidates.filter((userId) => !notified.some((row) => row.userId === userId));
  if (added.length === 0) {
    return;
  }
  const [parent] =
    post.parentId === null ? [] : await tx.select().from(posts).where(eq(posts.id, post.parentId));
  if (parent?.heldAt || parent?.removedAt) {
    return;
  }
  const recipients = new Recipients();
  recipients.add(added, 'mention');
  const allowed = await filterRecipients(
    tx,
    thread,
    post.authorId,
    recipients.userIds,
    true,
    parent,
  );
  await sendAll(tx, recorder, recipients, allowed, {
    communityId: thread.communityId,
    threadId: thread.id,
    postId: post.id,
    actorId: post.authorId,
  });
}

/**
 * Notifies about a new thread: people mentioned in its body (MENTION) and the community's
 * followers (NEW_THREAD), once each. The author follows the thread.
 */
export async function notifyThreadCreated(
  tx: Transaction,
  recorder: EventRecorder,
  thread: Thread,
): Promise<void> {
  if (thread.authorId === null) {
    return;
  }
  await followThreadByDefault(tx, thread.authorId, thread.id);
  if (await isHeld(tx, 'threads', thread.id)) {
    return;
  }
  const recipients = new Recipients();
  recipients.add(parseMentions(thread.body), 'mention');
  recipients.add(await followerIds(tx, { communityId: thread.communityId }), 'new_thread');
  const allowed = await filterRecipients(tx, thread, thread.authorId, recipients.userIds, true);
  await sendAll(tx, recorder, recipients, allowed, {
    communityId: thread.communityId,
    threadId: thread.id,
    actorId: thread.authorId,
  });
}

/**
 * Notifies the author of a newly accepted answer (ANSWER_ACCEPTED), unless they accepted it
 * themselves, can no longer read the thread, or one of them blocked the other. Mutes do not
 * apply: the notification is about the person's own post.
 */
export async function notifyAnswerAccepted(
  tx: Transaction,
  recorder: EventRecorder,
  event: { thread: Thread; answer: Post; actorId: number },
): Promise<void> {
  const { thread, answer, actorId } = event;
  if (answer.authorId === null || thread.acceptedPostId === answer.id) {
    return;
  }
  const allowed = await filterRecipients(tx, thread, actorId, [answer.authorId], false);
  for (const userId of allowed) {
    await notify(tx, recorder, userId, 'answer_accepted', {
      communityId: thread.communityId,
      threadId: thread.id,
      postId: answer.id,
      actorId,
    });
  }
}
