import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { Field, FormMessage } from '../components/field.tsx';
import { LiveRegion } from '../components/live-region.tsx';
import { ErrorState, errorMessage, Loading } from '../components/status.tsx';
import {
  createAction,
  createEventCursor,
  createGraphQLQuery,
  createGraphQLSubscription,
  issueFor,
  type MutationOutcome,
  refetchOnReconnect,
  runMutation,
} from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { viewer } from '../lib/session.ts';
import { formatLocal } from '../lib/time.ts';

const POST = `id body bodyHtml deleted edited createdAt isAcceptedAnswer viewerCanEdit
  author { id displayName } reactions { kind count viewerReacted }`;
const THREAD = `query Thread($id: ID!) { thread(id: $id) {
  id title bodyHtml kind pinned locked replyCount createdAt eventCursor
  viewerCanReply viewerCanModerate viewerCanAcceptAnswer
  author { displayName } community { name slug }
  posts(first: 100) { nodes { ${POST} replies { ${POST} } } } } }`;

const REACTIONS: [string, string][] = [
  ['LIKE', 'Like'],
  ['THANKS', 'Thanks'],
  ['INSIGHTFUL', 'Insightful'],
  ['CELEBRATE', 'Celebrate'],
];

interface Post {
  id: string;
  body: string;
  bodyHtml: string;
  deleted: boolean;
  edited: boolean;
  createdAt: string;
  isAcceptedAnswer: boolean;
  viewerCanEdit: boolean;
  author: { id: string; displayName: string } | null;
  reactions: { kind: string; count: number; viewerReacted: boolean }[];
  replies?: Post[];
}

interface ThreadData {
  thread: {
    id: string;
    title: string;
    bodyHtml: string;
    kind: string;
    pinned: boolean;
    locked: boolean;
    replyCount: number;
    createdAt: string;
    eventCursor: string;
    viewerCanReply: boolean;
    viewerCanModerate: boolean;
    viewerCanAcceptAnswer: boolean;
    author: { displayName: string } | null;
    community: { name: string; slug: string };
    posts: { nodes: Post[] };
  } | null;
}

/** Renders a reply box that keeps its text until the server has the reply. */
function ReplyForm(props: {
  threadId: string;
  parentId?: string;
  label: string;
  onPosted: () => void;
  testIds?: boolean;
}) {
  const [body, setBody] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [outcome, setOutcome] = createSignal<MutationOutcome<unknown> | null>(null);
  const name = () => (props.parentId ? `reply-to-${props.parentId}` : 'reply');

  return (
    <form
      class="reply-form"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        const result = await runMutation(
          mutationDocument('createPost', 'CreatePostInput', 'id'),
          'createPost',
          {
            threadId: props.threadId,
            body: body(),
            ...(props.parentId && { parentId: props.parentId }),
          },
        );
        setBusy(false);
        setOutcome(result);
        if (result.data) {
          setBody('');
          props.onPosted();
        }
      }}
    >
      <Field
        label={props.label}
        name={name()}
        multiline
        rows={props.parentId ? 2 : 4}
        required
        value={body()}
        onValue={setBody}
        error={issueFor(outcome(), 'body')}
        data-testid={props.testIds ? 'reply-body' : undefined}
      />
      <FormMessage error={outcome()?.issues ? undefined : outcome()?.message} />
      <button
        type="submit"
        disabled={busy()}
        data-testid={props.testIds ? 'reply-submit' : undefined}
      >
        {busy() ? 'Posting…' : 'Post reply'}
      </button>
    </form>
  );
}

