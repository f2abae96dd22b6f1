import { createSignal } from 'solid-js';

/** Community activity types of a moderator removing or restoring a thread or reply. */
export const REMOVAL_TYPES = new Set([
  'THREAD_REMOVED',
  'THREAD_RESTORED',
  'POST_REMOVED',
  'POST_RESTORED',
]);

/**
 * Tracks the threads that moderators removed since a community page loaded, so that the list
 * drops them at once, before the next query. Moderators keep seeing them.
 */
export function createRemovedThreads() {
  const [removed, setRemoved] = createSignal<ReadonlySet<string>>(new Set());

  const apply = (event: { type: string; threadId: string | null }, viewerCanModerate: boolean) => {
    const { threadId } = event;
    if (!threadId || viewerCanModerate) {
      return;
    }
    const next = new Set(removed());
    if (event.type === 'THREAD_REMOVED') {
      next.add(threadId);
    } else if (event.type === 'THREAD_RESTORED') {
      next.delete(threadId);
    }
    setRemoved(next);
  };

  return {
    apply,
    visible: <Thread extends { id: string }>(threads: Thread[]) =>
      threads.filter((thread) => !removed().has(thread.id)),
  };
}
