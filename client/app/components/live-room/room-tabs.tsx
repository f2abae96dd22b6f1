import { createSignal, For, onCleanup } from 'solid-js';

export type RoomTab = 'chat' | 'questions' | 'people';

const TABS: RoomTab[] = ['chat', 'questions', 'people'];

/** The width below which the room shows one panel at a time; the client's phone breakpoint. */
const NARROW_QUERY = '(max-width: 48rem)';

/** Returns whether the window is narrow, such as a phone, following resizes and rotations. */
export function createNarrowScreen(): () => boolean {
  const query = window.matchMedia(NARROW_QUERY);
  const [narrow, setNarrow] = createSignal(query.matches);
  const onChange = (event: MediaQueryListEvent) => setNarrow(event.matches);
  query.addEventListener('change', onChange);
  onCleanup(() => query.removeEventListener('change', onChange));
  return narrow;
}

export function tabId(tab: RoomTab): string {
  return `room-tab-${tab}`;
}

export function panelId(tab: RoomTab): string {
  return `room-panel-${tab}`;
}

/**
 * Renders the tabs that switch between the room's panels on narrow screens. The arrow keys, Home
 * and End move between tabs and select them, and only the selected tab is in the Tab order.
 */
export function RoomTabs(props: {
  selected: RoomTab;
  onSelect: (tab: RoomTab) => void;
  labels: Record<RoomTab, string>;
}) {
  const buttons = new Map<RoomTab, HTMLButtonElement>();

  const move = (event: KeyboardEvent, current: RoomTab) => {
    const index = TABS.indexOf(current);
    const targets: Record<string, number> = {
      ArrowRight: (index + 1) % TABS.length,
      ArrowLeft: (index - 1 + TABS.length) % TABS.length,
      Home: 0,
      End: TABS.length - 1,
    };
    const target = TABS[targets[event.key] ?? -1];
    if (!target) {
      return;
    }
    event.preventDefault();
    props.onSelect(target);
    buttons.get(target)?.focus();
  };

  return (
    <div class="room-tabs" role="tablist" aria-label="Room">
      <For each={TABS}>
        {(tab) => (
          <button
            type="button"
            role="tab"
            id={tabId(tab)}
            ref={(element) => buttons.set(tab, element)}
            aria-selected={props.selected === tab ? 'true' : 'false'}
            aria-controls={panelId(tab)}
            tabindex={props.selected === tab ? 0 : -1}
            onClick={() => props.onSelect(tab)}
            onKeyDown={(event) => move(event, tab)}
          >
            {props.labels[tab]}
          </button>
        )}
      </For>
    </div>
  );
}
