import { createSignal, Show } from 'solid-js';
import { runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { viewer } from '../lib/session.ts';
import { ActionError } from './status.tsx';

/**
 * Renders "Block" or "Unblock" for a person other than the signed-in viewer. Blocking needs a
 * confirmation first, and a failure shows next to the button.
 */
export function BlockButton(props: {
  userId: string;
  displayName: string;
  blocked: boolean;
  /** Called with the new state once the server has it. */
  onChange: (blocked: boolean) => void;
  class?: string;
  /** Shows only "Block" or "Unblock", as in a reply's actions; the name stays in the label. */
  compact?: boolean;
}) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const toggle = async () => {
    const blocking = !props.blocked;
    if (
      blocking &&
      !window.confirm(
        `Block ${props.displayName}? Neither of you will see the other's threads, replies or chat messages.`,
      )
    ) {
      return;
    }
    const field = blocking ? 'blockPerson' : 'unblockPerson';
    setBusy(true);
    setError(null);
    const result = await runMutation(
      mutationDocument(field, 'BlockPersonInput', 'id viewerHasBlocked'),
      field,
      { userId: props.userId },
    );
    setBusy(false);
    if (result.data) {
      props.onChange(blocking);
    } else {
      setError(result.message ?? 'The change failed; try again.');
    }
  };

  return (
    <Show when={viewer() && viewer()?.id !== props.userId}>
      <button
        type="button"
        class={props.class ?? 'secondary'}
        disabled={busy()}
        aria-pressed={props.blocked ? 'true' : 'false'}
        aria-label={`${props.blocked ? 'Unblock' : 'Block'} ${props.displayName}`}
        data-testid="block-button"
        onClick={toggle}
      >
        {props.compact
          ? props.blocked
            ? 'Unblock'
            : 'Block'
          : `${props.blocked ? 'Unblock' : 'Block'} ${props.displayName}`}
      </button>
      <ActionError message={error() ?? ''} />
    </Show>
  );
}
