/**
 * Persisted GraphQL requests to `/embed/graphql`. A widget sends only an operation's id, never
 * its document. This module uses no DOM beyond `fetch`, so Node tests run it against a real
 * server.
 */

/** The server and key a widget's requests go to, and the token they carry. */
export interface EmbedTarget {
  /** The Staffroom server, such as `https://staffroom.example.org`, without a trailing slash. */
  base: string;
  /** The public embed key (`ek_...`). */
  key: string;
  /** The widget token from the sign-in popup; null when signed out. */
  token: string | null;
}

/** A persisted operation: its name and the SHA-256 of its document text. */
export interface PersistedOperation {
  name: string;
  id: string;
}

/**
 * Why a request gave no data:
 * - `not-enabled`: the page's origin is not on the key's list (the browser blocked the
 *   response), or the key does not exist.
 * - `turned-off`: the key's owner revoked it.
 * - `signed-out`: the server rejected the widget token (expired or revoked).
 * - `unreachable`: the network failed or the server returned 5xx or 429, so a retry may work.
 * - `rejected`: any other error, with the server's message and code.
 */
export type Failure =
  | { kind: 'not-enabled' }
  | { kind: 'turned-off' }
  | { kind: 'signed-out' }
  | { kind: 'unreachable' }
  | { kind: 'rejected'; message: string; code?: string };

export type Outcome<Data> = { data: Data } | { failure: Failure };

export interface GraphQLError {
  message?: string;
  extensions?: { code?: string };
}

/** A GraphQL response body, as far as widgets read it. */
export interface GraphQLResult {
  data?: Record<string, unknown> | null;
  errors?: GraphQLError[];
}

/** Doubles the wait from 1 s up to 30 s, with jitter so that many widgets do not return at once. */
export function defaultBackoff(attempt: number): number {
  const ceiling = Math.min(30_000, 1000 * 2 ** (attempt - 1));
  return Math.round(ceiling * (0.5 + Math.random() / 2));
}

/** Builds the request body that names a persisted operation. */
export function persistedBody(
  operation: PersistedOperation,
  variables: Record<string, unknown>,
): string {
  return JSON.stringify({
    operationName: operation.name,
    variables,
    extensions: { persistedQuery: { version: 1, sha256Hash: operation.id } },
  });
}

/** Returns the URL of the embed endpoint for a key. */
export function embedEndpoint(target: EmbedTarget): string {
  return `${target.base}/embed/graphql?key=${encodeURIComponent(target.key)}`;
}

/** Returns the headers of a request to the embed endpoint. */
export function embedHeaders(target: EmbedTarget, accept: string): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    Accept: accept,
    ...(target.token && { Authorization: `Bearer ${target.token}` }),
  };
}

/** Maps an HTTP status and the error codes of its body to a failure. */
export function classifyErrors(status: number, errors: GraphQLError[] | undefined): Failure {
  const codes = (errors ?? []).map((error) => error.extensions?.code);
  if (codes.includes('EMBED_KEY_REVOKED')) {
    return { kind: 'turned-off' };
  }
  if (codes.includes('EMBED_KEY_NOT_FOUND') || codes.includes('EMBED_ORIGIN_NOT_ALLOWED')) {
    return { kind: 'not-enabled' };
  }
  if (status === 401 || codes.includes('UNAUTHENTICATED')) {
    return { kind: 'signed-out' };
  }
  if (status >= 500 || status === 429) {
    return { kind: 'unreachable' };
  }
  const first = errors?.[0];
  return {
    kind: 'rejected',
    message: first?.message ?? `Staffroom returned HTTP ${status}.`,
    code: first?.extensions?.code,
  };
}

/**
 * Tells a blocked cross-origin response from a network failure, which `fetch` both report as a
 * TypeError. A no-cors request is not subject to CORS, so it succeeds whenever the server is
 * reachable. In that case the browser withheld the first response because the key does not
 * list the page's origin.
 */
export async function diagnoseFetchFailure(base: string): Promise<Failure> {
  try {
    await fetch(`${base}/healthz`, { mode: 'no-cors', cache: 'no-store', credentials: 'omit' });
    return { kind: 'not-enabled' };
  } catch {
    return { kind: 'unreachable' };
  }
}

/** Reads a JSON response body, or returns null when it is not JSON. */
export async function readJson(response: Response): Promise<GraphQLResult | null> {
  try {
    return (await response.json()) as GraphQLResult;
  } catch {
    return null;
  }
}

/**
 * Runs a persisted query or mutation. It throws only when `signal` aborts it: a failed request
 * returns a failure, and a response that carries data returns that data even when some fields
 * have errors.
 */
export async function runPersisted<Data>(
  target: EmbedTarget,
  operation: PersistedOperation,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Outcome<Data>> {
  let response: Response;
  try {
    response = await fetch(embedEndpoint(target), {
      method: 'POST',
      headers: embedHeaders(target, 'application/graphql-response+json, application/json'),
      body: persistedBody(operation, variables),
      credentials: 'omit',
      signal,
    });
  } catch (error) {
    if (signal?.aborted) {
      throw error;
    }
    return { failure: await diagnoseFetchFailure(target.base) };
  }

  const result = await readJson(response);
  if (result?.data && !result.errors?.some(isAuthenticationError)) {
    return { data: result.data as Data };
  }
  return { failure: classifyErrors(response.status, result?.errors) };
}

function isAuthenticationError(error: GraphQLError): boolean {
  return error.extensions?.code === 'UNAUTHENTICATED';
}
