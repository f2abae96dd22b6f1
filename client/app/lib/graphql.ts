import {
  type AnyVariables,
  type CombinedError,
  cacheExchange,
  createClient,
  fetchExchange,
  subscriptionExchange,
  type TypedDocumentNode,
} from '@urql/core';
import { createClient as createSocketClient, TerminatedCloseEvent } from 'graphql-ws';
import { createEffect, createSignal, on, onCleanup, untrack } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { describeIssue, describeIssues } from './issues.ts';
import { ERROR_SELECTION } from './operations.ts';
import { pluralize } from './plural.ts';
import { localizeInstants } from './time.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

const [connectionState, setConnectionState] = createSignal<ConnectionState>('connecting');

export { connectionState };

/** graphql-ws close code 4403 Forbidden: the server ended the sign-in that the socket carried. */
const CLOSE_FORBIDDEN = 4403;

const signInEndedListeners = new Set<() => void>();

/**
 * Calls `listener` whenever the server closes the socket with 4403, which it does when the
 * sign-in that the socket carried is revoked or expires. Returns a function that stops listening.
 */
export function onSignInEnded(listener: () => void): () => void {
  signInEndedListeners.add(listener);
  return () => signInEndedListeners.delete(listener);
}

const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

const socket = createSocketClient({
  url: socketUrl,
  lazy: false,
  // The server closes with 1012 when it restarts, so the client keeps retrying with growing pauses.
  retryAttempts: Number.POSITIVE_INFINITY,
  shouldRetry: () => true,
  keepAlive: 15_000,
  on: {
    connected: () => setConnectionState('connected'),
    closed: (event) => {
      const signInEnded = (event as { code?: number } | null)?.code === CLOSE_FORBIDDEN;
      // A restart after signing in or out is not an outage, so it shows no banner. Neither does
      // an ended sign-in, because the socket reconnects at once without it and the layout shows
      // a banner of its own.
      const expected = event instanceof TerminatedCloseEvent || signInEnded;
      setConnectionState(expected ? 'connecting' : 'reconnecting');
      if (signInEnded) {
        for (const listener of signInEndedListeners) {
          listener();
        }
      }
    },
  },
});

/** Reopens the socket, after signing in or out, so that it carries the new session cookie. */
export function restartSocket(): void {
  socket.terminate();
}

export const client = createClient({
  url: '/graphql',
  // The header marks requests as the client's own: the server refuses a GET without it, which
  // is how it stops cross-site requests that need no preflight.
  fetchOptions: { credentials: 'same-origin', headers: { 'X-Staffroom-CSRF': '1' } },
  requestPolicy: 'network-only',
  exchanges: [
    cacheExchange,
    fetchExchange,
    subscriptionExchange({
      forwardSubscription: (request) => ({
        subscribe: (sink) => ({
          unsubscribe: socket.subscribe({ ...request, query: request.query ?? '' }, sink),
        }),
      }),
    }),
  ],
});

export interface QueryState<Data> {
  /** The latest data, kept in a store so that a reload keeps unchanged rows and their DOM. */
  data: () => Data | undefined;
  /** The message of the last failed load, cleared by the next successful one. */
  error: () => string | undefined;
  loading: () => boolean;
  refetch: () => void;
}

/**
 * Runs a query whenever its variables change, and again on `refetch`. A reload reconciles the new
 * data into the old by `id`, so a live update re-renders only what changed, and a reply being typed
 * under a post stays in its box. A failed reload keeps the data already shown.
 */
export function createGraphQLQuery<Data extends object, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables> | string,
  variables: () => Variables | false,
): QueryState<Data> {
  const [store, setStore] = createStore<{ data?: Data }>({});
  const [error, setError] = createSignal<string>();
  const [loading, setLoading] = createSignal(false);
  let latestRequest = 0;

  const load = async (current: Variables) => {
    latestRequest += 1;
    const request = latestRequest;
    setLoading(true);
    const result = await client.query<Data, Variables>(document, current).toPromise();
    // A response to variables that have since changed must not replace the newer data.
    if (request !== latestRequest) {
      return;
    }
    setLoading(false);
    if (result.error) {
      setError(describeError(result.error));
      return;
    }
    setError(undefined);
    setStore('data', reconcile(result.data as Data, { key: 'id' }));
  };

  createEffect(
    on(variables, (current, previous) => {
      if (previous !== undefined && JSON.stringify(current) === JSON.stringify(previous)) {
        return;
      }
      // New variables mean another subject, so its page starts from a loading state. A response
      // still in flight for the old variables is ignored.
      latestRequest += 1;
      setStore('data', undefined);
      setError(undefined);
      setLoading(false);
      if (current !== false) {
        void load(current);
      }
    }),
  );

  return {
    data: () => store.data as Data | undefined,
    error,
    loading,
    refetch: () => {
      const current = untrack(variables);
      if (current !== false) {
        void load(current);
      }
    },
  };
}

/**
 * Calls `onData` for each event of a subscription until the component unmounts. The subscription
 * starts once `variables` returns an object and restarts when the variables change.
 */
export function createGraphQLSubscription<Data, Variables extends AnyVariables>(
  document: string,
  variables: () => Variables | false,
  onData: (data: Data) => void,
  onError?: (message: string) => void,
): void {
  let stop: (() => void) | null = null;
  let startedWith = '';
  createEffect(() => {
    const current = variables();
    const key = current === false ? '' : JSON.stringify(current);
    if (key === startedWith) {
      return;
    }
    stop?.();
    stop = null;
    startedWith = key;
    if (current === false) {
      return;
    }
    const { unsubscribe } = client
      .subscription<Data, Variables>(document, current)
      .subscribe((result) => {
        if (result.error) {
          onError?.(describeError(result.error));
        } else if (result.data) {
          onData(result.data);
        }
      });
    stop = unsubscribe;
  });
  onCleanup(() => stop?.());
}

