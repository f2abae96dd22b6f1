import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { client, describeError } from '../../lib/graphql.ts';
import { Empty } from '../status.tsx';
import { ChatComposer } from './chat-composer.tsx';
import { ChatMessageItem } from './chat-message.tsx';
import type { Room } from './room.ts';
import { type ChatPage, EARLIER_CHAT } from './room-documents.ts';
import { describeTypists } from './timers.ts';

/** Distance from the bottom, in pixels, within which the chat follows new messages. */
const FOLLOW_THRESHOLD_PX = 48;

/**
 * Renders the live room's chat: the messages in sequence order, earlier pages on request, who is
 * typing, and the message box. The list follows new messages unless the reader has scrolled up.
 */
export function ChatPanel(props: { room: Room; typists: string[]; visible: boolean }) {
  const messages = () => props.room.store.content.messages;
  const [loadingEarlier, setLoadingEarlier] = createSignal(false);
  const [earlierError, setEarlierError] = createSignal('');
  // The last note shown, kept while it fades out.
  const [typingNote, setTypingNote] = createSignal('');
  let list: HTMLOListElement | undefined;
  let following = true;

  // A hidden list has no height to scroll, so it catches up when its tab is shown again.
  createEffect(
    on([() => messages().at(-1)?.id, () => props.visible], () => {
      if (list && following && props.visible) {
        list.scrollTop = list.scrollHeight;
      }
    }),
  );

  createEffect(() => {
    const note = describeTypists(props.typists);
    if (note) {
      setTypingNote(note);
    }
  });

  const loadEarlier = async () => {
    const before = props.room.store.content.earlierCursor;
    if (!before) {
      return;
    }
    setLoadingEarlier(true);
    setEarlierError('');
    const result = await client
      .query<{ liveSession: { chatMessages: ChatPage } | null }>(EARLIER_CHAT, {
        id: props.room.settings.id,
        before,
      })
      .toPromise();
    setLoadingEarlier(false);
    const page = result.data?.liveSession?.chatMessages;
    if (result.error || !page) {
      setEarlierError(
        result.error ? describeError(result.error) : 'The live session was not found.',
      );
      return;
    }
    // Keeps the messages in view where they were, above the ones added on top.
    const fromBottom = list ? list.scrollHeight - list.scrollTop : 0;
    props.room.store.prependMessages(page);
    if (list) {
      list.scrollTop = list.scrollHeight - fromBottom;
    }
  };

  return (
    <section aria-labelledby="chat-heading" class="chat room-section">
      <h2 id="chat-heading">Chat</h2>
      <div class="chat-log" data-testid="chat-list">
        <ol
          class="chat-list"
          aria-label="Chat messages"
          ref={list}
          onScroll={(event) => {
            const target = event.currentTarget;
            following =
              target.scrollHeight - target.scrollTop - target.clientHeight < FOLLOW_THRESHOLD_PX;
          }}
        >
          <Show when={props.room.store.content.earlierCursor}>
            <li class="chat-earlier">
              <button
                type="button"
                class="link-button"
                disabled={loadingEarlier()}
                onClick={loadEarlier}
              >
                {loadingEarlier() ? 'Loading earlier messages…' : 'Show earlier messages'}
              </button>
              <Show when={earlierError()}>
                <span class="form-error" role="alert">
                  {earlierError()}
                </span>
              </Show>
            </li>
          </Show>
          <For each={messages()}>
            {(message) => <ChatMessageItem room={props.room} message={message} />}
          </For>
        </ol>
        <Show when={messages().length === 0}>
          <Empty>No messages yet.</Empty>
        </Show>
      </div>
      <p
        class="typing-indicator meta"
        classList={{ visible: props.typists.length > 0 }}
        aria-hidden={props.typists.length > 0 ? undefined : 'true'}
        data-testid="typing-indicator"
      >
        {typingNote()}
      </p>
      <ChatComposer
        room={props.room}
        onSent={() => {
          following = true;
        }}
      />
    </section>
  );
}
