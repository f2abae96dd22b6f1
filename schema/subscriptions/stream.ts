import type { ViewerAccess } from '../../server/auth/viewer-access.ts';
import { ForbiddenError } from '../../server/errors.ts';
import type { EventRow } from '../../server/pubsub/event-hub.ts';
import type { GraphQLContext } from '../builder.ts';

/** An event as a subscriber receives it, or the reason the stream ends. */
export type StreamItem = EventRow | ForbiddenError;

/**
 * Streams a topic's events to one subscriber, asking `mayRead` with freshly loaded access
 * before each event, so that someone who loses access gets a ForbiddenError and the stream ends
 * instead of another event.
 */
export async function* streamTopic(
  ctx: GraphQLContext,
  topic: string,
  after: number | null,
  mayRead: (access: ViewerAccess) => Promise<boolean>,
): AsyncGenerator<StreamItem> {
  for await (const event of ctx.events.subscribe(topic, after)) {
    // A fresh access per event applies membership changes at once. The loads of all subscribers
    // woken by the same event are batched into shared queries.
    if (!(await mayRead(ctx.access.fresh()))) {
      yield new ForbiddenError('You no longer have access to this; the subscription has ended.');
      return;
    }
    yield event;
  }
}

/** Unwraps a stream item in a resolver: a ForbiddenError becomes the payload's GraphQL error. */
export function unwrap(item: StreamItem): EventRow {
  if (item instanceof ForbiddenError) {
    throw item;
  }
  return item;
}

export function payloadId(event: EventRow, key: string): number | null {
  const value = event.payload[key];
  return typeof value === 'number' ? value : null;
}
