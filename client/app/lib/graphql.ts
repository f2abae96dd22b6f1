import {
  type AnyVariables,
  type CombinedError,
  cacheExchange,
  createClient,
  fetchExchange,
  subscriptionExchange,
  type TypedDocumentNode,
} from '@urql/core';
import { createClient as createSocketClient } from 'graphql-ws';
import { createEffect, createResource, createSignal, on, onCleanup, type Resource } from 'solid-js';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

const [connectionState, setConnectionState] = createSignal<ConnectionState>('connecting');

export { connectionState };

const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

let everConnected = false;
const socket = createSocketClient({
  url: socketUrl,
  lazy: false,
  // The server closes with 1012 when it restarts; keep trying with growing pauses.
  retryAttempts: Number.POSITIVE_INFINITY,
  shouldRetry: () => true,
  keepAlive: 15_000,
  on: {
    connecting: () => setConnectionState(everConnected ? 'reconnecting' : 'connecting'),
    connected: () => {
      everConnected = true;
      setConnectionState('connected');
    },
    closed: () => setConnectionState(everConnected ? 'reconnecting' : 'connecting'),
  },
});

/** Reopens the socket, after signing in or out, so that it carries the new session cookie. */
export function restartSocket(): void {
  socket.terminate();
}

export const client = createClient({
  url: '/graphql',
  fetchOptions: { credentials: 'same-origin' },
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

export interface QueryResource<Data> {
  data: Resource<Data | undefined>;
  refetch: () => void;
}

/**
 * Runs a query whenever its variables change and exposes the result as a Solid resource. An
 * error becomes the resource's error, for the route's error state.
 */
export function createGraphQLQuery<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables> | string,
  variables: () => Variables | false,
): QueryResource<Data> {
  const [data, { refetch }] = createResource(variables, async (current) => {
    const result = await client.query<Data, Variables>(document, current).toPromise();
    if (result.error) {
      throw new Error(describeError(result.error));
    }
    return result.data;
  });
  return { data, refetch: () => void refetch() };
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
}

/**
 * Runs a mutation whose result is a `Mutation<Name>Success | Error` union and returns its data,
 * or the typed error, or a network error message, instead of throwing.
 */
export async function runMutation<Data>(
  document: string,
  field: string,
  input: Record<string, unknown>,
): Promise<MutationOutcome<Data>> {
  const result = await client.mutation(document, { input }).toPromise();
  if (result.error) {
    return { message: describeError(result.error) };
  }
  const payload = result.data?.[field] as
    | {
        __typename: string;
        data?: Data;
        message?: string;
        issues?: { path: string[]; message: string }[];
      }
    | undefined;
  if (!payload) {
    return { message: 'The server returned no result.' };
  }
  if (payload.__typename.endsWith('Success')) {
    return { data: payload.data };
  }
  return { typename: payload.__typename, message: payload.message, issues: payload.issues };
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
      `mutation Action($input: ${inputType}!) { ${field}(input: $input) { __typename ... on Error { message } } }`,
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
