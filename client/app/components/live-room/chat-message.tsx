import { createSignal, Match, Show, Switch } from 'solid-js';
import { runMutation } from '../../lib/graphql.ts';
import { mutationDocument } from '../../lib/operations.ts';
import { formatLocal } from '../../lib/time.ts';
import { ReportButton } from '../moderation/report-dialog.tsx';
import { ParticipantMenu } from './participant-menu.tsx';
import type { Room } from './room.ts';
import { CHAT_FIELDS, type ChatMessage } from './room-documents.ts';

const EDIT_CHAT = mutationDocument('editChatMessage', 'EditChatMessageInput', CHAT_FIELDS);
const DELETE_CHAT = mutationDocument('deleteChatMessage', 'DeleteChatMessageInput', CHAT_FIELDS);

/**
 * Renders one chat message with its author's actions (edit inline, delete) and a moderator's
 * (delete any, and the author's moderation menu). A deleted message keeps its place and shows who
 * removed it.
 */
export function ChatMessageItem(props: { room: Room; message: ChatMessage }) {
  const [editing, setEditing] = createSignal(false);
  const [draft, setDraft] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  let item: HTMLLIElement | undefined;
  let editButton: HTMLButtonElement | undefined;
  let editor: HTMLTextAreaElement | undefined;
  let editForm: HTMLFormElement | undefined;

  const deleted = () => props.message.deletedAt !== null;
  const canEdit = () => props.message.viewerCanEdit && props.room.settings.viewerCanChat;
  const canDelete = () =>
    !deleted() &&
    (props.room.settings.viewerCanModerate ||
      (props.message.author?.id === props.room.viewerId() && props.room.settings.viewerCanChat));

  const canReport = () =>
    props.room.viewerId() !== undefined && props.message.author?.id !== props.room.viewerId();

  const startEditing = () => {
    setDraft(props.message.body);
    setError('');
    setEditing(true);
    // The editor and the Edit button are created by the render that follows the change.
    queueMicrotask(() => {
      editor?.focus();
      editor?.select();
    });
  };

  const stopEditing = () => {
    setEditing(false);
    setError('');
    queueMicrotask(() => editButton?.focus());
  };

  /** Shows an edit's error under its text box, scrolled into view inside the chat log. */
  const showEditError = (message: string) => {
    setError(message);
    queueMicrotask(() => editForm?.scrollIntoView({ block: 'nearest' }));
  };

  const save = async () => {
    if (draft() === props.message.body) {
      stopEditing();
      return;
    }
    if (draft().trim() === '') {
      showEditError('Type a message, or use Delete to remove it.');
      return;
    }
    setBusy(true);
    const outcome = await runMutation<ChatMessage>(EDIT_CHAT, 'editChatMessage', {
      chatMessageId: props.message.id,
      body: draft(),
    });
    setBusy(false);
    if (outcome.data) {
      props.room.store.upsertMessage(outcome.data);
      stopEditing();
    } else {
      showEditError(outcome.issues?.[0]?.message ?? outcome.message ?? 'Saving the edit failed.');
    }
  };

  const remove = async () => {
    if (!window.confirm('Delete this message?')) {
      return;
    }
    setBusy(true);
    setError('');
    const outcome = await runMutation<ChatMessage>(DELETE_CHAT, 'deleteChatMessage', {
      chatMessageId: props.message.id,
    });
    setBusy(false);
    if (outcome.data) {
      props.room.store.upsertMessage(outcome.data);
      // The buttons are gone, so focus stays on the message instead of falling to the page.
      queueMicrotask(() => item?.focus());
    } else {
      setError(outcome.message ?? 'Deleting the message failed.');
    }
  };

  return (
    <li
      class="chat-message"
      classList={{ deleted: deleted(), own: props.message.author?.id === props.room.viewerId() }}
      data-testid="chat-message"
      data-sequence={props.message.sequence}
      tabindex="-1"
      ref={item}
    >
      <div class="chat-message-header">
        <strong>
          <Show when={props.message.author} fallback="Deleted user">
            {(author) => <ParticipantMenu room={props.room} person={author()} />}
          </Show>
        </strong>{' '}
        <time class="meta" datetime={props.message.createdAt}>
          {formatLocal(props.message.createdAt)}
        </time>
        <Show when={props.message.editedAt && !deleted()}>
          <span class="meta" data-testid="chat-edited">
            {' '}
            (edited)
          </span>
        </Show>
      </div>
      <Switch>
        <Match when={deleted()}>
          <p class="chat-removed" data-testid="chat-removed">
            {props.message.deletedByModerator
              ? 'This message was removed by a moderator.'
              : 'This message was deleted.'}
          </p>
        </Match>
        <Match when={editing()}>
          <form
            class="chat-edit"
            ref={editForm}
            novalidate
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
          >
            <label class="visually-hidden" for={`chat-edit-${props.message.id}`}>
              Edit your message
            </label>
            <textarea
              id={`chat-edit-${props.message.id}`}
              ref={editor}
              rows="2"
              required
              maxLength={props.room.settings.chatMessageMaxLength}
              value={draft()}
              aria-invalid={error() ? 'true' : undefined}
              aria-describedby={error() ? `chat-edit-error-${props.message.id}` : undefined}
              data-testid="chat-edit-body"
              onInput={(event) => setDraft(event.currentTarget.value)}
              onKeyDown={(event) => {
                if (event.key === 'Escape') {
                  event.preventDefault();
                  stopEditing();
                } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                  event.preventDefault();
                  event.currentTarget.form?.requestSubmit();
                }
              }}
            />
            <Show when={error()}>
              <p
                class="form-error"
                role="alert"
                id={`chat-edit-error-${props.message.id}`}
                data-testid="chat-edit-error"
              >
                {error()}
              </p>
            </Show>
            <div class="chat-edit-actions">
              <button type="submit" disabled={busy()} data-testid="chat-edit-save">
                Save
              </button>
              <button type="button" class="secondary" onClick={stopEditing}>
                Cancel
              </button>
              <span class="meta">Escape cancels.</span>
            </div>
          </form>
        </Match>
        <Match when={!deleted()}>
          <p class="chat-body">{props.message.body}</p>
        </Match>
      </Switch>
      <Show when={!deleted() && !editing() && (canEdit() || canDelete() || canReport())}>
        <div class="chat-message-actions">
          <Show when={canReport()}>
            <ReportButton
              subjectId={props.message.id}
              subjectLabel={`message from ${props.message.author?.displayName ?? 'a deleted user'}`}
            />
          </Show>
          <Show when={canEdit()}>
            <button
              type="button"
              class="link-button"
              ref={editButton}
              disabled={busy()}
              onClick={startEditing}
              data-testid="chat-edit"
            >
              Edit<span class="visually-hidden"> your message</span>
            </button>
          </Show>
          <Show when={canDelete()}>
            <button
              type="button"
              class="link-button danger"
              disabled={busy()}
              onClick={remove}
              data-testid="chat-delete"
            >
              Delete
              <span class="visually-hidden">
                {' '}
                the message from {props.message.author?.displayName ?? 'a deleted user'}
              </span>
            </button>
          </Show>
        </div>
      </Show>
      {/* Errors of an edit show in its form, beside the text box. */}
      <Show when={error() && !editing()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
    </li>
  );
}