/**
 * Keeps the first event cursor a page's query returned for one subject, so the page subscribes
 * from the moment its data was read and misses no event in between.
 */
export function createEventCursor(subjectId: () => string, cursor: () => string | undefined) {
  const [kept, setKept] = createSignal<{ subjectId: string; cursor: string } | null>(null);
  createEffect(() => {
    const current = cursor();
    if (current !== undefined && kept()?.subjectId !== subjectId()) {
      setKept({ subjectId: subjectId(), cursor: current });
    }
  });
  return () => {
    const value = kept();
    return value && value.subjectId === subjectId() ? value.cursor : null;
  };
}

export function describeError(error: CombinedError): string {
  if (error.networkError) {
    return 'Staffroom cannot be reached. Check your connection and try again.';
  }
  return error.graphQLErrors.map((graphQLError) => graphQLError.message).join(' ') || error.message;
}

export interface MutationOutcome<Data> {
  data?: Data;
  /** The typed error the server returned, such as ValidationError. */
  typename?: string;
  message?: string;
  issues?: { path: string[]; message: string }[];
  /** For a RateLimitedError, the seconds until the next attempt is allowed. */
  retryAfterSeconds?: number;
}

/**
 * Runs a mutation whose result is a `Mutation<Name>Success | Error` union and returns its data,
 * or the typed error, or a network error message, instead of throwing.
 */
export function runMutation<Data>(
  document: string,
  field: string,
  input: Record<string, unknown>,
): Promise<MutationOutcome<Data>> {
  return runMutationWithVariables<Data>(document, field, { input });
}

/**
 * Runs a mutation like `runMutation`, for one whose arguments are not a single `input`, such as
 * `signOutEverywhere` (none) or `removeDistrictSso(districtId:)`.
 */
export async function runMutationWithVariables<Data>(
  document: string,
  field: string,
  variables: Record<string, unknown>,
): Promise<MutationOutcome<Data>> {
  const result = await client.mutation(document, variables).toPromise();
  if (result.error) {
    return { message: describeError(result.error) };
  }
  const payload = result.data?.[field] as
    | {
        __typename: string;
        data?: Data;
        message?: string;
        issues?: { path: string[]; message: string }[];
        retryAfterSeconds?: number;
      }
    | undefined;
  if (!payload) {
    return { message: 'The server returned no result.' };
  }
  if (payload.__typename.endsWith('Success')) {
    return { data: payload.data };
  }
  const serverMessage =
    payload.retryAfterSeconds === undefined ? payload.message : rateLimitMessage(payload);
  // A mute's refusal names its end as a UTC instant: show it in the viewer's time.
  const message =
    serverMessage === undefined
      ? undefined
      : localizeInstants(describeIssues(serverMessage, payload.issues));
  return {
    typename: payload.__typename,
    message,
    issues: payload.issues,
    retryAfterSeconds: payload.retryAfterSeconds,
  };
}

/**
 * Returns a form's own error for an outcome: the server's message, or the validation issues that
 * no field of the form (named in `fields`) shows beside itself.
 */
export function formErrorFor(
  outcome: MutationOutcome<unknown> | null,
  fields: string[],
): string | undefined {
  if (!outcome?.issues) {
    return outcome?.message;
  }
  const unshown = outcome.issues.filter((issue) => !fields.includes(issue.path[0] ?? ''));
  if (unshown.length === 0) {
    return 'Check the fields marked above.';
  }
  return unshown.map(describeIssue).join(' ');
}

/** Returns the message of the issue for one input field, if any. */
export function issueFor(
  outcome: MutationOutcome<unknown> | null,
  field: string,
): string | undefined {
  return outcome?.issues?.find((issue) => issue.path[0] === field)?.message;
}

/**
 * Reloads a page's data when the socket comes back, so the page is current before the events
 * replayed to its resubscription arrive.
 */
export function refetchOnReconnect(refetch: () => void): void {
  createEffect(
    on(connectionState, (state, previous) => {
      if (state === 'connected' && previous === 'reconnecting') {
        refetch();
      }
    }),
  );
}

/**
 * Creates a runner for a page's buttons (pin, RSVP, start): it runs one mutation, keeps its error
 * message for an alert, and reloads the page's data.
 */
export function createAction(refetch: () => void) {
  const [actionError, setActionError] = createSignal('');
  const act = async (field: string, inputType: string, input: Record<string, unknown>) => {
    setActionError('');
    const outcome = await runMutation(
      `mutation Action($input: ${inputType}!) { ${field}(input: $input) { __typename ${ERROR_SELECTION} } }`,
      field,
      input,
    );
    if (outcome.message) {
      setActionError(outcome.message);
    }
    refetch();
    return outcome;
  };
  return { act, actionError };
}

/** Words a rate-limit refusal: the server's message, or the wait in the largest sensible unit. */
function rateLimitMessage(payload: { message?: string; retryAfterSeconds?: number }): string {
  if (payload.message) {
    return payload.message;
  }
  const seconds = payload.retryAfterSeconds ?? 0;
  const wait =
    seconds >= 5400
      ? pluralize(Math.round(seconds / 3600), 'hour')
      : seconds >= 90
        ? pluralize(Math.round(seconds / 60), 'minute')
        : pluralize(seconds, 'second');
  return `Too many attempts: try again in ${wait}.`;
}
