import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { FollowControl, type FollowState } from '../components/follow-control.tsx';
import { createLaterPosts, POST_PAGE_SIZE, type PostPageInfo } from '../components/later-posts.ts';
import { LiveRegion } from '../components/live-region.tsx';
import { ModerationActions } from '../components/moderation/moderation-actions.tsx';
import { createRemovalState } from '../components/moderation/removal-state.ts';
import {
  POST_FIELDS,
  type Post,
  type PostControls,
  PostView,
  ReplyForm,
} from '../components/post-view.tsx';
import { createReadMarker, JumpToUnread } from '../components/read-position.tsx';
import { ActionError, Empty, ErrorState, Loading, RefreshError } from '../components/status.tsx';
import {
  createAction,
  createEventCursor,
  createGraphQLQuery,
  createGraphQLSubscription,
  refetchOnReconnect,
} from '../lib/graphql.ts';
import { pluralize } from '../lib/plural.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { formatLocal } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

const THREAD = `query Thread($id: ID!) { thread(id: $id) {
  id title bodyHtml kind pinned locked held removed replyCount createdAt eventCursor
  viewerCanReply viewerCanModerate viewerCanAcceptAnswer
  viewerFollowState viewerUnreadCount viewerFirstUnreadPostId
  author { id displayName } community { name slug }
  posts(first: ${POST_PAGE_SIZE}) {
    pageInfo { hasNextPage endCursor } nodes { ${POST_FIELDS} replies { ${POST_FIELDS} } } } } }`;

const THREAD_ACTIVITY = `subscription ThreadActivity($id: ID!, $after: String) {
  threadActivity(threadId: $id, after: $after) {
    eventId type postId post { id author { displayName } } } }`;

interface ThreadData {
  thread: {
    id: string;
    title: string;
    bodyHtml: string;
    kind: string;
    pinned: boolean;
    locked: boolean;
    held: boolean;
    removed: boolean;
    replyCount: number;
    createdAt: string;
    eventCursor: string;
    viewerCanReply: boolean;
    viewerCanModerate: boolean;
    viewerCanAcceptAnswer: boolean;
    viewerFollowState: FollowState;
    viewerUnreadCount: number;
    viewerFirstUnreadPostId: string | null;
    author: { id: string; displayName: string } | null;
    community: { name: string; slug: string };
    posts: { pageInfo: PostPageInfo; nodes: Post[] };
  } | null;
}

interface ThreadActivityData {
  threadActivity: {
    eventId: string;
    type: string;
    postId: string | null;
    post: { id: string; author: { displayName: string } | null } | null;
  };
}

const KIND_LABELS: Record<string, string> = {
  QUESTION: 'Question',
  ANNOUNCEMENT: 'Announcement',
};

