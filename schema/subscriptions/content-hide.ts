import { eq } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { chatMessages, liveQuestions, posts, threads } from '../../drizzle/tables/index.ts';
import type { ContentFacts } from '../../server/auth/content-visibility.ts';
import type { EventRow } from '../../server/pubsub/event-hub.ts';
import { payloadId, type Recipient } from './stream.ts';

/**
 * Events that tell open screens to drop something. They reach everyone who reads the topic,
 * because the subject they name is already hidden from most of them and the event carries no
 * text of it (Post.body and Thread.body are empty for viewers who may not see them).
 */
const REMOVAL_EVENTS = new Set([
  'post_removed',
  'post_deleted',
  'thread_removed',
  'chat_message_deleted',
]);

interface EventSubject {
  communityId: number;
  thread: ContentFacts | null;
  post: ContentFacts | null;
  /** The author of a chat message or Q&A question, which only blocks hide. */
  liveAuthorId: number | null;
}

const subjectLoads = new Map<string, Promise<EventSubject | null>>();

/**
 * Loads the rows an event names, once for all the recipients woken by the same event, as they
 * are when it is delivered: a hold released since, or a block made since, applies at once.
 */
function loadSubject(db: Database, event: EventRow): Promise<EventSubject | null> {
  const key = `${event.id}`;
  let load = subjectLoads.get(key);
  if (!load) {
    load = readSubject(db, event);
    subjectLoads.set(key, load);
    const forget = () => setImmediate(() => subjectLoads.delete(key));
    load.then(forget, forget);
  }
  return load;
}

async function readSubject(db: Database, event: EventRow): Promise<EventSubject | null> {
  const chatMessageId = payloadId(event, 'chatMessageId');
  if (chatMessageId !== null) {
    const [message] = await db
      .select({ authorId: chatMessages.authorId })
      .from(chatMessages)
      .where(eq(chatMessages.id, chatMessageId));
    return message
      ? { communityId: 0, thread: null, post: null, liveAuthorId: message.authorId }
      : null;
  }
  const questionId = payloadId(event, 'questionId');
  if (questionId !== null) {
    const [question] = await db
      .select({ authorId: liveQuestions.authorId })
      .from(liveQuestions)
      .where(eq(liveQuestions.id, questionId));
    return question
      ? { communityId: 0, thread: null, post: null, liveAuthorId: question.authorId }
      : null;
  }
  const threadId = event.topic.startsWith('thread:')
    ? Number(event.topic.slice('thread:'.length))
    : payloadId(event, 'threadId');
  const postId = payloadId(event, 'postId');
  if (threadId === null) {
    return null;
  }
  const [thread] = await db
    .select({
      communityId: threads.communityId,
      authorId: threads.authorId,
      removedAt: threads.removedAt,
      heldAt: threads.heldAt,
    })
    .from(threads)
    .where(eq(threads.id, threadId));
  if (!thread) {
    return null;
  }
  const [post] =
    postId === null
      ? []
      : await db
          .select({ authorId: posts.authorId, removedAt: posts.removedAt, heldAt: posts.heldAt })
          .from(posts)
          .where(eq(posts.id, postId));
  return { communityId: thread.communityId, thread, post: post ?? null, liveAuthorId: null };
}

/**
 * Builds the `hide` rule of a thread, community or live session subscription. An event about a
 * thread, post, chat message or Q&A question that the recipient may not see is left out for
 * them: removed, held for review, or written by someone blocked in either direction. Held content
 * thus sends no event to others until a facilitator approves it, and the approval's own event
 * then reaches them.
 */
export function hideInvisibleContent(db: Database) {
  return async (event: EventRow, { access }: Recipient): Promise<boolean> => {
    if (REMOVAL_EVENTS.has(event.type)) {
      return false;
    }
    const subject = await loadSubject(db, event);
    if (!subject) {
      return false;
    }
    if (subject.liveAuthorId !== null) {
      return access.isBlockedWith(subject.liveAuthorId);
    }
    const checks = [subject.thread, subject.post].filter((facts) => facts !== null);
    const visible = await Promise.all(
      checks.map((facts) => access.canSeeContent(subject.communityId, facts)),
    );
    return visible.includes(false);
  };
}

/** Applies two `hide` rules: an event is left out when either leaves it out. */
export function hideEither(
  first: (event: EventRow, recipient: Recipient) => Promise<boolean>,
  second: (event: EventRow, recipient: Recipient) => Promise<boolean>,
) {
  return async (event: EventRow, recipient: Recipient): Promise<boolean> =>
    (await first(event, recipient)) || (await second(event, recipient));
}
