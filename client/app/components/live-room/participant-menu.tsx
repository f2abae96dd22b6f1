import { createEffect, createSignal, onCleanup, Show } from 'solid-js';
import { canMute, lowerHand, type Room, setMuted } from './room.ts';
import type { Person } from './room-documents.ts';

let nextMenuId = 0;

/**
 * Renders a person's name as a button that opens the moderator's actions on them: mute or
 * unmute, and lower their hand. Escape or a click elsewhere closes it, and focus returns to the
 * name. For anyone else, or for people who cannot be muted, it renders the plain name.
 */
export function ParticipantMenu(props: { room: Room; person: Person }) {
  const [open, setOpen] = createSignal(false);
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  let trigger: HTMLButtonElement | undefined;
  let container: HTMLSpanElement | undefined;
  nextMenuId += 1;
  const menuId = `participant-menu-${nextMenuId}`;

  const muted = () => props.room.store.content.muted.some((entry) => entry.id === props.person.id);
  const handRaised = () =>
    props.room.store.content.hands.some((hand) => hand.user.id === props.person.id);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) {
      trigger?.focus();
    }
  };

  const onDocumentClick = (event: MouseEvent) => {
    if (open() && container && !container.contains(event.target as Node)) {
      close(false);
    }
  };
  const onDocumentKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && open() && container?.contains(document.activeElement)) {
      event.stopPropagation();
      close(true);
    }
  };
  // Listening only while open, since every chat message by someone else has a menu.
  createEffect(() => {
    if (!open()) {
      return;
    }
    document.addEventListener('click', onDocumentClick);
    document.addEventListener('keydown', onDocumentKeyDown);
    onCleanup(() => {
      document.removeEventListener('click', onDocumentClick);
      document.removeEventListener('keydown', onDocumentKeyDown);
    });
  });

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setError('');
    const message = await action();
    setBusy(false);
    setError(message);
    if (!message) {
      close(true);
    }
  };

  return (
    <Show
      when={canMute(props.room, props.person)}
      fallback={<span>{props.person.displayName}</span>}
    >
      <span class="participant-menu" ref={container}>
        <button
          type="button"
          class="link-button participant-name"
          ref={trigger}
          aria-expanded={open() ? 'true' : 'false'}
          aria-controls={menuId}
          onClick={() => setOpen(!open())}
        >
          {props.person.displayName}
          <span class="visually-hidden">: moderation options</span>
        </button>
        <Show when={open()}>
          <span class="participant-actions" id={menuId}>
            <button
              type="button"
              class="secondary"
              disabled={busy()}
              data-testid="toggle-mute"
              onClick={() => run(() => setMuted(props.room, props.person, !muted()))}
            >
              {muted() ? 'Unmute' : 'Mute in this session'}
            </button>
            <Show when={handRaised()}>
              <button
                type="button"
                class="secondary"
                disabled={busy()}
                onClick={() => run(() => lowerHand(props.room, props.person))}
              >
                Lower hand
              </button>
            </Show>
            <Show when={error()}>
              <span class="form-error" role="alert">
                {error()}
              </span>
            </Show>
          </span>
        </Show>
      </span>
    </Show>
  );
}
