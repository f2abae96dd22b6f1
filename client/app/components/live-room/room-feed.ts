import { createEffect, createSignal, on } from 'solid-js';
import { connectionState, createGraphQLSubscription } from '../../lib/graphql.ts';
import { ROOM_EVENTS, ROOM_SIGNALS, type RoomEvent, type RoomSignal } from './room-documents.ts';
import type { RoomStore } from './room-store.ts';

export interface RoomFeedOptions {
  liveSessionId: string;
  /** The page query's event cursor, read before the room's content. */
  cursor: string;
  /** Whether to listen: once the room's content has loaded. */
  enabled: () => boolean;
  store: RoomStore;
  viewerId: () => string | undefined;
  viewerCanModerate: () => boolean;
  /** Reloads the page's view of the session after its status, slow mode or the viewer's mute changed. */
  onSettingsChanged: () => void;
  announce: (message: string) => void;
  onTyping: (signal: RoomSignal) => void;
  onReaction: (signal: RoomSignal) => void;
  /** Called for a chat message from someone, so that their typing note can end. */
  onMessageFrom: (authorId: string) => void;
}

const STATUS_ANNOUNCEMENTS: Record<string, string> = {
  LIVE: 'The session is live.',
  ENDED: 'The session has ended.',
  CANCELLED: 'The session was cancelled.',
};

/**
 * Follows a live room: its lasting events, each applied once, and its passing signals. When the
 * socket drops, the event subscription restarts from the last event received, so the server
 * replays only what was missed. Without the restart, graphql-ws would resubscribe with the first
 * cursor and replay everything since the page loaded.
 */
export function createRoomFeed(options: RoomFeedOptions) {
  const applied = new Set<string>();
  let lastEventId = options.cursor;
  const [resumeFrom, setResumeFrom] = createSignal(options.cursor);
  const [paused, setPaused] = createSignal(false);
  const [failure, setFailure] = createSignal<string>();

  createEffect(
    on(
      connectionState,
      (state, previous) => {
        if (previous === 'connected' && state !== 'connected') {
          setResumeFrom(lastEventId);
        }
      },
      { defer: true },
    ),
  );

  const apply = (event: RoomEvent) => {
    if (applied.has(event.eventId)) {
      return;
    }
    applied.add(event.eventId);
    lastEventId = event.eventId;
    applyEvent(event, options);
  };

  createGraphQLSubscription<{ liveSessionEvents: RoomEvent }, { id: string; after: string }>(
    ROOM_EVENTS,
    () => options.enabled() && !paused() && { id: options.liveSessionId, after: resumeFrom() },
    (data) => {
      setFailure(undefined);
      apply(data.liveSessionEvents);
    },
    setFailure,
  );

  createGraphQLSubscription<{ liveRoomSignals: RoomSignal }, { id: string }>(
    ROOM_SIGNALS,
    () => options.enabled() && !paused() && { id: options.liveSessionId },
    (data) => applySignal(data.liveRoomSignals, options),
  );

  return {
    /** The message of the error that stopped live updates, if one did. */
    failure,
    /** Subscribes again from the last event applied. */
    retry: () => {
      setFailure(undefined);
      setPaused(true);
      setResumeFrom(lastEventId);
      // A separate task, so that the subscription stops even when retry runs inside a batch.
      queueMicrotask(() => setPaused(false));
    },
  };
}

function applyEvent(event: RoomEvent, options: RoomFeedOptions): void {
  const { store } = options;
  const viewerId = options.viewerId();
  const participant = event.participant;
  switch (event.type) {
    case 'CHAT_MESSAGE':
    case 'CHAT_MESSAGE_EDITED':
    case 'CHAT_MESSAGE_DELETED': {
      const message = event.chatMessage;
      if (!message) {
        return;
      }
      store.upsertMessage(message);
      if (event.type === 'CHAT_MESSAGE' && message.author) {
        options.onMessageFrom(message.author.id);
        if (message.author.id !== viewerId) {
          options.announce(`${message.author.displayName}: ${message.body}`);
        }
      }
      return;
    }
    case 'QUESTION_ASKED':
    case 'QUESTION_UPDATED':
      if (event.question) {
        store.upsertQuestion(event.question);
      }
      return;
    case 'HAND_RAISED':
    case 'HAND_LOWERED': {
      if (!participant) {
        return;
      }
      const raised = event.type === 'HAND_RAISED';
      store.setHand(participant, raised, viewerId);
      if (participant.id === viewerId) {
        options.announce(raised ? 'Your hand is up.' : 'Your hand is down.');
      } else if (options.viewerCanModerate()) {
        options.announce(`${participant.displayName} ${raised ? 'raised' : 'lowered'} their hand.`);
      }
      return;
    }
    case 'PARTICIPANT_MUTED':
    case 'PARTICIPANT_UNMUTED': {
      if (!participant) {
        return;
      }
      const muted = event.type === 'PARTICIPANT_MUTED';
      if (options.viewerCanModerate()) {
        store.setMuted(participant, muted);
      }
      if (participant.id === viewerId) {
        options.announce(
          muted
            ? 'A moderator muted you in this session.'
            : 'A moderator unmuted you: you can chat again.',
        );
        options.onSettingsChanged();
      }
      return;
    }
    case 'STATUS_CHANGED': {
      const status = event.liveSession.status;
      if (status !== 'LIVE') {
        store.clearHands();
      }
      options.announce(STATUS_ANNOUNCEMENTS[status] ?? 'The session details changed.');
      options.onSettingsChanged();
      return;
    }
    case 'UPDATED':
      options.onSettingsChanged();
      return;
  }
}

function applySignal(signal: RoomSignal, options: RoomFeedOptions): void {
  const isViewer = signal.userId === options.viewerId();
  if (signal.type === 'TYPING') {
    if (!isViewer) {
      options.onTyping(signal);
    }
  } else if (signal.type === 'REACTION') {
    options.onReaction(signal);
  } else if (signal.type === 'PRESENCE' && signal.present !== null) {
    options.store.setPresence(
      { id: signal.userId, displayName: signal.displayName },
      signal.present,
      signal.presentCount,
    );
  }
}
