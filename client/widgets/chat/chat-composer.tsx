import { WidgetSendChatMessage } from 'virtual:embed-operation-ids';
import { createSignal } from 'solid-js';
import type { Widget } from '../runtime/context.ts';
import { countOf } from '../runtime/format.ts';
import { runPersisted } from '../runtime/graphql.ts';
import type { ChatMessage } from './chat-messages.ts';

interface SendResult {
  sendChatMessage: {
    __typename: string;
    data?: ChatMessage;
    message?: string;
    issues?: { message: string; path: string[] }[];
  } | null;
}

/** Sends a chat message and returns it, or the sentence that explains why it was not sent. */
async function sendMessage(
  widget: Widget,
  liveSessionId: string,
  body: string,
): Promise<{ message?: ChatMessage; error?: string }> {
  const outcome = await runPersisted<SendResult>(
    widget.target(),
    { name: 'WidgetSendChatMessage', id: WidgetSendChatMessage },
    { input: { liveSessionId, body } },
  );
  if ('failure' in outcome) {
    switch (outcome.failure.kind) {
      case 'signed-out':
        widget.signIn().signOut();
        return { error: 'Your sign-in has ended, so the message was not sent. Sign in again.' };
      case 'turned-off':
        widget.markTurnedOff();
        return { error: 'The message was not sent: this widget has been turned off by its owner.' };
      case 'rejected':
        return { error: outcome.failure.message };
      default:
        // A failed request counts as not enabled whenever Staffroom's health check still responds,
        // so a dropped connection lands here too.
        return { error: 'The message could not be sent. Check your connection and try again.' };
    }
  }
  const result = outcome.data.sendChatMessage;
  if (result?.__typename.endsWith('Success') && result.data) {
    return { message: result.data };
  }
  const issues = result?.issues?.map((issue) => issue.message).join(' ');
  return { error: issues || result?.message || 'The message was not sent.' };
}

/**
 * Renders the chat's send box. Enter sends, Shift+Enter starts a new line, and a counter shows
 * the characters left. The server's error messages appear in a polite live region.
 */
export function ChatComposer(props: {
  widget: Widget;
  sessionId: string;
  maxLength: number;
  onSent: (message: ChatMessage) => void;
}) {
  const [body, setBody] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  let form: HTMLFormElement | undefined;
  let field: HTMLTextAreaElement | undefined;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) {
      return;
    }
    if (body().trim() === '') {
      setError('Type a message first: a blank message is not sent.');
      return;
    }
    setBusy(true);
    setError('');
    const result = await sendMessage(props.widget, props.sessionId, body());
    setBusy(false);
    if (result.message) {
      props.onSent(result.message);
      setBody('');
      field?.focus();
    } else {
      setError(result.error ?? '');
    }
  };

  return (
    <form class="composer" ref={form} onSubmit={(event) => void submit(event)}>
      <label for="chat-body">Message</label>
      <textarea
        id="chat-body"
        ref={field}
        rows="2"
        maxLength={props.maxLength}
        aria-describedby="chat-hint chat-count"
        value={body()}
        onInput={(event) => setBody(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            form?.requestSubmit();
          }
        }}
      />
      <div class="composer-row">
        <span class="muted" id="chat-hint">
          Enter sends; Shift+Enter starts a new line.
        </span>
        <span class="muted" id="chat-count">
          {countOf(props.maxLength - body().length, props.widget.locale(), 'character')} left
        </span>
        <button type="submit" class="primary" aria-disabled={busy() ? 'true' : undefined}>
          {busy() ? 'Sending…' : 'Send'}
        </button>
      </div>
      <p class="error" role="status" aria-live="polite">
        {error()}
      </p>
    </form>
  );
}
