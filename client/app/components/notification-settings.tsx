import { createSignal, For, Show } from 'solid-js';
import { runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';

export type NotificationDelivery = 'IN_APP' | 'EMAIL' | 'DAILY_DIGEST' | 'WEEKLY_DIGEST';

const CHOICES: { value: NotificationDelivery; label: string; hint: string }[] = [
  { value: 'IN_APP', label: 'In the app only', hint: 'No mail about notifications.' },
  { value: 'EMAIL', label: 'Email each one', hint: 'A mail for each new notification.' },
  {
    value: 'DAILY_DIGEST',
    label: 'Daily digest',
    hint: 'One mail a day with what you have not read, up to 20 items.',
  },
  {
    value: 'WEEKLY_DIGEST',
    label: 'Weekly digest',
    hint: 'One mail a week with what you have not read, up to 20 items.',
  },
];

/** Renders the choice of how notifications reach the viewer besides the app, saved on change. */
export function NotificationSettingsForm(props: {
  delivery: NotificationDelivery;
  onSaved: () => void;
}) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const [saved, setSaved] = createSignal('');

  const choose = async (delivery: NotificationDelivery) => {
    setBusy(true);
    setError('');
    setSaved('');
    const outcome = await runMutation(
      mutationDocument('updateNotificationSettings', 'UpdateNotificationSettingsInput', 'delivery'),
      'updateNotificationSettings',
      { delivery },
    );
    setBusy(false);
    if (!outcome.data) {
      setError(outcome.message ?? 'Saving failed. Try again.');
      return;
    }
    setSaved('Saved.');
    props.onSaved();
  };

  return (
    <fieldset class="notification-delivery" disabled={busy()}>
      <legend>Besides the app, send notifications</legend>
      <For each={CHOICES}>
        {(choice) => (
          <label class="choice">
            <input
              type="radio"
              name="notification-delivery"
              value={choice.value}
              checked={props.delivery === choice.value}
              onChange={() => void choose(choice.value)}
            />{' '}
            {choice.label} <span class="hint">{choice.hint}</span>
          </label>
        )}
      </For>
      <p class="hint">
        Mail goes to your address once it is verified. Every mail has links that mute a thread, a
        community or all mail in one click.
      </p>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
      <p class="meta" role="status">
        {saved()}
      </p>
    </fieldset>
  );
}
