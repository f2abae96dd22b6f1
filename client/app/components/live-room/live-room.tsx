import { createEffect, createSignal, type JSX, Match, on, Show, Switch, untrack } from 'solid-js';
import { client, connectionState, describeError, refetchOnReconnect } from '../../lib/graphql.ts';
import { viewer } from '../../lib/session.ts';
import { LiveRegion } from '../live-region.tsx';
import { ErrorState, Loading } from '../status.tsx';
import { ChatPanel } from './chat-panel.tsx';
import { canRaiseHand, HandToggle } from './hands.tsx';
import { HostControls } from './host-controls.tsx';
import { describePresence, PeoplePanel } from './people-panel.tsx';
import { createPresenceHeartbeat } from './presence-heartbeat.ts';
import { QuestionsPanel } from './questions-panel.tsx';
import { createReactionFloats, ReactionBar, ReactionFloats } from './reactions.tsx';
import { isRoomOpen, type Room } from './room.ts';
import {
  type PresenceData,
  ROOM_CONTENT,
  ROOM_PRESENCE,
  type RoomContentData,
  type RoomSettings,
} from './room-documents.ts';
import { createRoomFeed } from './room-feed.ts';
import { createRoomStore } from './room-store.ts';
import { createNarrowScreen, panelId, type RoomTab, RoomTabs, tabId } from './room-tabs.tsx';
import { createTypingTracker } from './timers.ts';
import './live-room.css';

type LoadState = 'loading' | 'ready' | 'error';

/**
 * Renders a live session's room: chat, Q&A, raised hands, reactions, who is here, and the host's
 * controls. It loads the room's content once, then patches it from the session's events, each
 * applied once, and from passing signals. `settings` comes from the page's query, which
 * `refreshSettings` reloads when the status, slow mode or the viewer's mute changes. Mount one
 * room per session and viewer: the event cursor is read once, when the room mounts.
 */
