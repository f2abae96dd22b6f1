import { For, Show } from 'solid-js';
import { Empty } from '../status.tsx';
import { HandQueue } from './hands.tsx';
import { MutedList } from './host-controls.tsx';
import { ParticipantMenu } from './participant-menu.tsx';
import { isRoomOpen, type Room } from './room.ts';

/** Describes how many people are in the room, as "1 here now". */
export function describePresence(count: number): string {
  return `${count} here now`;
}

/**
 * Renders who is in the room now, kept current by PRESENCE signals, with a raised hand and a
 * mute marked. Moderators also get the raise-hand queue, a moderation menu per person, and the
 * muted list.
 */
export function PeoplePanel(props: { room: Room }) {
  const content = () => props.room.store.content;
  const isMuted = (id: string) => content().muted.some((person) => person.id === id);
  const hasHandUp = (id: string) => content().hands.some((hand) => hand.user.id === id);

  return (
    <section aria-labelledby="people-heading" class="people room-section">
      <h2 id="people-heading">People</h2>
      {/* Hands go down and mutes stop mattering once the session is over. */}
      <Show when={props.room.settings.viewerCanModerate && isRoomOpen(props.room.settings)}>
        <HandQueue room={props.room} />
      </Show>
      <h3>{describePresence(content().presentCount)}</h3>
      <Show when={content().present.length > 0} fallback={<Empty>Nobody is in the room.</Empty>}>
        <ul class="people-list" data-testid="present-list">
          <For each={content().present}>
            {(person) => (
              <li data-testid="present-person">
                <span>
                  <ParticipantMenu room={props.room} person={person} />
                  <Show when={person.id === props.room.viewerId()}>
                    <span class="meta"> (you)</span>
                  </Show>
                  <Show when={person.id === props.room.settings.host?.id}>
                    <span class="tag subtle">Host</span>
                  </Show>
                </span>
                <span class="person-markers">
                  <Show when={hasHandUp(person.id)}>
                    <span role="img" aria-label="hand raised">
                      ✋
                    </span>
                  </Show>
                  <Show when={isMuted(person.id)}>
                    <span class="tag">Muted</span>
                  </Show>
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
      {/* The list loads up to PRESENT_LIST_SIZE people, and the count covers everyone. */}
      <Show when={content().presentCount > content().present.length}>
        <p class="meta">
          Showing {content().present.length} of {content().presentCount}.
        </p>
      </Show>
      <Show when={props.room.settings.viewerCanModerate && isRoomOpen(props.room.settings)}>
        <MutedList room={props.room} />
      </Show>
    </section>
  );
}
