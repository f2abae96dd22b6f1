import { createSignal, For, Show } from 'solid-js';
import { type MutationOutcome, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { createSubmission } from '../lib/submission.ts';
import { formatLocal } from '../lib/time.ts';
import { BlockButton } from './block-button.tsx';
import { Field, FormMessage } from './field.tsx';
import { MentionPicker } from './mention-picker.tsx';
import { ModerationActions } from './moderation/moderation-actions.tsx';
import { postElementId } from './read-position.tsx';

/** Fields of a reply that the thread page selects, for `PostView`. */
export const POST_FIELDS = `id body bodyHtml deleted edited held removed createdAt isAcceptedAnswer
  viewerCanEdit author { id displayName } reactions { kind count viewerReacted }`;

export interface Post {
  id: string;
  body: string;
  bodyHtml: string;
  deleted: boolean;
  edited: boolean;
  /** Waiting for a facilitator's review; shown only to its author and the moderators. */
  held?: boolean;
  /** Removed by a facilitator; shown only to the moderators. */
  removed?: boolean;
  createdAt: string;
  isAcceptedAnswer: boolean;
  viewerCanEdit: boolean;
  author: { id: string; displayName: string } | null;
  reactions: { kind: string; count: number; viewerReacted: boolean }[];
  replies?: Post[];
}

/** Permissions of the viewer in the thread, and the runner for moderation and reaction mutations. */
export interface PostControls {
  threadId: string;
  viewerCanReply: boolean;
  viewerCanModerate: boolean;
  viewerCanAcceptAnswer: boolean;
  act: (
    field: string,
    inputType: string,
    input: Record<string, unknown>,
  ) => Promise<MutationOutcome<unknown>>;
  refetch: () => void;
  /** Whether a moderator removed the post since the page loaded, so it is no longer shown. */
  isRemoved?: (postId: string) => boolean;
}

const REACTIONS: [string, string][] = [
  ['LIKE', 'Like'],
  ['THANKS', 'Thanks'],
  ['INSIGHTFUL', 'Insightful'],
  ['CELEBRATE', 'Celebrate'],
];

/** Renders a reply box that keeps its text until the server has the reply. */
export function ReplyForm(props: {
  threadId: string;
  parentId?: string;
  label: string;
  onPosted: () => void;
  testIds?: boolean;
}) {
  const [body, setBody] = createSignal('');
  const [heldNotice, setHeldNotice] = createSignal(false);
  const submission = createSubmission(['body']);
  const name = () => (props.parentId ? `reply-to-${props.parentId}` : 'reply');

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    // On failure the text stays in the box, so nothing typed is lost.
    const result = await submission.submit(() =>
      runMutation<{ id: string; held: boolean }>(
        mutationDocument('createPost', 'CreatePostInput', 'id held'),
        'createPost',
        {
          threadId: props.threadId,
          body: body(),
          ...(props.parentId && { parentId: props.parentId }),
        },
      ),
    );
    if (result.data) {
      setBody('');
      setHeldNotice(result.data.held);
      props.onPosted();
    }
  };

  return (
    <form class="reply-form" onSubmit={submit}>
      <Field
        label={props.label}
        name={name()}
        multiline
        rows={props.parentId ? 2 : 4}
        required
        value={body()}
        onValue={setBody}
        error={submission.issue('body')}
        data-testid={props.testIds ? 'reply-body' : undefined}
      />
      <MentionPicker sourceId={props.threadId} textBoxId={`field-${name()}`} onText={setBody} />
      <FormMessage error={submission.formError()} />
      <Show when={heldNotice()}>
        <p class="hint" role="status">
          Your reply has a link, so it waits for a facilitator's review. Until then only you and the
          facilitators see it.
        </p>
      </Show>
      <button
        type="submit"
        disabled={submission.busy()}
        data-testid={props.testIds ? 'reply-submit' : undefined}
      >
        {submission.busy() ? 'Posting…' : 'Post reply'}
      </button>
    </form>
  );
}

