import { createSignal, For, onCleanup, Show } from 'solid-js';
import { runMutationWithVariables } from '../../lib/graphql.ts';
import { mutationDocumentWith } from '../../lib/operations.ts';
import { pluralize } from '../../lib/plural.ts';
import type { Room } from './room.ts';
import { createCountdown } from './timers.ts';

const SEND_REACTION = mutationDocumentWith('sendReaction', { input: 'SendReactionInput!' }, '');

/** How long a reaction floats on screen; matches the animation in live-room.css. */
const FLOAT_MS = 2600;
/** Reactions on screen at once; older ones give way when a crowd reacts together. */
const MAX_FLOATING = 24;

interface FloatingReaction {
  key: number;
  emoji: string;
  displayName: string;
  /** Horizontal position, in percent of the window's width. */
  left: number;
}

/** Creates the list of reactions floating on screen, each removed after a moment. */
export function createReactionFloats() {
  const [floating, setFloating] = createSignal<FloatingReaction[]>([]);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let nextKey = 0;
  onCleanup(() => {
    for (const timer of timers) {
      clearTimeout(timer);
    }
  });
  return {
    floating,
    add: (emoji: string, displayName: string) => {
      nextKey += 1;
      const entry = { key: nextKey, emoji, displayName, left: 10 + Math.random() * 80 };
      setFloating((current) => [...current.slice(-(MAX_FLOATING - 1)), entry]);
      const timer = setTimeout(() => {
        timers.delete(timer);
        setFloating((current) => current.filter((item) => item.key !== entry.key));
      }, FLOAT_MS);
      timers.add(timer);
    },
  };
}

/**
 * Renders reactions floating up from the bottom of the window. People who prefer reduced motion see them
 * appear in place and fade, without the movement (see live-room.css).
 */
export function ReactionFloats(props: { floating: FloatingReaction[] }) {
  return (
    <div class="reaction-floats" aria-hidden="true">
      <For each={props.floating}>
        {(reaction) => (
          <span
            class="reaction-float"
            style={{ left: `${reaction.left}%` }}
            title={reaction.displayName}
            data-testid="reaction-float"
          >
            {reaction.emoji}
          </span>
        )}
      </For>
    </div>
  );
}

/** Renders the quick reaction buttons, and a polite note while the rate limit pauses them. */
export function ReactionBar(props: { room: Room }) {
  const [heldUntil, setHeldUntil] = createSignal<number | null>(null);
  const [pausedSeconds, setPausedSeconds] = createSignal(0);
  const [error, setError] = createSignal('');
  const waitSeconds = createCountdown(heldUntil);

  const send = async (emoji: string) => {
    setError('');
    const outcome = await runMutationWithVariables(SEND_REACTION, 'sendReaction', {
      input: { liveSessionId: props.room.settings.id, emoji },
    });
    if (outcome.retryAfterSeconds !== undefined) {
      setPausedSeconds(outcome.retryAfterSeconds);
      setHeldUntil(Date.now() + outcome.retryAfterSeconds * 1000);
    } else if (outcome.message) {
      setError(outcome.message);
    }
  };

  return (
    <div class="reaction-bar">
      <fieldset class="reaction-buttons">
        <legend class="visually-hidden">Send a reaction</legend>
        <For each={props.room.settings.reactionEmojis}>
          {(emoji) => (
            <button
              type="button"
              class="reaction"
              disabled={waitSeconds() > 0}
              data-testid="reaction-button"
              onClick={() => send(emoji)}
            >
              {emoji}
            </button>
          )}
        </For>
      </fieldset>
      {/* The note names the wait once, since a live region that ticks would be read each second. */}
      <p class="meta reaction-limit" role="status" data-testid="reaction-limit">
        <Show when={waitSeconds() > 0}>
          That is a lot of reactions at once, so they pause for{' '}
          {pluralize(pausedSeconds(), 'second')}.
        </Show>
      </p>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
    </div>
  );
}
