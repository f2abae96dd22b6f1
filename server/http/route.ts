import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLContext } from '../../schema/index.ts';
import type { Config } from '../config.ts';
import { AuthenticationError, type ContextDeps } from '../context.ts';

/**
 * A plain HTTP endpoint beside /graphql (single sign-on redirects, data export). It returns
 * true when it handled the request, false to let the next route try.
 */
export type HttpRoute = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) => Promise<boolean>;

export interface HttpRouteDeps {
  config: Config;
  deps: ContextDeps;
  /**
   * Authenticates a request as /graphql does (bearer token, or the session cookie from a trusted
   * origin) and returns its context. The viewer is null when it carries no valid sign-in, and a
   * bad bearer token throws AuthenticationError.
   */
  contextFor: (request: IncomingMessage, response: ServerResponse) => Promise<GraphQLContext>;
  /** Whether cookies set on this request's response get the Secure attribute. */
  isSecure: (request: IncomingMessage) => boolean;
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** Sends a redirect; `location` must be a path of this site or an address already checked. */
export function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { Location: location, 'Cache-Control': 'no-store' }).end();
}

/**
 * Authenticates a request as `contextFor` does, and sends 401 itself when its bearer token is
 * unknown, expired or revoked. Returns the context, or null once the 401 has been sent.
 */
export async function contextOrUnauthorized(
  routeDeps: HttpRouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<GraphQLContext | null> {
  try {
    return await routeDeps.contextFor(request, response);
  } catch (error) {
    if (error instanceof AuthenticationError) {
      sendJson(response, 401, { error: error.message });
      return null;
    }
    throw error;
  }
}
