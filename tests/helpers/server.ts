import { decodeGlobalID } from '@pothos/plugin-relay';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type RunningServer, startServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { TestDatabase } from './database.ts';

// biome-ignore lint/suspicious/noExplicitAny: GraphQL results are checked field by field in tests.
export type Json = any;

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the raw text when the body is not JSON. */
  body: Json;
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as the `Cookie` header. */
  cookie?: string;
  headers?: Record<string, string>;
}

export interface SocketOptions {
  /** Sent in the `connection_init` payload as `{ authorization: 'Bearer <token>' }`. */
  token?: string;
  /** Headers of the WebSocket upgrade request, such as `origin` or `cookie`. */
  headers?: Record<string, string>;
  /** Reconnects after the socket closes, up to 20 times, 100 ms apart. */
  retry?: boolean;
}

/** Results of one subscription, read in order. */
export interface Subscription extends AsyncIterable<Json> {
  /** Every result received so far, including the ones already read. */
  readonly results: Json[];
  readonly completed: boolean;
  /** The error or close event that ended the subscription, or null. */
  readonly failure: unknown;
  /**
   * Resolves with the next unread result. Rejects when none arrives within `timeoutMs` or when
   * the subscription ends first, naming the close code or error.
   */
  next(timeoutMs?: number): Promise<Json>;
  /**
   * Waits for the server's `connection_ack` and then `ms` more. graphql-ws acknowledges the
   * connection but not each subscription, so the extra wait lets the server register it.
   */
  settle(ms?: number): Promise<void>;
  unsubscribe(): void;
  /** Unsubscribes, and closes the socket when the subscription opened its own. */
  close(): Promise<void>;
}

export interface TestServer extends RunningServer {
  /** POSTs one operation to `/graphql` as JSON. */
  graphql(
    query: string,
    variables?: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<GraphQLResponse>;
  /** Creates a lazy graphql-ws client on `/graphql`, which `stop()` also closes. */
  socket(options?: SocketOptions): Client;
  /** Subscribes on a socket of its own, which the subscription's `close()` also closes. */
  subscribe(
    query: string,
    variables?: Record<string, unknown>,
    options?: SocketOptions,
  ): Subscription;
}

export interface TestServerOptions {
  database: TestDatabase;
  redisUrl?: string;
  /** Environment variables for `loadConfig`, such as `SERVE_CLIENT: 'true'` or `SEED_DEMO: 'true'`. */
  env?: Record<string, string>;
}

const connections = new WeakMap<Client, Promise<void>>();

/**
 * Starts Staffroom in this process on a free port of 127.0.0.1 against a test database. It logs
 * at `TEST_LOG_LEVEL` (default silent). It serves no client and seeds no demo data unless `env`
 * sets SERVE_CLIENT or SEED_DEMO to true, and applies no flood limits or link holds unless `env`
 * sets FLOOD_LIMITS and NEW_ACCOUNT_DAYS.
 */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL || 'silent',
    SERVE_CLIENT: 'false',
    SEED_DEMO: 'false',
    QUERY_STATS: 'true',
    // Tests write many posts a minute from accounts made a moment ago. The flood limit and link
    // hold tests turn both back on through `env`.
    FLOOD_LIMITS: 'false',
    NEW_ACCOUNT_DAYS: '0',
    DATA_DIR: options.database.dataDir,
    ...(options.database.url && { DATABASE_URL: options.database.url }),
    ...(options.redisUrl && { REDIS_URL: options.redisUrl }),
    ...options.env,
  });
  const server = await startServer(config);
  const clients = new Set<Client>();
  let stopped: Promise<void> | null = null;

  const socket = (socketOptions: SocketOptions = {}): Client => {
    const client = createSocketClient(server.url, socketOptions);
    clients.add(client);
    return client;
  };

  return {
    ...server,
    graphql: (query, variables = {}, requestOptions = {}) =>
      postGraphQL(server.url, query, variables, requestOptions),
    socket,
    subscribe(query, variables = {}, socketOptions = {}) {
      const client = socket(socketOptions);
      return collect(client, query, variables, async () => {
        clients.delete(client);
        await client.dispose();
      });
    },
    stop() {
      stopped ??= (async () => {
        for (const client of clients) {
          await client.dispose();
        }
        await server.stop();
      })();
      return stopped;
    },
  };
}

async function postGraphQL(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  options: RequestOptions,
): Promise<GraphQLResponse> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...(options.cookie && { cookie: options.cookie }),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });

  const text = await response.text();
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body };
}

function createSocketClient(url: string, options: SocketOptions): Client {
  let acknowledge = () => {};
  const connected = new Promise<void>((resolve) => {
    acknowledge = resolve;
  });
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    // The ws package takes the upgrade request's headers as a third constructor argument.
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: options.headers });
      }
    },
    connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
    retryAttempts: options.retry ? 20 : 0,
    retryWait: async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
    },
    lazy: true,
    on: { connected: () => acknowledge() },
  });
  connections.set(client, connected);
  return client;
}

/**
 * Subscribes on `client` and collects the results. `onClose` runs after unsubscribing when
 * `close()` is called, for a caller that opened the socket for this subscription alone.
 */
