import { createEffect, on, onCleanup } from 'solid-js';
import { runMutation } from '../../lib/graphql.ts';
import { mutationDocument } from '../../lib/operations.ts';

/** Interval of heartbeats that the server expects from an open room, besides one per visibility change. */
const HEARTBEAT_INTERVAL_MS = 20_000;

const HEARTBEAT = mutationDocument(
  'liveRoomHeartbeat',
  'LiveRoomHeartbeatInput',
  'id presentCount',
);
const LEAVE = mutationDocument('leaveLiveRoom', 'LeaveLiveRoomInput', 'id');

export interface PresenceHeartbeatOptions {
  liveSessionId: string;
  /** Whether the viewer is in the room: signed in, with the session scheduled or live. */
  active: () => boolean;
  onCount: (count: number) => void;
  /** Called after the first heartbeat that the server accepted, when the viewer joined the room. */
  onJoined: () => void;
}

function isVisible(): boolean {
  return document.visibilityState === 'visible';
}

/**
 * Sends `leaveLiveRoom` in a request that outlives the page, so that others see the viewer leave
 * when the tab closes, instead of after the presence timeout.
 */
function sendLeaveOnUnload(liveSessionId: string): void {
  void fetch('/graphql', {
    method: 'POST',
    keepalive: true,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Staffroom-CSRF': '1' },
    body: JSON.stringify({ query: LEAVE, variables: { input: { liveSessionId } } }),
  }).catch(() => undefined);
}

/**
 * Keeps the viewer present in a live room while `active` returns true: a heartbeat at once, then
 * every 20 seconds and on each visibility change, and `leaveLiveRoom` when the room closes, the
 * page unmounts or the tab goes away. A heartbeat that the server rejects, such as for a session
 * that has just ended, stops the beating until `active` changes.
 */
export function createPresenceHeartbeat(options: PresenceHeartbeatOptions): void {
  let timer: ReturnType<typeof setInterval> | undefined;
  let joined = false;
  let beating = false;

  const beat = async () => {
    const outcome = await runMutation<{ presentCount: number }>(HEARTBEAT, 'liveRoomHeartbeat', {
      liveSessionId: options.liveSessionId,
      visible: isVisible(),
    });
    if (!beating) {
      return;
    }
    if (outcome.data) {
      options.onCount(outcome.data.presentCount);
      if (!joined) {
        joined = true;
        options.onJoined();
      }
    } else if (outcome.typename) {
      // A typed error (the room closed, access ended) will not pass on the next beat either.
      stop(false);
    }
  };

  const onVisibilityChange = () => void beat();
  const onPageHide = () => {
    if (joined) {
      joined = false;
      sendLeaveOnUnload(options.liveSessionId);
    }
  };
  // A page restored from the back-forward cache joins again.
  const onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted && beating) {
      void beat();
    }
  };

  const start = () => {
    beating = true;
    void beat();
    timer = setInterval(() => void beat(), HEARTBEAT_INTERVAL_MS);
    document.addEventListener('visibilitychange', onVisibilityChange);
    window.addEventListener('pagehide', onPageHide);
    window.addEventListener('pageshow', onPageShow);
  };

  function stop(leave: boolean) {
    beating = false;
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisibilityChange);
    window.removeEventListener('pagehide', onPageHide);
    window.removeEventListener('pageshow', onPageShow);
    if (leave && joined) {
      void runMutation(LEAVE, 'leaveLiveRoom', { liveSessionId: options.liveSessionId });
    }
    joined = false;
  }

  createEffect(
    on(options.active, (active) => {
      if (active && !beating) {
        start();
      } else if (!active && beating) {
        stop(true);
      }
    }),
  );
  onCleanup(() => {
    if (beating) {
      stop(true);
    }
  });
}
