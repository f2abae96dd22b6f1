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
  body: Json;
}

export interface TestServer extends RunningServer {
  graphql(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; cookie?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse>;
  /** Opens a graphql-ws client; closed by `stop()` too. */
  socket(options?: { token?: string; headers?: Record<string, string>; retry?: boolean }): Client;
}

/** Starts Staffroom on an ephemeral port against a test database. */
export async function startTestServer(options: {
  database: TestDatabase;
  redisUrl?: string;
  env?: Record<string, string>;
}): Promise<TestServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL || 'silent',
    SERVE_CLIENT: 'false',
    SEED_DEMO: 'false',
    QUERY_STATS: 'true',
    DATA_DIR: options.database.dataDir,
    ...(options.database.url && { DATABASE_URL: options.database.url }),
    ...(options.redisUrl && { REDIS_URL: options.redisUrl }),
    ...options.env,
  });
  const server = await startServer(config);
  const sockets = new Set<Client>();

  return {
    ...server,
    async graphql(query, variables = {}, requestOptions = {}) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(requestOptions.token && { authorization: `Bearer ${requestOptions.token}` }),
          ...(requestOptions.cookie && { cookie: requestOptions.cookie }),
          ...requestOptions.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: await response.json() };
    },
    socket(socketOptions = {}) {
      const client = createClient({
        url: `${server.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers: socketOptions.headers });
          }
        },
        connectionParams: socketOptions.token
          ? { authorization: `Bearer ${socketOptions.token}` }
          : {},
        retryAttempts: socketOptions.retry ? 20 : 0,
        retryWait: async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
        },
        lazy: true,
      });
      sockets.add(client);
      return client;
    },
    async stop() {
      for (const client of sockets) {
        await client.dispose();
      }
      await server.stop();
    },
  };
}

/**
 * Collects the results of one subscription. `next()` waits for the next result and fails with
 * a clear message after the timeout.
 */
export function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: Json[] = [];
  const waiters: (() => void)[] = [];
  let completed = false;
  let failure: unknown = null;
  const wakeAll = () => {
    for (const wake of waiters.splice(0)) {
      wake();
    }
  };
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (value) => {
        results.push(value);
        wakeAll();
      },
      error: (error) => {
        failure = error;
        completed = true;
        wakeAll();
      },
      complete: () => {
        completed = true;
        wakeAll();
      },
    },
  );
  let read = 0;
  return {
    results,
    get completed() {
      return completed;
    },
    get failure() {
      return failure;
    },
    async next(timeoutMs = 5000): Promise<Json> {
      const deadline = Date.now() + timeoutMs;
      while (read >= results.length) {
        if (completed) {
          throw new Error(
            `Subscription ended after ${results.length} results: ${describeFailure(failure)}`,
          );
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          throw new Error(
            `No subscription result within ${timeoutMs} ms; got ${results.length} so far`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return results[read++];
    },
    /** Resolves once the server has acknowledged the subscription by waiting briefly. */
    async settle(ms = 200) {
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    unsubscribe,
  };
}

function describeFailure(failure: unknown): string {
  if (failure && typeof failure === 'object' && 'code' in failure) {
    const close = failure as { code: number; reason?: string };
    return `socket closed with ${close.code} ${close.reason ?? ''}`.trim();
  }
  return failure instanceof Error ? failure.message : JSON.stringify(failure);
}

let counter = 0;

/** Signs up a new person and returns their bearer token and global id. */
export async function signUpUser(
  server: TestServer,
  fields: { email?: string; displayName?: string; password?: string } = {},
): Promise<{ id: string; token: string; email: string }> {
  counter += 1;
  const email = fields.email ?? `educator${counter}-${Date.now()}@example.org`;
  const result = await server.graphql(
    `mutation($input: SignUpInput!) { signUp(input: $input) {
      __typename ... on MutationSignUpSuccess { data { token user { id } } } ... on Error { message } } }`,
    {
      input: {
        email,
        password: fields.password ?? 'correct horse battery staple',
        displayName: fields.displayName ?? `Educator ${counter}`,
      },
    },
  );
  const payload = result.body.data?.signUp;
  if (payload?.__typename !== 'MutationSignUpSuccess') {
    throw new Error(`signUp failed: ${JSON.stringify(result.body)}`);
  }
  return { id: payload.data.user.id, token: payload.data.token, email };
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
  const result = await server.graphql(
    `mutation($input: ${inputType}!) { ${field}(input: $input) {
      __typename ... on Error { message } ... on ValidationError { issues { path message } }
      ... on Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success { data { ${selection} } } } }`,
    { input },
    { token },
  );
  const payload = result.body.data?.[field];
  if (!payload?.__typename?.endsWith('Success')) {
    throw new Error(`${field} failed: ${JSON.stringify(result.body)}`);
  }
  return payload.data;
}
