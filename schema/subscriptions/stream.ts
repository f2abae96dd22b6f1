import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { authSessions } from '../../drizzle/tables/index.ts';
import type { ViewerAccess } from '../../server/auth/viewer-access.ts';
import { ForbiddenError } from '../../server/errors.ts';
import type { RoomSignal } from '../../server/pubsub/event-bus.ts';
import type { EventRow } from '../../server/pubsub/event-hub.ts';
import { authSessionTopic } from '../../server/services/account.ts';
import { communityAccessTopic } from '../../server/services/membership.ts';
import { runAt } from '../../server/timers.ts';
import type { GraphQLContext } from '../builder.ts';

/** An event as a subscriber receives it, or the reason the stream ends. */
export type StreamItem = EventRow | ForbiddenError;
export type SignalItem = RoomSignal | ForbiddenError;

/** Signals a slow subscriber may have waiting; older ones are dropped, as they are only hints. */
const SIGNAL_BACKLOG = 200;

const SIGNED_OUT = 'Your sign-in has ended; sign in again to go on receiving events.';
const NO_ACCESS = 'You no longer have access to this; the subscription has ended.';

/** Who receives an event: what `hide` and `mayRead` decide on. */
export interface Recipient {
  viewer: GraphQLContext['viewer'];
  access: ViewerAccess;
}

/**
 * What a topic subscription delivers and to whom. The rules take the recipient as an argument,
 * so that one description serves every subscriber of the same topic and selection.
 */
export interface TopicStream {
  topic: string;
  /** Events after this id are replayed first; null for only those committed from now on. */
  after: number | null;
  /** Asked with freshly loaded access before each event. */
  mayRead: (access: ViewerAccess) => Promise<boolean>;
  /** The community whose access changes make every subscriber's access be checked at once. */
  communityId: number | null;
  /** Leaves an event out for a recipient when it returns true. */
  hide?: (event: EventRow, recipient: Recipient) => Promise<boolean>;
}

/**
 * Lets the WebSocket server take over a topic subscription: when a context carries a claim,
 * streamTopic records its description there, and the server delivers the events itself, once
 * for all subscribers with the same selection (see server/shared-delivery.ts). The stream it
 * returns then stays unused.
 */
export interface TopicClaim {
  stream: TopicStream | null;
}

type ClaimingContext = GraphQLContext & { topicClaim?: TopicClaim };

/**
 * Streams a topic's events to one subscriber, asking `mayRead` with freshly loaded access
 * before each event, and leaving out the events for which `hide` returns true, so that someone
 * who loses access gets a ForbiddenError and the stream ends instead of another event. It also
 * checks at once, without waiting for the next event, when the community's access changes (a
 * removal, ban or visibility change), when the sign-in is revoked, and when it expires.
 */
export function streamTopic(
  ctx: GraphQLContext,
  stream: TopicStream,
): AsyncIterableIterator<StreamItem> {
  const claim = (ctx as ClaimingContext).topicClaim;
  if (claim) {
    claim.stream = stream;
  }
  const recipient = { viewer: ctx.viewer, access: ctx.access };
  // Generators run nothing before their first next(), so a claimed stream costs nothing.
  return stoppable((stop) =>
    checkedStream(
      ctx,
      (signal) => ctx.events.subscribe(stream.topic, stream.after, signal),
      stream.mayRead,
      stream.communityId,
      true,
      stop,
      stream.hide && ((event: EventRow) => stream.hide?.(event, recipient) ?? false),
    ),
  );
}

/**
 * Streams a topic's passing signals (typing, reactions, presence) to one subscriber. Access is
 * checked when the subscription starts and again whenever the community's access or the sign-in
 * changes, not before every signal, since signals are many and carry no content.
 */
export function streamSignals(
  ctx: GraphQLContext,
  topic: string,
  mayRead: (access: ViewerAccess) => Promise<boolean>,
  communityId: number | null,
): AsyncIterableIterator<SignalItem> {
  return stoppable((stop) =>
    checkedStream(
      ctx,
      (signal) => signalSource(ctx, topic, signal),
      mayRead,
      communityId,
      false,
      stop,
    ),
  );
}

async function* signalSource(
  ctx: GraphQLContext,
  topic: string,
  stopSignal: AbortSignal,
): AsyncGenerator<RoomSignal> {
  const queue: RoomSignal[] = [];
  let wake: (() => void) | null = null;
  const unwatch = ctx.events.watch(topic, (notice) => {
    if (notice.signal) {
      queue.push(notice.signal);
      if (queue.length > SIGNAL_BACKLOG) {
        queue.shift();
      }
      wake?.();
    }
  });
  const onAbort = () => wake?.();
  stopSignal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!stopSignal.aborted) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } finally {
    stopSignal.removeEventListener('abort', onAbort);
    unwatch();
  }
}