export function LiveRoom(props: {
  settings: RoomSettings;
  refreshSettings: () => void;
  focusStatus: () => void;
}) {
  const liveSessionId = untrack(() => props.settings.id);
  const cursor = untrack(() => props.settings.eventCursor);
  const store = createRoomStore();
  const typing = createTypingTracker();
  const reactions = createReactionFloats();
  const narrow = createNarrowScreen();
  const [tab, setTab] = createSignal<RoomTab>('chat');
  const [loadState, setLoadState] = createSignal<LoadState>('loading');
  const [loadError, setLoadError] = createSignal('');
  const [announcement, setAnnouncement] = createSignal('');

  const announce = (message: string) => {
    // Clearing first makes a screen reader read a message equal to the previous one again.
    setAnnouncement('');
    queueMicrotask(() => setAnnouncement(message));
  };

  const room: Room = {
    get settings() {
      return props.settings;
    },
    store,
    viewerId: () => viewer()?.id,
    refreshSettings: () => props.refreshSettings(),
    announce,
    focusStatus: () => props.focusStatus(),
  };

  const load = async () => {
    setLoadState('loading');
    const result = await client
      .query<RoomContentData>(ROOM_CONTENT, { id: liveSessionId })
      .toPromise();
    const content = result.data?.liveSession;
    if (result.error || !content) {
      setLoadError(
        result.error
          ? describeError(result.error)
          : 'This live session was not found, or you no longer have access to it.',
      );
      setLoadState('error');
      return;
    }
    store.seed(content);
    setLoadState('ready');
  };
  void load();

  const refreshPresence = async () => {
    const result = await client
      .query<{ liveSession: (PresenceData & { id: string }) | null }>(ROOM_PRESENCE, {
        id: liveSessionId,
      })
      .toPromise();
    if (result.data?.liveSession) {
      store.replacePresence(result.data.liveSession);
    }
  };

  const feed = createRoomFeed({
    liveSessionId,
    cursor,
    enabled: () => loadState() === 'ready',
    store,
    viewerId: room.viewerId,
    viewerCanModerate: () => props.settings.viewerCanModerate,
    onSettingsChanged: room.refreshSettings,
    announce,
    onTyping: (signal) => typing.add({ id: signal.userId, displayName: signal.displayName }),
    onReaction: (signal) => {
      if (signal.emoji) {
        reactions.add(signal.emoji, signal.displayName);
      }
    },
    onMessageFrom: typing.remove,
  });

  createPresenceHeartbeat({
    liveSessionId,
    active: () => loadState() === 'ready' && viewer() !== null && isRoomOpen(props.settings),
    onCount: store.setPresentCount,
    onJoined: () => void refreshPresence(),
  });
  // Presence signals are not replayed, so the list is reloaded after an outage or a status change.
  refetchOnReconnect(() => void refreshPresence());
  createEffect(
    on(
      () => props.settings.status,
      () => void refreshPresence(),
      { defer: true },
    ),
  );

  const openQuestions = () =>
    store.content.questions.filter((question) => question.status === 'OPEN').length;
  const tabLabels = () => ({
    chat: 'Chat',
    questions: `Q&A (${openQuestions()})`,
    people: `People (${store.content.presentCount})`,
  });

  return (
    <section class="live-room" aria-label="Live room" data-testid="live-room">
      <LiveRegion message={announcement()} testId="live-room-announcer" />
      <Show
        when={
          isRoomOpen(props.settings) &&
          (props.settings.viewerCanManage || props.settings.viewerCanModerate)
        }
      >
        <HostControls room={room} />
      </Show>
      <Switch>
        <Match when={loadState() === 'loading'}>
          <Loading label="Loading the room…" />
        </Match>
        <Match when={loadState() === 'error'}>
          <ErrorState message={loadError()} onRetry={load} />
        </Match>
        <Match when={loadState() === 'ready'}>
          <div class="room-toolbar">
            {/* Nobody is present once the session is over, so the count would only be stale. */}
            <Show when={isRoomOpen(props.settings)}>
              <p class="room-presence" data-testid="present-count">
                <Show when={store.content.presentCount > 0}>
                  <span class="presence-dot" aria-hidden="true" />
                </Show>
                {describePresence(store.content.presentCount)}
              </p>
            </Show>
            <Show when={connectionState() === 'reconnecting'}>
              <p class="room-connection" role="status" data-testid="room-reconnecting">
                <span class="spinner" aria-hidden="true" /> Reconnecting…
              </p>
            </Show>
            <Show when={canRaiseHand(room)}>
              <HandToggle room={room} />
            </Show>
            <Show when={props.settings.status === 'LIVE' && props.settings.viewerCanChat}>
              <ReactionBar room={room} />
            </Show>
          </div>
          <Show when={feed.failure()}>
            {(message) => (
              <div class="refresh-error" role="status">
                <span>Live updates stopped: {message()}</span>
                <button type="button" class="link-button" onClick={feed.retry}>
                  Reconnect
                </button>
              </div>
            )}
          </Show>
          <Show when={narrow()}>
            <RoomTabs selected={tab()} onSelect={setTab} labels={tabLabels()} />
          </Show>
          <div class="room-panels">
            <RoomPanel tab="chat" selected={tab()} narrow={narrow()}>
              <ChatPanel
                room={room}
                typists={typing.typists().map((typist) => typist.displayName)}
                visible={!narrow() || tab() === 'chat'}
              />
            </RoomPanel>
            <RoomPanel tab="questions" selected={tab()} narrow={narrow()}>
              <QuestionsPanel room={room} />
            </RoomPanel>
            <RoomPanel tab="people" selected={tab()} narrow={narrow()}>
              <PeoplePanel room={room} />
            </RoomPanel>
          </div>
          <ReactionFloats floating={reactions.floating()} />
        </Match>
      </Switch>
    </section>
  );
}

/**
 * Wraps one of the room's panels: a tab panel on narrow screens, hidden unless selected, and a
 * column of the grid on wider ones. Hidden panels stay mounted, so drafts and scroll positions
 * survive a switch.
 */
function RoomPanel(props: {
  tab: RoomTab;
  selected: RoomTab;
  narrow: boolean;
  children: JSX.Element;
}) {
  return (
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: the div is a tabpanel whenever it has aria-labelledby.
    <div
      class={`room-panel room-panel-${props.tab}`}
      id={panelId(props.tab)}
      role={props.narrow ? 'tabpanel' : undefined}
      aria-labelledby={props.narrow ? tabId(props.tab) : undefined}
      hidden={props.narrow && props.selected !== props.tab}
    >
      {props.children}
    </div>
  );
}
