import { createSignal, For, Show } from 'solid-js';
import { runMutation } from '../../lib/graphql.ts';
import { mutationDocument } from '../../lib/operations.ts';
import { viewer } from '../../lib/session.ts';
import { formatRelative } from '../../lib/time.ts';
import { Empty } from '../status.tsx';
import { lowerHand, type Room } from './room.ts';
import type { Person } from './room-documents.ts';

const RAISE = mutationDocument('raiseHand', 'LiveSessionIdInput', 'id');

/** Reports whether the viewer may raise a hand: a participant who may chat, while it is live. */
export function canRaiseHand(room: Room): boolean {
  const settings = room.settings;
  return settings.status === 'LIVE' && settings.viewerCanChat && !settings.viewerCanModerate;
}

/**
 * Renders the viewer's button that raises or lowers their hand. It stays the same element, and
 * enabled while busy, so that keyboard focus stays on it.
 */
export function HandToggle(props: { room: Room }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const raised = () => props.room.store.content.viewerHandRaised;

  const toggle = async () => {
    const viewerId = props.room.viewerId();
    if (!viewerId || busy()) {
      return;
    }
    setBusy(true);
    setError('');
    const self = { id: viewerId, displayName: viewer()?.displayName ?? '' };
    if (raised()) {
      setError(await lowerHand(props.room, self));
    } else {
      const outcome = await runMutation(RAISE, 'raiseHand', {
        liveSessionId: props.room.settings.id,
      });
      if (outcome.message) {
        setError(outcome.message);
      } else {
        props.room.store.setHand(self, true, viewerId);
      }
    }
    setBusy(false);
  };

  return (
    <div class="hand-toggle">
      <button
        type="button"
        class="secondary"
        aria-disabled={busy() ? 'true' : undefined}
        data-testid="raise-hand"
        onClick={toggle}
      >
        <span aria-hidden="true">✋ </span>
        {raised() ? 'Lower hand' : 'Raise hand'}
      </button>
      <Show when={raised()}>
        <span class="meta">Your hand is up.</span>
      </Show>
      <Show when={error()}>
        <span class="form-error" role="alert">
          {error()}
        </span>
      </Show>
    </div>
  );
}

/** Renders the raise-hand queue for moderators, oldest first, with a Lower button per person. */
export function HandQueue(props: { room: Room }) {
  const [error, setError] = createSignal('');
  const hands = () => props.room.store.content.hands;
  let heading: HTMLHeadingElement | undefined;
  let list: HTMLOListElement | undefined;

  // The lowered entry disappears with its button, so focus moves to the entry now in its place,
  // the last one, or the heading when the queue is empty.
  const lower = async (person: Person, index: number) => {
    setError(await lowerHand(props.room, person));
    // The list leaves the page once the queue is empty, with its old buttons still inside.
    const buttons = list?.isConnected ? list.querySelectorAll('button') : [];
    const next = buttons[Math.min(index, buttons.length - 1)];
    if (document.activeElement === document.body || !document.activeElement?.isConnected) {
      (next ?? heading)?.focus();
    }
  };

  return (
    <section aria-labelledby="hand-queue-heading" class="hand-queue">
      <h3 id="hand-queue-heading" tabindex="-1" ref={heading}>
        Raised hands ({hands().length})
      </h3>
      <Show when={hands().length > 0} fallback={<Empty>No hands up.</Empty>}>
        <ol class="people-list" data-testid="hand-queue" ref={list}>
          <For each={hands()}>
            {(hand, index) => (
              <li data-testid="hand-queue-entry">
                <span>
                  <span aria-hidden="true">✋ </span>
                  {hand.user.displayName}{' '}
                  <time class="meta" datetime={hand.raisedAt}>
                    {formatRelative(hand.raisedAt)}
                  </time>
                </span>
                <button type="button" class="secondary" onClick={() => lower(hand.user, index())}>
                  Lower<span class="visually-hidden"> {hand.user.displayName}’s hand</span>
                </button>
              </li>
            )}
          </For>
        </ol>
      </Show>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
    </section>
  );
}
