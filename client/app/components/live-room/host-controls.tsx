import { createSignal, For, Show } from 'solid-js';
import { runMutation } from '../../lib/graphql.ts';
import { mutationDocument } from '../../lib/operations.ts';
import { ActionError, Empty } from '../status.tsx';
import { isRoomOpen, type Room, setMuted } from './room.ts';

/** The slow mode choices offered, in seconds; 0 turns it off. */
const SLOW_MODE_CHOICES = [0, 10, 30, 60, 120];

function describeSlowMode(seconds: number): string {
  return seconds === 0 ? 'Off' : `${seconds} s`;
}

/**
 * Renders the host's and facilitators' controls: start, cancel or end the session, and slow
 * mode for the chat.
 */
export function HostControls(props: { room: Room }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  // Set while Start runs, so that focus moves to End session once the room goes live.
  let focusEndButton = false;
  const settings = () => props.room.settings;
  // A value set elsewhere, such as 45 through the API, stays selectable.
  const slowModeChoices = () =>
    SLOW_MODE_CHOICES.includes(settings().slowModeSeconds)
      ? SLOW_MODE_CHOICES
      : [...SLOW_MODE_CHOICES, settings().slowModeSeconds].sort((a, b) => a - b);

  /** Runs a host action and returns whether it succeeded. */
  const run = async (field: string, inputType: string, input: Record<string, unknown>) => {
    setBusy(true);
    setError('');
    const outcome = await runMutation(mutationDocument(field, inputType, 'id'), field, input);
    setBusy(false);
    setError(outcome.message ?? '');
    props.room.refreshSettings();
    return !outcome.message;
  };
  // The buttons stay enabled while busy, because disabling the focused button would drop focus
  // to the page; a click while busy does nothing instead.
  const changeStatus = async (field: string, confirmation?: string) => {
    if (busy() || (confirmation && !window.confirm(confirmation))) {
      return;
    }
    // Set before the request, since the room's status event may arrive before its response.
    focusEndButton = field === 'startLiveSession';
    const succeeded = await run(field, 'LiveSessionIdInput', { liveSessionId: settings().id });
    if (!succeeded) {
      focusEndButton = false;
    } else if (field !== 'startLiveSession') {
      // Ending or cancelling removes these controls, so focus goes to the status line.
      props.room.focusStatus();
    }
  };

  return (
    <section aria-labelledby="host-controls-heading" class="host-controls">
      <h2 id="host-controls-heading" class="visually-hidden">
        Host controls
      </h2>
      <div class="actions">
        <Show when={settings().viewerCanManage && settings().status === 'SCHEDULED'}>
          <button
            type="button"
            aria-disabled={busy() ? 'true' : undefined}
            onClick={() => changeStatus('startLiveSession')}
          >
            Start session
          </button>
          <button
            type="button"
            class="secondary danger"
            aria-disabled={busy() ? 'true' : undefined}
            onClick={() => changeStatus('cancelLiveSession', 'Cancel this live session?')}
          >
            Cancel session
          </button>
        </Show>
        <Show when={settings().viewerCanManage && settings().status === 'LIVE'}>
          <button
            type="button"
            aria-disabled={busy() ? 'true' : undefined}
            ref={(button) => {
              if (focusEndButton) {
                focusEndButton = false;
                queueMicrotask(() => button.focus());
              }
            }}
            onClick={() => changeStatus('endLiveSession', 'End this live session for everyone?')}
          >
            End session
          </button>
        </Show>
        <Show when={settings().viewerCanModerate && isRoomOpen(settings())}>
          <label class="inline-select">
            Slow mode
            <select
              data-testid="slow-mode"
              onChange={(event) =>
                run('setChatSlowMode', 'SetChatSlowModeInput', {
                  liveSessionId: settings().id,
                  seconds: Number(event.currentTarget.value),
                })
              }
            >
              <For each={slowModeChoices()}>
                {(seconds) => (
                  <option value={seconds} selected={seconds === settings().slowModeSeconds}>
                    {describeSlowMode(seconds)}
                  </option>
                )}
              </For>
            </select>
          </label>
        </Show>
      </div>
      <ActionError message={error()} />
    </section>
  );
}

/** Renders the people muted in the session, for moderators, with an Unmute button each. */
export function MutedList(props: { room: Room }) {
  const [error, setError] = createSignal('');
  const muted = () => props.room.store.content.muted;
  return (
    <section aria-labelledby="muted-heading" class="muted-people">
      <h3 id="muted-heading">Muted ({muted().length})</h3>
      <Show when={muted().length > 0} fallback={<Empty>Nobody is muted.</Empty>}>
        <ul class="people-list" data-testid="muted-list">
          <For each={muted()}>
            {(person) => (
              <li>
                <span>{person.displayName}</span>
                <button
                  type="button"
                  class="secondary"
                  onClick={async () => setError(await setMuted(props.room, person, false))}
                >
                  Unmute<span class="visually-hidden"> {person.displayName}</span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <ActionError message={error()} />
    </section>
  );
}
