import { createSignal, Match, Show, Switch } from 'solid-js';
import { runMutation, runMutationWithVariables } from '../../lib/graphql.ts';
import { mutationDocument, mutationDocumentWith } from '../../lib/operations.ts';
import { pluralize } from '../../lib/plural.ts';
import { viewer } from '../../lib/session.ts';
import { isRoomOpen, type Room } from './room.ts';
import { CHAT_FIELDS, type ChatMessage } from './room-documents.ts';
import { createCountdown } from './timers.ts';

const SEND_CHAT = mutationDocument('sendChatMessage', 'SendChatMessageInput', CHAT_FIELDS);
const SEND_TYPING = mutationDocumentWith('sendTyping', { input: 'LiveSessionIdInput!' }, '');

/** Remaining characters from which the counter turns into a warning and is announced. */
const COUNTER_WARNING_AT = 100;

/**
 * Renders the chat's message box: Enter sends and Shift+Enter starts a new line, a counter
 * shows the length against the maximum, slow mode shows a countdown to the next message, and
 * typing sends `sendTyping` at most once per `typingIntervalSeconds`. A muted viewer, and anyone
 * who may not chat, gets a notice instead.
 */
export function ChatComposer(props: { room: Room; onSent: () => void }) {
  const settings = () => props.room.settings;
  const [body, setBody] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const [notice, setNotice] = createSignal('');
  // Milliseconds since the epoch until which slow mode delays the next message.
  const [heldUntil, setHeldUntil] = createSignal<number | null>(null);
  let lastTypingSentAt = 0;

  // NOTE: viewerNextChatAt is an instant on the server's clock, so a client clock that is off
  // shifts the countdown by as much. The server still enforces the wait and returns the
  // seconds left, which then restart the countdown.
  const nextChatAt = () => {
    const fromServer = settings().viewerNextChatAt;
    const fromServerMs = fromServer ? Date.parse(fromServer) : null;
    const local = heldUntil();
    if (fromServerMs === null || local === null) {
      return fromServerMs ?? local;
    }
    return Math.max(fromServerMs, local);
  };
  const waitSeconds = createCountdown(nextChatAt);
  const slowMode = () => settings().slowModeSeconds > 0 && !settings().viewerCanModerate;
  const remaining = () => settings().chatMessageMaxLength - body().length;

  const sendTyping = () => {
    const now = Date.now();
    if (now - lastTypingSentAt < settings().typingIntervalSeconds * 1000) {
      return;
    }
    lastTypingSentAt = now;
    void runMutationWithVariables(SEND_TYPING, 'sendTyping', {
      input: { liveSessionId: settings().id },
    });
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy() || waitSeconds() > 0) {
      return;
    }
    if (body().trim() === '') {
      setNotice('');
      setError('Type a message first: a blank message is not sent.');
      return;
    }
    setBusy(true);
    setError('');
    setNotice('');
    const outcome = await runMutation<ChatMessage>(SEND_CHAT, 'sendChatMessage', {
      liveSessionId: settings().id,
      body: body(),
    });
    setBusy(false);
    if (outcome.data) {
      props.room.store.upsertMessage(outcome.data);
      setBody('');
      lastTypingSentAt = 0;
      if (slowMode()) {
        setHeldUntil(Date.now() + settings().slowModeSeconds * 1000);
      }
      props.onSent();
    } else if (outcome.retryAfterSeconds !== undefined) {
      setHeldUntil(Date.now() + outcome.retryAfterSeconds * 1000);
      setNotice(
        `Slow mode is on, so your message is kept here: send it in ${pluralize(outcome.retryAfterSeconds, 'second')}.`,
      );
    } else {
      setError(outcome.issues?.[0]?.message ?? outcome.message ?? 'Sending the message failed.');
      if (outcome.typename === 'ForbiddenError') {
        // A mute or the end of the session may have happened since the page loaded.
        props.room.refreshSettings();
      }
    }
  };

  return (
    <Show when={settings().viewerCanChat} fallback={<ChatClosedNotice room={props.room} />}>
      <form class="chat-form" onSubmit={submit} novalidate>
        <label for="chat-message">Message</label>
        <textarea
          id="chat-message"
          name="chat-message"
          rows="2"
          autocomplete="off"
          required
          maxLength={settings().chatMessageMaxLength}
          value={body()}
          aria-describedby="chat-message-hint chat-message-counter"
          data-testid="chat-body"
          onInput={(event) => {
            setBody(event.currentTarget.value);
            setError('');
            if (event.currentTarget.value.trim() !== '') {
              sendTyping();
            }
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              event.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <div class="chat-form-footer">
          <span class="meta" id="chat-message-hint">
            Enter sends, Shift+Enter starts a new line.
          </span>
          <span
            class="char-counter"
            classList={{ warning: remaining() <= COUNTER_WARNING_AT }}
            id="chat-message-counter"
            data-testid="chat-counter"
            aria-live={remaining() <= COUNTER_WARNING_AT ? 'polite' : 'off'}
          >
            {body().length} / {settings().chatMessageMaxLength}
            <span class="visually-hidden"> characters</span>
          </span>
          <button type="submit" disabled={busy() || waitSeconds() > 0} data-testid="chat-submit">
            {busy() ? 'Sending…' : 'Send'}
          </button>
        </div>
        {/* Not a live region, because the countdown changes every second. */}
        <Show when={slowMode() || waitSeconds() > 0}>
          <p class="room-notice" data-testid="slow-mode-notice">
            <Show when={slowMode()}>
              Slow mode is on: one message every {pluralize(settings().slowModeSeconds, 'second')}.{' '}
            </Show>
            <Show when={waitSeconds() > 0}>
              You can send again in {pluralize(waitSeconds(), 'second')}.
            </Show>
          </p>
        </Show>
        <p class="visually-hidden" role="status">
          {notice()}
        </p>
        <Show when={error()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
      </form>
    </Show>
  );
}

/** Explains why the viewer cannot chat: muted, signed out, the session closed, or not a member. */
function ChatClosedNotice(props: { room: Room }) {
  return (
    <Switch>
      <Match when={props.room.settings.viewerIsMuted}>
        <p class="room-notice muted-notice" role="status" data-testid="muted-notice">
          A moderator muted you in this session. You can still read the chat and the questions.
        </p>
      </Match>
      <Match when={!viewer()}>
        <p class="meta">Sign in and join the community to chat.</p>
      </Match>
      <Match when={props.room.settings.status === 'CANCELLED'}>
        <p class="meta">The chat is closed because the session was cancelled.</p>
      </Match>
      <Match when={!isRoomOpen(props.room.settings)}>
        <p class="meta">The chat is closed because the session is over.</p>
      </Match>
      <Match when={true}>
        <p class="meta">Join this community to chat.</p>
      </Match>
    </Switch>
  );
}