function stoppable<T>(
  start: (stop: AbortController) => AsyncGenerator<T>,
): AsyncIterableIterator<T> {
  const stop = new AbortController();
  const stream = start(stop);
  // An async generator takes return() only after the event it waits for arrives. Aborting first
  // ends that wait, so an unsubscribed stream leaves its topic at once.
  return {
    next: () => stream.next(),
    return: (value?: unknown) => {
      stop.abort();
      return stream.return(value as undefined);
    },
    throw: (error?: unknown) => {
      stop.abort();
      return stream.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function* checkedStream<T>(
  ctx: GraphQLContext,
  source: (signal: AbortSignal) => AsyncGenerator<T>,
  mayRead: (access: ViewerAccess) => Promise<boolean>,
  communityId: number | null,
  checkEach: boolean,
  stop: AbortController,
  hide?: (item: T) => Promise<boolean> | boolean,
): AsyncGenerator<T | ForbiddenError> {
  let recheckSignIn = false;
  let pendingCheck = false;
  let wakeCheck: (() => void) | null = null;
  const requestCheck = (signIn: boolean) => {
    recheckSignIn ||= signIn;
    pendingCheck = true;
    wakeCheck?.();
  };

  const unwatch: (() => void)[] = [];
  if (communityId !== null) {
    unwatch.push(ctx.events.watch(communityAccessTopic(communityId), () => requestCheck(false)));
  }
  let cancelExpiry = () => {};
  if (ctx.authSessionId !== null) {
    unwatch.push(ctx.events.watch(authSessionTopic(ctx.authSessionId), () => requestCheck(true)));
    if (ctx.authExpiresAt) {
      cancelExpiry = runAt(ctx.authExpiresAt.getTime(), () => requestCheck(true));
    }
  }

  const allowed = async (): Promise<ForbiddenError | null> => {
    if (recheckSignIn) {
      recheckSignIn = false;
      if (!(await signInIsValid(ctx))) {
        return new ForbiddenError(SIGNED_OUT);
      }
    }
    // A fresh access per check applies membership changes at once. The loads of all subscribers
    // woken by the same event are batched into shared queries.
    return (await mayRead(ctx.access.fresh())) ? null : new ForbiddenError(NO_ACCESS);
  };

  stop.signal.addEventListener('abort', () => wakeCheck?.(), { once: true });
  const events = source(stop.signal);
  try {
    let nextEvent = events.next();
    for (;;) {
      const woken = new Promise<'check'>((resolve) => {
        wakeCheck = () => resolve('check');
        if (pendingCheck) {
          resolve('check');
        }
      });
      const result = await Promise.race([nextEvent, woken]);
      wakeCheck = null;
      if (stop.signal.aborted) {
        return;
      }
      if (result === 'check') {
        pendingCheck = false;
        const refused = await allowed();
        if (refused) {
          yield refused;
          return;
        }
        continue;
      }
      if (result.done) {
        return;
      }
      const refused = checkEach || pendingCheck ? await allowed() : null;
      if (refused) {
        yield refused;
        return;
      }
      if (!(await hide?.(result.value))) {
        yield result.value;
      }
      nextEvent = events.next();
    }
  } finally {
    cancelExpiry();
    for (const stopWatching of unwatch) {
      stopWatching();
    }
    // Wakes the topic's reader, which then finishes and leaves the topic.
    stop.abort();
    await events.return(undefined);
  }
}

export async function signInIsValid(ctx: GraphQLContext): Promise<boolean> {
  if (ctx.authSessionId === null) {
    return true;
  }
  const [row] = await ctx.db
    .select({ id: authSessions.id })
    .from(authSessions)
    .where(
      and(
        eq(authSessions.id, ctx.authSessionId),
        isNull(authSessions.revokedAt),
        gt(authSessions.expiresAt, sql`now()`),
      ),
    );
  return row !== undefined;
}

/** Unwraps a stream item in a resolver: a ForbiddenError becomes the payload's GraphQL error. */
export function unwrap<T>(item: T | ForbiddenError): T {
  if (item instanceof ForbiddenError) {
    throw item;
  }
  return item;
}

export function payloadId(event: EventRow, key: string): number | null {
  const value = event.payload[key];
  return typeof value === 'number' ? value : null;
}