/** Renders the edit box of one's own reply. The text stays in the box when saving fails. */
function EditPostForm(props: { post: Post; onDone: () => void }) {
  const [body, setBody] = createSignal(props.post.body);
  const submission = createSubmission(['body']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await submission.submit(() =>
      runMutation(
        mutationDocument('editPost', 'EditPostInput', 'id body bodyHtml edited'),
        'editPost',
        { postId: props.post.id, body: body() },
      ),
    );
    if (result.data) {
      props.onDone();
    }
  };

  return (
    <form onSubmit={submit}>
      <Field
        label="Edit your reply"
        name={`edit-${props.post.id}`}
        multiline
        rows={3}
        required
        value={body()}
        onValue={setBody}
        error={submission.issue('body')}
      />
      <FormMessage error={submission.formError()} />
      <div class="actions">
        <button type="submit" disabled={submission.busy()}>
          {submission.busy() ? 'Saving…' : 'Save'}
        </button>
        <button type="button" class="secondary" onClick={() => props.onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Reactions(props: { post: Post; controls: PostControls }) {
  return (
    <For each={REACTIONS}>
      {([kind, label]) => {
        const reaction = () => props.post.reactions.find((entry) => entry.kind === kind);
        return (
          <button
            type="button"
            class="reaction"
            aria-pressed={reaction()?.viewerReacted ? 'true' : 'false'}
            disabled={!props.controls.viewerCanReply && !reaction()?.viewerReacted}
            onClick={() =>
              props.controls.act('react', 'ReactInput', {
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
  );
}

/** Renders one reply with its reactions, its actions and, for a top-level reply, its replies. */
export function PostView(props: { post: Post; controls: PostControls; nested?: boolean }) {
  const [replying, setReplying] = createSignal(false);
  const [editing, setEditing] = createSignal(false);
  const author = () => props.post.author?.displayName ?? 'Deleted user';
  const setAccepted = (accepted: boolean) =>
    props.controls.act('acceptAnswer', 'AcceptAnswerInput', {
      threadId: props.controls.threadId,
      postId: accepted ? props.post.id : null,
    });

  return (
    <Show when={!props.controls.isRemoved?.(props.post.id)}>
      <li
        class="post"
        id={postElementId(props.post.id)}
        data-post-id={props.post.id}
        classList={{ accepted: props.post.isAcceptedAnswer, deleted: props.post.deleted }}
        data-testid="post-item"
      >
        <p class="meta">
          <strong>{props.post.deleted ? 'Deleted' : author()}</strong> ·{' '}
          <time datetime={props.post.createdAt}>{formatLocal(props.post.createdAt)}</time>
          <Show when={props.post.edited && !props.post.deleted}> · edited</Show>
          <Show when={props.post.isAcceptedAnswer}>
            <span class="tag good">Accepted answer</span>
          </Show>
          <Show when={props.post.held}>
            <span class="tag subtle" data-testid="post-held">
              Waiting for review
            </span>
          </Show>
          <Show when={props.post.removed}>
            <span class="tag bad">Removed</span>
          </Show>
        </p>
        <Show
          when={editing()}
          fallback={
            <div
              class="prose"
              innerHTML={
                props.post.deleted ? '<p><em>This reply was deleted.</em></p>' : props.post.bodyHtml
              }
            />
          }
        >
          <EditPostForm
            post={props.post}
            onDone={() => {
              setEditing(false);
              props.controls.refetch();
            }}
          />
        </Show>
        <Show when={!props.post.deleted}>
          <div class="post-actions">
            <Reactions post={props.post} controls={props.controls} />
            <Show when={!props.nested && props.controls.viewerCanReply}>
              <button
                type="button"
                class="link-button"
                aria-expanded={replying() ? 'true' : 'false'}
                onClick={() => setReplying(!replying())}
              >
                Reply
              </button>
            </Show>
            <Show when={props.post.viewerCanEdit && !editing()}>
              <button type="button" class="link-button" onClick={() => setEditing(true)}>
                Edit
              </button>
            </Show>
            <Show when={props.post.viewerCanEdit || props.controls.viewerCanModerate}>
              <button
                type="button"
                class="link-button danger"
                onClick={() =>
                  window.confirm('Delete this reply?') &&
                  props.controls.act('deletePost', 'PostIdInput', { postId: props.post.id })
                }
              >
                Delete
              </button>
            </Show>
            <ModerationActions
              kind="post"
              id={props.post.id}
              label={`reply by ${author()}`}
              authorId={props.post.author?.id}
              viewerCanModerate={props.controls.viewerCanModerate}
              removed={props.post.removed}
              onRemoved={props.controls.refetch}
            />
            <Show when={props.post.author}>
              {(postAuthor) => (
                <BlockButton
                  userId={postAuthor().id}
                  displayName={postAuthor().displayName}
                  blocked={false}
                  compact
                  class="link-button"
                  onChange={props.controls.refetch}
                />
              )}
            </Show>
            <Show when={props.controls.viewerCanAcceptAnswer}>
              <button
                type="button"
                class="link-button"
                onClick={() => setAccepted(!props.post.isAcceptedAnswer)}
              >
                {props.post.isAcceptedAnswer ? 'Unmark as answer' : 'Accept as answer'}
              </button>
            </Show>
          </div>
        </Show>
        <Show when={(props.post.replies?.length ?? 0) > 0}>
          <ol class="replies" aria-label={`Replies to ${author()}`}>
            <For each={props.post.replies}>
              {(nested) => <PostView post={nested} controls={props.controls} nested />}
            </For>
          </ol>
        </Show>
        <Show when={replying()}>
          <ReplyForm
            threadId={props.controls.threadId}
            parentId={props.post.id}
            label={`Reply to ${author()}`}
            onPosted={() => {
              setReplying(false);
              props.controls.refetch();
            }}
          />
        </Show>
      </li>
    </Show>
  );
}