export default function ThreadPage() {
  const params = useParams();
  const page = createGraphQLQuery<ThreadData, { id: string; viewerId: string | null }>(
    THREAD,
    () => ({
      id: decodeURIComponent(params.id ?? ''),
      viewerId: viewer()?.id ?? null,
    }),
  );
  const thread = () => page.data.latest?.thread;
  const eventCursor = createEventCursor(
    () => thread()?.id ?? '',
    () => thread()?.eventCursor,
  );
  const [announcement, setAnnouncement] = createSignal('');
  const [replyingTo, setReplyingTo] = createSignal<string | null>(null);
  const [editing, setEditing] = createSignal<string | null>(null);
  const [editBody, setEditBody] = createSignal('');
  const seenEvents = new Set<string>();

  createGraphQLSubscription<
    {
      threadActivity: {
        eventId: string;
        type: string;
        post: { author: { displayName: string } | null } | null;
      };
    },
    { id: string; after: string }
  >(
    'subscription ThreadActivity($id: ID!, $after: String) { threadActivity(threadId: $id, after: $after) { eventId type post { id author { displayName } } } }',
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
      page.refetch();
    },
  );

  refetchOnReconnect(page.refetch);

  const { act, actionError } = createAction(page.refetch);

  const PostView = (props: { post: Post; nested?: boolean }) => (
    <li
      class="post"
      classList={{ accepted: props.post.isAcceptedAnswer, deleted: props.post.deleted }}
      data-testid="post-item"
    >
      <p class="meta">
        <strong>
          {props.post.deleted ? 'Deleted' : (props.post.author?.displayName ?? 'Deleted user')}
        </strong>{' '}
        · <time datetime={props.post.createdAt}>{formatLocal(props.post.createdAt)}</time>
        <Show when={props.post.edited && !props.post.deleted}> · edited</Show>
        <Show when={props.post.isAcceptedAnswer}>
          <span class="tag">Accepted answer</span>
        </Show>
      </p>
      <Show
        when={editing() === props.post.id}
        fallback={
          <div
            class="prose"
            innerHTML={
              props.post.deleted ? '<p><em>This reply was deleted.</em></p>' : props.post.bodyHtml
            }
          />
        }
      >
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            const outcome = await act('editPost', 'EditPostInput', {
              postId: props.post.id,
              body: editBody(),
            });
            if (!outcome.message) {
              setEditing(null);
            }
          }}
        >
          <Field
            label="Edit your reply"
            name={`edit-${props.post.id}`}
            multiline
            rows={3}
            value={editBody()}
            onValue={setEditBody}
          />
          <button type="submit">Save</button>
          <button type="button" class="secondary" onClick={() => setEditing(null)}>
            Cancel
          </button>
        </form>
      </Show>
      <Show when={!props.post.deleted}>
        <div class="post-actions">
          <For each={REACTIONS}>
            {([kind, label]) => {
              const reaction = () => props.post.reactions.find((entry) => entry.kind === kind);
              return (
                <button
                  type="button"
                  class="reaction"
                  aria-pressed={reaction()?.viewerReacted ? 'true' : 'false'}
                  disabled={!thread()?.viewerCanReply && !reaction()?.viewerReacted}
                  onClick={() =>
                    act('react', 'ReactInput', {
                      postId: props.post.id,
                      kind,
                      active: !reaction()?.viewerReacted,
                    })
                  }
                >
                  {label} <span class="count-inline">{reaction()?.count ?? 0}</span>
                </button>
              );
            }}
          </For>
          <Show when={!props.nested && thread()?.viewerCanReply}>
            <button
              type="button"
              class="link-button"
              onClick={() => setReplyingTo(replyingTo() === props.post.id ? null : props.post.id)}
            >
              Reply
            </button>
          </Show>
          <Show when={props.post.viewerCanEdit}>
            <button
              type="button"
              class="link-button"
              onClick={() => {
                setEditBody(props.post.body);
                setEditing(props.post.id);
              }}
            >
              Edit
            </button>
          </Show>
          <Show when={props.post.viewerCanEdit || thread()?.viewerCanModerate}>
            <button
              type="button"
              class="link-button danger"
              onClick={() =>
                window.confirm('Delete this reply?') &&
                act('deletePost', 'PostIdInput', { postId: props.post.id })
              }
            >
              Delete
            </button>
          </Show>
          <Show when={thread()?.viewerCanAcceptAnswer && !props.post.isAcceptedAnswer}>
            <button
              type="button"
              class="link-button"
              onClick={() =>
                act('acceptAnswer', 'AcceptAnswerInput', {
                  threadId: thread()?.id,
                  postId: props.post.id,
                })
              }
            >
              Accept as answer
            </button>
          </Show>
        </div>
      </Show>
      <Show when={(props.post.replies?.length ?? 0) > 0}>
        <ol class="replies">
          <For each={props.post.replies}>{(nested) => <PostView post={nested} nested />}</For>
        </ol>
      </Show>
      <Show when={replyingTo() === props.post.id && thread()}>
        {(current) => (
          <ReplyForm
            threadId={current().id}
            parentId={props.post.id}
            label={`Reply to ${props.post.author?.displayName ?? 'this reply'}`}
            onPosted={() => {
              setReplyingTo(null);
              page.refetch();
            }}
          />
        )}
      </Show>
    </li>
  );

  return (
    <Switch>
      <Match when={page.data.error}>
        <ErrorState message={errorMessage(page.data.error)} onRetry={page.refetch} />
      </Match>
      <Match when={page.data.loading && !page.data.latest}>
        <Loading label="Loading the thread…" />
      </Match>
      <Match when={page.data.latest && !thread()}>
        <section>
          <h1>Thread not found</h1>
          <p>It does not exist, or it is in a community you cannot see.</p>
        </section>
      </Match>
      <Match when={thread()}>
        {(current) => (
          <article class="thread">
            <LiveRegion message={announcement()} testId="thread-announcer" />
            <p class="breadcrumb">
              <A href={`/c/${current().community.slug}`}>{current().community.name}</A>
            </p>
            <h1>{current().title}</h1>
            <p class="meta">
              {current().author?.displayName ?? 'Deleted user'} · {formatLocal(current().createdAt)}{' '}
              · {current().replyCount} replies
              <Show when={current().kind === 'QUESTION'}>
                <span class="tag">Question</span>
              </Show>
              <Show when={current().kind === 'ANNOUNCEMENT'}>
                <span class="tag">Announcement</span>
              </Show>
              <Show when={current().pinned}>
                <span class="tag">Pinned</span>
              </Show>
              <Show when={current().locked}>
                <span class="tag subtle">Locked</span>
              </Show>
            </p>
            <div class="prose" innerHTML={current().bodyHtml} />
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
                  {current().pinned ? 'Unpin' : 'Pin'}
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
                  {current().locked ? 'Unlock' : 'Lock'}
                </button>
              </div>
            </Show>
            <Show when={actionError()}>
              <p class="form-error" role="alert">
                {actionError()}
              </p>
            </Show>

            <h2>Replies</h2>
            <ol class="posts" data-testid="post-list">
              <For each={current().posts.nodes}>{(post) => <PostView post={post} />}</For>
            </ol>
            <Show when={current().posts.nodes.length === 0}>
              <p class="empty">No replies yet.</p>
            </Show>

            <Switch>
              <Match when={current().viewerCanReply}>
                <ReplyForm
                  threadId={current().id}
                  label="Your reply"
                  onPosted={page.refetch}
                  testIds
                />
              </Match>
              <Match when={!viewer()}>
                <p>
                  <A href={`/sign-in?next=/t/${encodeURIComponent(current().id)}`}>Sign in</A> and
                  join the community to reply.
                </p>
              </Match>
              <Match when={current().locked}>
                <p class="meta">This thread is locked.</p>
              </Match>
              <Match when={current().kind === 'ANNOUNCEMENT'}>
                <p class="meta">Announcements take replies from facilitators only.</p>
              </Match>
              <Match when={true}>
                <p class="meta">
                  <A href={`/c/${current().community.slug}`}>Join the community</A> to reply.
                </p>
              </Match>
            </Switch>
          </article>
        )}
      </Match>
    </Switch>
  );
}
