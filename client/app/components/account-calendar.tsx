import { createSignal, Show } from 'solid-js';
import { runMutationWithVariables } from '../lib/graphql.ts';

const RESET = `mutation ResetCalendarFeed { resetCalendarFeed {
  __typename ... on Error { message } ... on MutationResetCalendarFeedSuccess { data { url } } } }`;
const REVOKE = `mutation RevokeCalendarFeed { revokeCalendarFeed {
  __typename ... on Error { message } ... on MutationRevokeCalendarFeedSuccess { data } } }`;

/**
 * Makes, replaces and stops the person's private calendar feed. Its address is shown only when
 * made, since the server keeps just a hash of it.
 */
export function CalendarFeed() {
  const [url, setUrl] = createSignal('');
  const [message, setMessage] = createSignal('');
  const [busy, setBusy] = createSignal(false);

  const reset = async () => {
    setBusy(true);
    setMessage('');
    const outcome = await runMutationWithVariables<{ url: string }>(RESET, 'resetCalendarFeed', {});
    setBusy(false);
    if (outcome.data) {
      setUrl(outcome.data.url);
    } else {
      setMessage(`Making the address failed. ${outcome.message ?? ''}`);
    }
  };

  const revoke = async () => {
    setBusy(true);
    setMessage('');
    const outcome = await runMutationWithVariables<boolean>(REVOKE, 'revokeCalendarFeed', {});
    setBusy(false);
    if (outcome.message) {
      setMessage(`Stopping the feed failed. ${outcome.message}`);
      return;
    }
    setUrl('');
    setMessage(
      outcome.data ? 'The feed is stopped; its address no longer works.' : 'There was no feed.',
    );
  };

  return (
    <div class="calendar-feed">
      <p>
        Subscribe to your live sessions (those you answered Going or Maybe) in a calendar app.
        Anyone with the address can read the feed, so keep it to yourself; making a new one stops
        the old one.
      </p>
      <Show when={url()}>
        <label for="calendar-feed-url">Your calendar address, shown only now</label>
        <input
          id="calendar-feed-url"
          data-testid="calendar-feed-url"
          readonly
          value={url()}
          onFocus={(event) => event.currentTarget.select()}
        />
      </Show>
      <div class="actions">
        <button type="button" disabled={busy()} onClick={reset}>
          {url() ? 'Make another address' : 'Make a calendar address'}
        </button>
        <button type="button" class="secondary" disabled={busy()} onClick={revoke}>
          Stop the feed
        </button>
      </div>
      <Show when={message()}>
        <p role="status">{message()}</p>
      </Show>
    </div>
  );
}
