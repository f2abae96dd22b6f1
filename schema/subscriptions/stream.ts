import { ViewerAccess } from '../../server/auth/viewer-access.ts';
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
    // NOTE: this runs one access query per subscriber and event; a live session with thousands
    // of sockets pays that per chat message.
    const access = new ViewerAccess(ctx.db, ctx.viewer);
    if (!(await mayRead(access))) {
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
