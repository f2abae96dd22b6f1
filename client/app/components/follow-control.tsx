import { createSignal, Show } from 'solid-js';
import { runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';

export type FollowState = 'FOLLOWING' | 'MUTED' | 'NONE';

const HINTS: Record<'thread' | 'community', Record<FollowState, string>> = {
  thread: {
    FOLLOWING: 'You are notified of every reply.',
    MUTED: 'You get no notifications from this thread, mentions included.',
    NONE: 'You are notified of replies to you and mentions.',
  },
  community: {
    FOLLOWING: 'You are notified of every new thread.',
    MUTED: 'You get no notifications from this community unless you follow a thread.',
    NONE: 'You are notified of replies to you and mentions.',
  },
};

/**
 * Renders Follow and Mute toggle buttons for a thread or community, with a line saying what the
 * current state means. Each button shows its state through aria-pressed.
 */
export function FollowControl(props: {
  targetId: string;
  kind: 'thread' | 'community';
  state: FollowState;
  onChanged: () => void;
}) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const set = async (state: FollowState) => {
    setBusy(true);
    setError('');
    const outcome = await runMutation(
      mutationDocument('setFollow', 'SetFollowInput', 'state'),
      'setFollow',
      { targetId: props.targetId, state },
    );
    setBusy(false);
    if (!outcome.data) {
      setError(outcome.message ?? 'Saving the choice failed. Try again.');
      return;
    }
    props.onChanged();
  };
  const following = () => props.state === 'FOLLOWING';
  const muted = () => props.state === 'MUTED';

  return (
    <fieldset class="follow-control">
      <legend class="visually-hidden">Notifications for this {props.kind}</legend>
      <button
        type="button"
        class="secondary"
        aria-pressed={following()}
        disabled={busy()}
        data-testid={`${props.kind}-follow`}
        onClick={() => void set(following() ? 'NONE' : 'FOLLOWING')}
      >
        {following() ? 'Following' : 'Follow'}
      </button>
      <button
        type="button"
        class="secondary"
        aria-pressed={muted()}
        disabled={busy()}
        data-testid={`${props.kind}-mute`}
        onClick={() => void set(muted() ? 'NONE' : 'MUTED')}
      >
        {muted() ? 'Muted' : 'Mute'}
      </button>
      <span class="meta">{HINTS[props.kind][props.state]}</span>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
    </fieldset>
  );
}
