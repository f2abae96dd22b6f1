import { WidgetLiveChat, WidgetLiveChatEvents } from 'virtual:embed-operation-ids';
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { createWidget, type Widget, type WidgetProps } from '../runtime/context.ts';
import { defineWidget } from '../runtime/define.tsx';
import { formatDateTime, parseItems } from '../runtime/format.ts';
import { createLiveUpdates } from '../runtime/live-updates.ts';
import { createPersistedQuery } from '../runtime/query.ts';
import { WidgetShell } from '../runtime/shell.tsx';
import css from './chat.css?inline';
import { ChatComposer } from './chat-composer.tsx';
import { applyChatEvent, type ChatMessage, mergeLoadedMessages } from './chat-messages.ts';

type SessionStatus = 'SCHEDULED' | 'LIVE' | 'ENDED' | 'CANCELLED';

/** The room's state that events change, besides its messages. */
export interface RoomState {
  status: SessionStatus;
  viewerCanChat: boolean;
  viewerIsMuted: boolean;
}

interface ChatData {
  liveSession: {
    id: string;
    title: string;
    status: SessionStatus;
    startsAt: string;
    endsAt: string;
    timeZone: string;
    eventCursor: string;
    chatMessageMaxLength: number;
    viewerCanChat: boolean;
    viewerIsMuted: boolean;
    community: { id: string; slug: string; name: string };
    chatMessages: { nodes: ChatMessage[] };
  } | null;
}

interface ChatEvent {
  type: string;
  chatMessage: ChatMessage | null;
  liveSession: { id: string } & RoomState;
}

const STATUS_ANNOUNCEMENTS: Record<SessionStatus, string> = {
  SCHEDULED: 'The session is scheduled.',
  LIVE: 'The session is live now.',
  ENDED: 'The session has ended.',
  CANCELLED: 'The session was cancelled.',
};

/** The chat's header label for a session that is not live, in place of the green "Live". */
const STATUS_LABELS: Record<Exclude<SessionStatus, 'LIVE'>, string> = {
  SCHEDULED: 'Scheduled',
  ENDED: 'Ended',
  CANCELLED: 'Cancelled',
};

/** `<staffroom-chat>`: a live session's chat, read-only unless signed in as someone who may chat. */
function Chat(props: WidgetProps) {
  const widget = createWidget(props);
  const sessionId = () => (props.session ?? '').trim();
  const limit = () => parseItems(props.items, 30, 1, 100);
  const query = createPersistedQuery<ChatData>(widget, () =>
    widget.key() && sessionId()
      ? {
          operation: { name: 'WidgetLiveChat', id: WidgetLiveChat },
          // NOTE: only the newest `items` messages load; earlier ones cannot be paged in.
          variables: { id: sessionId(), last: limit() },
        }
      : null,
  );
  const session = () => query.data()?.liveSession;
  const [messages, setMessages] = createSignal<ChatMessage[]>([]);
  const [room, setRoom] = createSignal<RoomState>();

  createEffect(on(sessionId, () => setMessages([])));
  createEffect(
    on(query.version, () => {
      const loaded = session();
      if (!loaded) {
        return;
      }
      const nodes = loaded.chatMessages.nodes.map((message) => ({ ...message }));
      setMessages((shown) => mergeLoadedMessages(shown, nodes, limit()));
      setRoom({
        status: loaded.status,
        viewerCanChat: loaded.viewerCanChat,
        viewerIsMuted: loaded.viewerIsMuted,
      });
    }),
  );

  const applyEvent = (data: Record<string, unknown>) => {
    const event = data.liveSessionEvents as ChatEvent | undefined;
    if (!event) {
      return;
    }
    const before = room();
    const { status, viewerCanChat, viewerIsMuted } = event.liveSession;
    setRoom({ status, viewerCanChat, viewerIsMuted });
    if (before && before.status !== status) {
      widget.announce(STATUS_ANNOUNCEMENTS[status]);
    }
    if (event.chatMessage && event.type.startsWith('CHAT_MESSAGE')) {
      const message = { ...event.chatMessage };
      setMessages((shown) => applyChatEvent(shown, event.type, message, limit()));
    }
  };

  const statusLabel = () => {
    const status = room()?.status;
    return status !== undefined && status !== 'LIVE' && STATUS_LABELS[status];
  };

  const live = createLiveUpdates(
    widget,
    () => {
      const current = session();
      return current
        ? {
            operation: { name: 'WidgetLiveChatEvents', id: WidgetLiveChatEvents },
            variables: { id: current.id },
            cursor: current.eventCursor,
          }
        : null;
    },
    {
      onEvent: applyEvent,
      // The replayed events bring the messages up to date, so only a failed load needs a refetch.
      onResync: () => {
        if (query.failure()) {
          void query.refetch();
        }
      },
      onReconnectFailed: () => void query.refetch(),
    },
  );

  return (
    <WidgetShell
      widget={widget}
      title={session()?.title ? `Chat: ${session()?.title}` : 'Live session chat'}
      openHref={widget.link(
        sessionId() ? `/s/${encodeURIComponent(sessionId())}` : '/live-sessions',
      )}
      configError={
        (!widget.key() || !sessionId()) &&
        'This widget needs an embed-key and a session attribute to show a chat.'
      }
      loading={query.loading()}
      failure={query.failure()}
      retrying={query.retrying()}
      onRetry={query.retryNow}
      hasData={query.data() !== undefined}
      unavailable={
        !session() &&
        (widget.token()
          ? 'This live session is not available to you here.'
          : 'This live session is not available here. Its community’s members can sign in to see it.')
      }
      offerSignIn
      live={live}
      liveLabel={statusLabel()}
    >
      <Show when={session()}>
        {(current) => (
          <>
            <RoomStatus
              status={room()?.status ?? current().status}
              startsAt={current().startsAt}
              communityName={current().community.name}
              locale={widget.locale()}
            />
            <MessageLog messages={messages()} locale={widget.locale()} />
            <ChatFooter
              widget={widget}
              room={room()}
              sessionId={current().id}
              maxLength={current().chatMessageMaxLength}
              onSent={(message) =>
                setMessages((shown) => applyChatEvent(shown, 'CHAT_MESSAGE', message, limit()))
              }
            />
          </>
        )}
      </Show>
    </WidgetShell>
  );
}