export default function ThreadPage() {
  const params = useParams();
  // Waiting for the viewer avoids loading the page once signed out and again signed in.
  const firstPage = createGraphQLQuery<ThreadData, { id: string; viewerId: string | null }>(
    THREAD,
    () =>
      viewerLoaded() && {
        id: decodeURIComponent(params.id ?? ''),
        viewerId: viewer()?.id ?? null,
      },
  );
  const thread = () => firstPage.data()?.thread;
  const laterPosts = createLaterPosts(() => thread()?.id);
  // Live updates and actions reload the replies already shown beyond the first page too.
  const page = {
    ...firstPage,
    refetch: () => {
      firstPage.refetch();
      void laterPosts.reload();
    },
  };
  const eventCursor = createEventCursor(
    () => thread()?.id ?? '',
    () => thread()?.eventCursor,
  );
  const [announcement, setAnnouncement] = createSignal('');
  const seenEvents = new Set<string>();
  const removal = createRemovalState();
  createDocumentTitle(() => thread()?.title);

  createGraphQLSubscription<ThreadActivityData, { id: string; after: string }>(
    THREAD_ACTIVITY,
    () => {
      const after = eventCursor();
      const current = thread();
      return after && current ? { id: current.id, after } : false;
    },
    (data) => {
      const event = data.threadActivity;
      // A resubscription after a dropped socket replays from the page's first cursor.
      if (seenEvents.has(event.eventId)) {
        return;
      }
      seenEvents.add(event.eventId);
      if (event.type === 'POST_ADDED') {
        setAnnouncement(`New reply from ${event.post?.author?.displayName ?? 'someone'}`);
      }
      const removalNotice = removal.apply(event, thread()?.viewerCanModerate ?? false);
      if (removalNotice) {
        setAnnouncement(removalNotice);
      }
      page.refetch();
    },
  );

  refetchOnReconnect(page.refetch);

  const { act, actionError } = createAction(page.refetch);

  return (
    <Switch>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the thread…" />
      </Match>
      <Match when={removal.threadRemoved()}>
        <section>
          <LiveRegion message={announcement()} testId="thread-announcer" />
          <h1>Thread removed</h1>
          <p data-testid="thread-removed">A moderator removed this thread.</p>
          <p>
            <A href="/">Back to the communities</A>
          </p>
        </section>
      </Match>
      <Match when={!thread()}>
        <section>
          <h1>Thread not found</h1>
          <p>It does not exist, or it is in a community you cannot see.</p>
          <p>
            <A href="/">Back to the communities</A>
          </p>
        </section>
      </Match>
      <Match when={thread()}>
        {(current) => {
          const controls: PostControls = {
            get threadId() {
              return current().id;
            },
            get viewerCanReply() {
              return current().viewerCanReply;
            },
            get viewerCanModerate() {
              return current().viewerCanModerate;
            },
            get viewerCanAcceptAnswer() {
              return current().viewerCanAcceptAnswer;
            },
            act,
            refetch: page.refetch,
            isRemoved: removal.isPostRemoved,
          };
          let postList: HTMLDivElement | undefined;
          createReadMarker(
            () => (viewer() ? current().id : undefined),
            () => postList,
            () => {},
          );
          return (
            <article class="thread">
              <LiveRegion message={announcement()} testId="thread-announcer" />
              <RefreshError message={page.error()} onRetry={page.refetch} />
              <p class="breadcrumb">
                <A href={`/c/${current().community.slug}`}>{current().community.name}</A>
              </p>
              <h1>{current().title}</h1>
              <p class="meta">
                {current().author?.displayName ?? 'Deleted user'} ·{' '}
                <time datetime={current().createdAt}>{formatLocal(current().createdAt)}</time> ·{' '}
                {pluralize(current().replyCount, 'reply', 'replies')}
                <Show when={KIND_LABELS[current().kind]}>
                  {(label) => <span class="tag">{label()}</span>}
                </Show>
                <Show when={current().pinned}>
                  <span class="tag">Pinned</span>
                </Show>
                <Show when={current().locked}>
                  <span class="tag subtle">Locked</span>
                </Show>
                <Show when={current().held}>
                  <span class="tag subtle" data-testid="thread-held">
                    Waiting for review
                  </span>
                </Show>
                <Show when={current().removed}>
                  <span class="tag bad">Removed</span>
                </Show>
              </p>
              <div class="prose" innerHTML={current().bodyHtml} />
              <Show when={viewer()}>
                <FollowControl
                  targetId={current().id}
                  kind="thread"
                  state={current().viewerFollowState}
                  onChanged={firstPage.refetch}
                />
              </Show>
              <div class="post-actions">
                <ModerationActions
                  kind="thread"
                  id={current().id}
                  label={`thread “${current().title}”`}
                  authorId={current().author?.id}
                  viewerCanModerate={current().viewerCanModerate}
                  removed={current().removed}
                  onRemoved={page.refetch}
                />
              </div>
              <Show when={current().viewerCanModerate}>
                <div class="actions">
                  <button
                    type="button"
                    class="secondary"
                    onClick={() =>
                      act('pinThread', 'PinThreadInput', {
                        threadId: current().id,
                        pinned: !current().pinned,
                      })
                    }
                  >
                    {current().pinned ? 'Unpin thread' : 'Pin thread'}
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() =>
                      act('lockThread', 'LockThreadInput', {
                        threadId: current().id,
                        locked: !current().locked,
                      })
                    }
                  >
                    {current().locked ? 'Unlock thread' : 'Lock thread'}
                  </button>
                </div>
              </Show>
              <Show when={actionError()}>
                <p class="form-error" role="alert">
                  {actionError()}
                </p>
              </Show>

              <h2>Replies</h2>
              <JumpToUnread
                firstUnreadPostId={current().viewerFirstUnreadPostId}
                unreadCount={current().viewerUnreadCount}
              />
              <div class="post-list" data-testid="post-list" ref={postList}>
                <ol class="posts">
                  <For each={current().posts.nodes}>
                    {(post) => <PostView post={post} controls={controls} />}
                  </For>
                  <For each={laterPosts.nodes()}>
                    {(post) => <PostView post={post} controls={controls} />}
                  </For>
                </ol>
                <Show when={current().posts.nodes.length === 0}>
                  <Empty>No replies yet.</Empty>
                </Show>
              </div>
              <Show when={laterPosts.hasMore(current().posts.pageInfo)}>
                <ActionError message={laterPosts.error()} />
                <button
                  type="button"
                  class="secondary"
                  disabled={laterPosts.loading()}
                  onClick={() => void laterPosts.showMore(current().posts.pageInfo)}
                >
                  {laterPosts.loading() ? 'Loading replies…' : 'Show more replies'}
                </button>
              </Show>

              <ReplyArea
                threadId={current().id}
                communitySlug={current().community.slug}
                kind={current().kind}
                locked={current().locked}
                viewerCanReply={current().viewerCanReply}
                onPosted={page.refetch}
              />
            </article>
          );
        }}
      </Match>
    </Switch>
  );
}

/** Renders the reply box, or the reason the viewer cannot reply. */
function ReplyArea(props: {
  threadId: string;
  communitySlug: string;
  kind: string;
  locked: boolean;
  viewerCanReply: boolean;
  onPosted: () => void;
}) {
  return (
    <Switch>
      <Match when={props.viewerCanReply}>
        <ReplyForm threadId={props.threadId} label="Your reply" onPosted={props.onPosted} testIds />
      </Match>
      <Match when={!viewer()}>
        <p>
          <A href={signInPath(`/t/${encodeURIComponent(props.threadId)}`)}>Sign in</A> and join the
          community to reply.
        </p>
      </Match>
      <Match when={props.locked}>
        <p class="meta">This thread is locked.</p>
      </Match>
      <Match when={props.kind === 'ANNOUNCEMENT'}>
        <p class="meta">Announcements take replies from facilitators only.</p>
      </Match>
      <Match when={true}>
        <p class="meta">
          <A href={`/c/${props.communitySlug}`}>Join the community</A> to reply.
        </p>
      </Match>
    </Switch>
  );
}
