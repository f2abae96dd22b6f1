import { createSignal } from 'solid-js';

/** The fields of a thread activity event that concern a moderator's removal. */
interface RemovalEvent {
  type: string;
  postId: string | null;
}

/**
 * Tracks what moderators removed from an open thread page since it loaded, from the thread's
 * activity events, so that removed content leaves the page at once instead of after the next
 * query. Moderators keep seeing a removed thread, as the server shows it to them.
 */
export function createRemovalState() {
  const [removedPosts, setRemovedPosts] = createSignal<ReadonlySet<string>>(new Set());
  const [threadRemoved, setThreadRemoved] = createSignal(false);

  const changePost = (postId: string, removed: boolean) => {
    const next = new Set(removedPosts());
    if (removed) {
      next.add(postId);
    } else {
      next.delete(postId);
    }
    setRemovedPosts(next);
  };

  /** Applies one event and returns a sentence to announce, or null when it removed nothing. */
  const apply = (event: RemovalEvent, viewerCanModerate: boolean): string | null => {
    if (event.type === 'POST_REMOVED' && event.postId && !viewerCanModerate) {
      changePost(event.postId, true);
      return 'A moderator removed a reply.';
    }
    if (event.type === 'POST_RESTORED' && event.postId) {
      changePost(event.postId, false);
      return null;
    }
    if (event.type === 'THREAD_REMOVED' && !viewerCanModerate) {
      setThreadRemoved(true);
      return 'A moderator removed this thread.';
    }
    if (event.type === 'THREAD_RESTORED') {
      setThreadRemoved(false);
    }
    return null;
  };

  return {
    apply,
    isPostRemoved: (postId: string) => removedPosts().has(postId),
    threadRemoved,
  };
}