function RoomStatus(props: {
  status: SessionStatus;
  startsAt: string;
  communityName: string;
  locale: string | undefined;
}) {
  return (
    <p class="room-status">
      <Show
        when={props.status === 'SCHEDULED'}
        fallback={
          <span class="tag" classList={{ live: props.status === 'LIVE' }}>
            {props.status === 'LIVE'
              ? 'Live now'
              : props.status === 'ENDED'
                ? 'Ended'
                : 'Cancelled'}
          </span>
        }
      >
        <span class="tag">Scheduled</span> Starts{' '}
        <time datetime={props.startsAt}>{formatDateTime(props.startsAt, props.locale)}</time>
      </Show>{' '}
      <span class="muted">in {props.communityName}</span>
    </p>
  );
}

/** Formats a message's time, with its date unless it was sent today. */
function formatMessageTime(instant: string, locale: string | undefined): string {
  const date = new Date(instant);
  if (date.toDateString() === new Date().toDateString()) {
    return new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(date);
  }
  return formatDateTime(instant, locale, { weekday: undefined });
}

function MessageLog(props: { messages: ChatMessage[]; locale: string | undefined }) {
  let log: HTMLDivElement | undefined;
  let followLatest = true;

  // Keeps the newest message in view unless the reader scrolled up to read earlier ones.
  createEffect(
    on(
      () => props.messages,
      () => {
        if (log && followLatest) {
          log.scrollTop = log.scrollHeight;
        }
      },
    ),
  );

  return (
    <div
      ref={log}
      class="log"
      role="log"
      aria-live="polite"
      aria-label="Chat messages"
      tabindex="0"
      onScroll={() => {
        if (log) {
          followLatest = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
        }
      }}
    >
      <Show when={props.messages.length > 0} fallback={<p class="muted">No messages yet.</p>}>
        <ol>
          <For each={props.messages}>
            {(message) => (
              <li class="message">
                <span class="author">{message.author?.displayName ?? 'Former member'}</span>{' '}
                <time class="muted" datetime={message.createdAt}>
                  {formatMessageTime(message.createdAt, props.locale)}
                </time>
                <p class="body">
                  {message.body}
                  <Show when={message.editedAt}>
                    <span class="muted"> (edited)</span>
                  </Show>
                </p>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </div>
  );
}

/** Renders the send box when the viewer may chat, or a line giving the reason why not. */
function ChatFooter(props: {
  widget: Widget;
  room: RoomState | undefined;
  sessionId: string;
  maxLength: number;
  onSent: (message: ChatMessage) => void;
}) {
  const open = () => props.room?.status === 'SCHEDULED' || props.room?.status === 'LIVE';
  return (
    <Show
      when={props.widget.token() && props.room?.viewerCanChat && !props.room.viewerIsMuted}
      fallback={
        <p class="muted chat-note">
          {!props.widget.token()
            ? 'Sign in to take part in the chat.'
            : props.room?.viewerIsMuted
              ? 'A moderator muted you in this session.'
              : open()
                ? 'Only members of this community can send messages.'
                : 'The chat is closed.'}
        </p>
      }
    >
      <ChatComposer
        widget={props.widget}
        sessionId={props.sessionId}
        maxLength={props.maxLength}
        onSent={props.onSent}
      />
    </Show>
  );
}

defineWidget('staffroom-chat', css, Chat);
