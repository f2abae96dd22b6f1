import {
  type Accessor,
  createEffect,
  createMemo,
  createSignal,
  onCleanup,
  untrack,
} from 'solid-js';
import type { Widget } from './context.ts';
import type { Failure, PersistedOperation } from './graphql.ts';
import { type LiveState, type LiveSubscription, startLive } from './live.ts';

export interface LiveSource {
  operation: PersistedOperation;
  /** The subscription's variables except `after`. */
  variables: Record<string, unknown>;
  /** The eventCursor of the query that loaded the data shown. */
  cursor: string | null;
}

export interface LiveUpdates {
  /** `off` until there is something to subscribe to, and after the key was revoked. */
  state: Accessor<LiveState | 'off'>;
  /** The failure that stopped live updates for good, other than a revoked key. */
  failure: Accessor<Failure | undefined>;
  /** Starts again after live updates stopped on repeated failures, or ends the wait to retry. */
  reconnect(): void;
}

/**
 * Subscribes while `source` returns a subject, starting after the query's eventCursor. When the
 * sign-in changes it subscribes again on a new connection and resumes after the last event
 * received, so nothing is missed or repeated. The subject is the operation and variables: a new
 * cursor from a refetch does not restart the subscription.
 */
export function createLiveUpdates(
  widget: Widget,
  source: () => LiveSource | null,
  handlers: {
    onEvent: (data: Record<string, unknown>) => void;
    onResync?: () => void;
    /** Refetches the query, whose result shows whether the widget may still show its content. */
    onReconnectFailed: () => void;
  },
): LiveUpdates {
  const [state, setState] = createSignal<LiveState | 'off'>('off');
  const [failure, setFailure] = createSignal<Failure>();
  const lastEventIds = new Map<string, string | null>();
  let current: LiveSubscription | null = null;

  const subject = createMemo(() => {
    const value = source();
    return value ? JSON.stringify([value.operation.id, value.variables]) : '';
  });

  createEffect(() => {
    const key = subject();
    widget.token();
    if (!key || widget.turnedOff()) {
      setState('off');
      return;
    }
    const value = untrack(source) as LiveSource;
    setFailure(undefined);
    const subscription = startLive({
      target: widget.target,
      operation: value.operation,
      variables: value.variables,
      after: lastEventIds.has(key) ? (lastEventIds.get(key) ?? null) : value.cursor,
      onEvent: handlers.onEvent,
      onResync: handlers.onResync,
      onReconnectFailed: handlers.onReconnectFailed,
      onState: (next) => setState(next),
      onFailure: (next) => {
        if (next.kind === 'not-enabled') {
          // Attempts go on, and the refetch after the first failed one shows the notice.
          return;
        }
        if (next.kind === 'signed-out') {
          widget.signIn().signOut();
        } else if (next.kind === 'turned-off') {
          widget.markTurnedOff();
        } else {
          setFailure(next);
        }
      },
    });
    current = subscription;
    onCleanup(() => {
      lastEventIds.set(key, subscription.lastEventId());
      subscription.stop();
      current = null;
    });
  });

  return {
    state,
    failure,
    reconnect: () => current?.reconnect(),
  };
}
