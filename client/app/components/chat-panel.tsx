import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { viewer } from '../lib/session.ts';
import { createSubmission } from '../lib/submission.ts';
import { formatLocal } from '../lib/time.ts';
import { Field, FormMessage } from './field.tsx';
import { Empty } from './status.tsx';

export interface ChatMessage {
  id: string;
  body: string;
  createdAt: string;
  author: { displayName: string } | null;
}

/** Distance from the bottom, in pixels, within which the chat follows new messages. */
const FOLLOW_THRESHOLD_PX = 48;

/**
 * Renders a live session's chat: the messages, oldest first, and the message box. The list follows
 * new messages unless the reader has scrolled up to read older ones.
 */
export function ChatPanel(props: {
  liveSessionId: string;
  messages: ChatMessage[];
  viewerCanChat: boolean;
}) {
  const [message, setMessage] = createSignal('');
  const submission = createSubmission(['body']);
  let list: HTMLOListElement | undefined;
  let following = true;

  createEffect(
    on(
      () => props.messages.length,
      () => {
        if (list && following) {
          list.scrollTop = list.scrollHeight;
        }
      },
    ),
  );

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await submission.submit(() =>
      runMutation(
        mutationDocument('sendChatMessage', 'SendChatMessageInput', 'id'),
        'sendChatMessage',
        { liveSessionId: props.liveSessionId, body: message() },
      ),
    );
    if (result.data) {
      setMessage('');
      following = true;
    }
  };

  return (
    <section aria-labelledby="chat-heading" class="chat">
      <h2 id="chat-heading">Live chat</h2>
      <div class="chat-log" data-testid="chat-list">
        <ol
          class="chat-list"
          ref={list}
          onScroll={(event) => {
            const target = event.currentTarget;
            following =
              target.scrollHeight - target.scrollTop - target.clientHeight < FOLLOW_THRESHOLD_PX;
          }}
        >
          <For each={props.messages}>
            {(entry) => (
              <li>
                <strong>{entry.author?.displayName ?? 'Deleted user'}</strong>{' '}
                <time class="meta" datetime={entry.createdAt}>
                  {formatLocal(entry.createdAt)}
                </time>
                <p>{entry.body}</p>
              </li>
            )}
          </For>
        </ol>
        <Show when={props.messages.length === 0}>
          <Empty>No messages yet.</Empty>
        </Show>
      </div>
      <Show
        when={props.viewerCanChat}
        fallback={
          <p class="meta">
            {viewer()
              ? 'Chat is open to members while the session is scheduled or live.'
              : 'Sign in and join the community to chat.'}
          </p>
        }
      >
        <form class="chat-form" onSubmit={submit}>
          <Field
            label="Message"
            name="chat-message"
            maxLength={2000}
            autocomplete="off"
            required
            value={message()}
            onValue={setMessage}
            error={submission.issue('body')}
            data-testid="chat-body"
          />
          <FormMessage error={submission.formError()} />
          <button type="submit" disabled={submission.busy()} data-testid="chat-submit">
            {submission.busy() ? 'Sending…' : 'Send'}
          </button>
        </form>
      </Show>
    </section>
  );
}