export function collect(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
  onClose: () => Promise<void> = async () => {},
): Subscription {
  const results: Json[] = [];
  const waiters = new Set<() => void>();
  let completed = false;
  let failure: unknown = null;
  let read = 0;
  const wakeAll = () => {
    for (const wake of waiters) {
      wake();
    }
    waiters.clear();
  };
  const end = (error: unknown) => {
    failure = error;
    completed = true;
    wakeAll();
  };
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (value) => {
        results.push(value);
        wakeAll();
      },
      error: (error) => end(error),
      complete: () => end(null),
    },
  );

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });

  /** Resolves with the next result, or `done` once the subscription has ended. */
  const readNext = async (timeoutMs: number): Promise<{ done: boolean; value?: Json }> => {
    const deadline = Date.now() + timeoutMs;
    while (read >= results.length) {
      if (completed) {
        return { done: true };
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `No subscription result within ${timeoutMs} ms; ${results.length} received so far for ${describeOperation(query)}`,
        );
      }
      await wait(remaining);
    }
    return { done: false, value: results[read++] };
  };

  return {
    results,
    get completed() {
      return completed;
    },
    get failure() {
      return failure;
    },
    async next(timeoutMs = 5000) {
      const result = await readNext(timeoutMs);
      if (result.done) {
        throw new Error(
          `Subscription ended after ${results.length} results: ${describeFailure(failure)}`,
        );
      }
      return result.value;
    },
    async settle(ms = 200) {
      const connected = connections.get(client);
      if (connected) {
        await Promise.race([connected, wait(5000)]);
      }
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    unsubscribe,
    async close() {
      unsubscribe();
      await onClose();
    },
    async *[Symbol.asyncIterator]() {
      while (true) {
        const result = await readNext(5000);
        if (result.done) {
          return;
        }
        yield result.value;
      }
    },
  };
}

function describeOperation(query: string): string {
  return query.replace(/\s+/g, ' ').trim().slice(0, 80);
}

function describeFailure(failure: unknown): string {
  if (failure === null) {
    return 'it completed without an error';
  }
  if (typeof failure === 'object' && 'code' in failure) {
    const close = failure as { code: number; reason?: string };
    return `socket closed with ${close.code} ${close.reason ?? ''}`.trim();
  }
  return failure instanceof Error ? failure.message : JSON.stringify(failure);
}

let counter = 0;

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) {
  __typename ... on MutationSignUpSuccess { data { user { id displayName } token } }
  ... on Error { message } ... on ValidationError { issues { path message } } } }`;

const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) {
  __typename ... on MutationSignInSuccess { data { token user { id } } }
  ... on Error { message } ... on ValidationError { issues { path message } } } }`;

/**
 * Signs up a new person, then signs in with a bearer token. Throws with the result's
 * `__typename` and message when either mutation does not succeed.
 */
export async function signUpUser(
  server: TestServer,
  fields: { email?: string; displayName?: string; password?: string } = {},
): Promise<{ id: string; token: string; email: string }> {
  counter += 1;
  const email = fields.email ?? `educator${counter}-${Date.now()}@example.org`;
  const password = fields.password ?? 'correct horse battery staple';
  const displayName = fields.displayName ?? `Educator ${counter}`;

  const signUp = await server.graphql(SIGN_UP, { input: { email, password, displayName } });
  const signedUp = successData(signUp, 'signUp');
  const signIn = await server.graphql(SIGN_IN, { input: { email, password, session: 'BEARER' } });
  const signedIn = successData(signIn, 'signIn');

  if (signedIn.user.id !== signedUp.user.id) {
    throw new Error(
      `signIn as ${email} returned user ${signedIn.user.id}, not ${signedUp.user.id}`,
    );
  }
  return { id: signedIn.user.id, token: signedIn.token, email };
}

/** Runs a mutation and returns `data` of its success type, or throws with the typed error. */
export async function mutate(
  server: TestServer,
  field: string,
  inputType: string,
  input: Record<string, unknown>,
  selection: string,
  token?: string,
): Promise<Json> {
  const successType = `Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`;
  const result = await server.graphql(
    `mutation($input: ${inputType}!) { ${field}(input: $input) {
      __typename ... on Error { message } ... on ValidationError { issues { path message } }
      ... on ${successType} { data { ${selection} } } } }`,
    { input },
    { token },
  );
  return successData(result, field);
}

/** Returns `data` of a mutation's success type, or throws naming the type and message. */
function successData(result: GraphQLResponse, field: string): Json {
  const payload = result.body?.data?.[field];
  if (typeof payload?.__typename === 'string' && payload.__typename.endsWith('Success')) {
    return payload.data;
  }
  if (payload?.__typename) {
    const issues = payload.issues ? ` ${JSON.stringify(payload.issues)}` : '';
    throw new Error(`${field} returned ${payload.__typename}: ${payload.message}${issues}`);
  }
  throw new Error(`${field} failed with HTTP ${result.status}: ${JSON.stringify(result.body)}`);
}

/** Returns the database id inside a global id. */
export function rowIdOf(globalId: string): number {
  return Number(decodeGlobalID(globalId).id);
}

/**
 * Creates a community as the person with `ownerToken` and joins each person of `memberTokens` to
 * it. Returns its global id and slug.
 */
export async function createCommunityWithMembers(
  server: TestServer,
  ownerToken: string,
  fields: Record<string, unknown>,
  memberTokens: string[] = [],
): Promise<{ id: string; slug: string }> {
  const community = await mutate(
    server,
    'createCommunity',
    'CreateCommunityInput',
    fields,
    'id slug',
    ownerToken,
  );
  for (const token of memberTokens) {
    await mutate(
      server,
      'joinCommunity',
      'CommunityIdInput',
      { communityId: community.id },
      'id',
      token,
    );
  }
  return community;
}
