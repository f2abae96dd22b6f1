import { type Accessor, createEffect, createSignal, on, onCleanup, untrack } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { Widget } from './context.ts';
import { defaultBackoff, type Failure, type PersistedOperation, runPersisted } from './graphql.ts';

export interface QueryRequest {
  operation: PersistedOperation;
  variables: Record<string, unknown>;
}

export interface PersistedQuery<Data> {
  data: Accessor<Data | undefined>;
  /** The failure of the last load, cleared by the next successful one. */
  failure: Accessor<Failure | undefined>;
  /** Whether the first load for the current subject is running. */
  loading: Accessor<boolean>;
  /** Whether a retry is scheduled after the server could not be reached. */
  retrying: Accessor<boolean>;
  /** Counts successful loads, for effects that must run after each one. */
  version: Accessor<number>;
  /** Loads again shortly; several calls close together make one request. */
  refetch(): Promise<void>;
  /** Loads again now, after a failure. */
  retryNow(): void;
}

/** Automatic retries after a network failure before the widget waits for "Try again". */
const MAX_RETRIES = 8;
/** Refetches asked for within this time make one request, as events often come in bursts. */
const REFETCH_DELAY_MS = 250;

/**
 * Runs a persisted query for the widget's subject, again when the subject, the key or the
 * sign-in changes, and on `refetch`. A reload reconciles the data by `id` so unchanged rows
 * keep their DOM. A rejected token is dropped, which loads again signed out; a network failure
 * is retried with backoff while the data already shown stays.
 */
export function createPersistedQuery<Data extends object>(
  widget: Widget,
  request: () => QueryRequest | null,
): PersistedQuery<Data> {
  const [store, setStore] = createStore<{ data?: Data }>({});
  const [failure, setFailure] = createSignal<Failure>();
  const [loading, setLoading] = createSignal(false);
  const [retrying, setRetrying] = createSignal(false);
  const [version, setVersion] = createSignal(0);
  let generation = 0;
  let retries = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let refetchTimer: ReturnType<typeof setTimeout> | undefined;
  let waitingForRefetch: (() => void)[] = [];

  const handleFailure = (next: Failure, current: QueryRequest) => {
    const target = widget.target();
    if (next.kind === 'signed-out' && target.token) {
      // Dropping the token changes the sign-in, which loads again signed out.
      widget.signIn().signOut();
      return;
    }
    if (next.kind === 'turned-off') {
      widget.markTurnedOff();
    }
    setFailure(next);
    if (next.kind === 'unreachable' && retries < MAX_RETRIES) {
      retries += 1;
      setRetrying(true);
      retryTimer = setTimeout(() => void load(current), defaultBackoff(retries));
    }
  };

  const load = async (current: QueryRequest) => {
    generation += 1;
    const started = generation;
    clearTimeout(retryTimer);
    setRetrying(false);
    const outcome = await runPersisted<Data>(widget.target(), current.operation, current.variables);
    // A response for an older subject or sign-in must not replace newer data.
    if (started !== generation) {
      return;
    }
    setLoading(false);
    if ('failure' in outcome) {
      handleFailure(outcome.failure, current);
      return;
    }
    retries = 0;
    setFailure(undefined);
    setStore('data', reconcile(outcome.data, { key: 'id' }));
    setVersion((count) => count + 1);
  };

  const subject = () => {
    const current = request();
    return current ? JSON.stringify([current.operation.id, current.variables]) : '';
  };

  createEffect(
    on(subject, () => {
      generation += 1;
      retries = 0;
      clearTimeout(retryTimer);
      setStore('data', undefined);
      setFailure(undefined);
      setLoading(false);
    }),
  );

  createEffect(
    on([subject, widget.token, widget.turnedOff], ([key, , turnedOff]) => {
      const current = untrack(request);
      if (!key || !current || turnedOff) {
        return;
      }
      setLoading(untrack(() => store.data === undefined));
      void load(current);
    }),
  );

  onCleanup(() => {
    generation += 1;
    clearTimeout(retryTimer);
    clearTimeout(refetchTimer);
  });

  const refetch = () =>
    new Promise<void>((resolve) => {
      waitingForRefetch.push(resolve);
      clearTimeout(refetchTimer);
      refetchTimer = setTimeout(async () => {
        const waiting = waitingForRefetch;
        waitingForRefetch = [];
        const current = untrack(request);
        if (current && !untrack(widget.turnedOff)) {
          await load(current);
        }
        for (const done of waiting) {
          done();
        }
      }, REFETCH_DELAY_MS);
    });

  return {
    data: () => store.data as Data | undefined,
    failure,
    loading,
    retrying,
    version,
    refetch,
    retryNow() {
      const current = untrack(request);
      if (current) {
        retries = 0;
        setLoading(untrack(() => store.data === undefined));
        void load(current);
      }
    },
  };
}
