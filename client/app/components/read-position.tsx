import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import { client, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { pluralize } from '../lib/plural.ts';
import { setUnreadCount } from '../lib/session.ts';

const UNREAD_COUNT = 'query UnreadNotificationCount { unreadNotificationCount }';

/** Milliseconds a newly read reply waits before its position is saved, so scrolling sends little. */
const SAVE_DELAY_MS = 800;

/** Returns the row id inside a Post global id ("Post:<id>" in base64), 0 when it is not one. */
function postNumber(globalId: string): number {
  try {
    const [typename, id] = atob(globalId).split(':');
    return typename === 'Post' ? Number(id) : 0;
  } catch {
    return 0;
  }
}

/** Returns the element id of a reply on the thread page, which PostView sets. */
export function postElementId(postId: string): string {
  return `post-${postId}`;
}

/**
 * Marks replies read as the reader scrolls past them: every element with `data-post-id` inside
 * the container that comes into view moves the read position forward, saved with markThreadRead
 * after a short pause. Positions only move forward on the server, so an out-of-order save is
 * harmless.
 */
export function createReadMarker(
  threadId: () => string | undefined,
  container: () => HTMLElement | undefined,
  onSaved: () => void,
): void {
  let newest: { id: string; number: number } | null = null;
  let saved = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const save = async () => {
    timer = undefined;
    const id = threadId();
    if (!id || !newest || newest.number <= saved) {
      return;
    }
    const target = newest;
    const outcome = await runMutation(
      mutationDocument('markThreadRead', 'MarkThreadReadInput', 'id viewerUnreadCount'),
      'markThreadRead',
      { threadId: id, postId: target.id },
    );
    if (outcome.data) {
      saved = Math.max(saved, target.number);
      onSaved();
      // Reading replies marks their notifications read on the server, so the bell count drops.
      const count = await client
        .query<{ unreadNotificationCount: number }>(
          UNREAD_COUNT,
          {},
          {
            requestPolicy: 'network-only',
          },
        )
        .toPromise();
      if (count.data) {
        setUnreadCount(count.data.unreadNotificationCount);
      }
    }
  };

  onMount(() => {
    const root = container();
    if (!root || typeof IntersectionObserver === 'undefined') {
      return;
    }
    const visibility = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const postId = (entry.target as HTMLElement).dataset.postId;
        const number = postId ? postNumber(postId) : 0;
        if (entry.isIntersecting && postId && number > (newest?.number ?? 0)) {
          newest = { id: postId, number };
        }
      }
      if (newest && newest.number > saved && timer === undefined) {
        timer = setTimeout(() => void save(), SAVE_DELAY_MS);
      }
    });
    const observeAll = () => {
      for (const element of root.querySelectorAll<HTMLElement>('[data-post-id]')) {
        visibility.observe(element);
      }
    };
    observeAll();
    // Replies that arrive live or with "Show more replies" are watched too.
    const additions = new MutationObserver(observeAll);
    additions.observe(root, { childList: true, subtree: true });
    onCleanup(() => {
      visibility.disconnect();
      additions.disconnect();
      clearTimeout(timer);
    });
  });
}

/**
 * Renders "Jump to first unread" for the replies the viewer has not read, which scrolls to the
 * first of them and moves the keyboard focus there. Renders nothing when all are read.
 */
export function JumpToUnread(props: { firstUnreadPostId: string | null; unreadCount: number }) {
  const [missing, setMissing] = createSignal(false);
  const jump = () => {
    const element = props.firstUnreadPostId
      ? document.getElementById(postElementId(props.firstUnreadPostId))
      : null;
    if (!element) {
      setMissing(true);
      return;
    }
    setMissing(false);
    element.setAttribute('tabindex', '-1');
    element.scrollIntoView({ block: 'start' });
    element.focus({ preventScroll: true });
  };
  return (
    <Show when={props.firstUnreadPostId && props.unreadCount > 0}>
      <p class="jump-unread">
        <button type="button" class="secondary" data-testid="jump-unread" onClick={jump}>
          Jump to first unread ({pluralize(props.unreadCount, 'new reply', 'new replies')})
        </button>
        <Show when={missing()}>
          <span class="meta" role="status">
            {' '}
            It is further down: use “Show more replies” below.
          </span>
        </Show>
      </p>
    </Show>
  );
}

/** Renders the number of unread replies of a thread in a list, or nothing when all are read. */
export function UnreadTag(props: { count: number }) {
  return (
    <Show when={props.count > 0}>
      <span class="tag unread-tag" data-testid="thread-unread">
        {props.count} new
        <span class="visually-hidden"> {props.count === 1 ? 'reply' : 'replies'}</span>
      </span>
    </Show>
  );
}
