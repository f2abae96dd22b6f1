import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import postgres from 'postgres';
import { WebSocketServer } from 'ws';
import { exitWhenParentLeaves, printReady } from '../lib/ready.ts';

// A peer for live fan-out: subscriptions the way most GraphQL servers deliver them. graphql-ws's
// `useServer` over graphql-js (no Yoga, no plugins), an in-memory pubsub, and for each event one
// graphql-js execution and one JSON.stringify per subscriber.
//
// - connection_init: the bearer token is checked with one query (auth_sessions joined to users)
//   and the socket is closed with 4403 when it matches no live sign-in.
// - liveSessionEvents(liveSessionId, after): the same types and fields as Staffroom's, enough for
//   the web client's LiveRoomEvents document. It ignores `after` and checks no access rule.
// - POST /send with `authorization: Bearer <token>` and {"liveSessionId", "body"}: one SQL
//   statement finds the sender by token, numbers the message as Staffroom does, inserts it into
//   chat_messages and returns it; then the event is published. No events row is written.
//
// Environment: DATABASE_URL (the benchmark database, required), PORT (default 0). Prints the
// benchmark's ready line once listening, and exits when its standard input closes. Started with
// --expose-gc and IPC, it replies to {type: 'gc'} as bench/lib/staffroom-process.ts does.

const SCHEMA = buildSchema(`
  scalar DateTime
  enum LiveSessionEventType {
    CHAT_MESSAGE CHAT_MESSAGE_DELETED CHAT_MESSAGE_EDITED HAND_LOWERED HAND_RAISED
    PARTICIPANT_MUTED PARTICIPANT_UNMUTED QUESTION_ASKED QUESTION_UPDATED STATUS_CHANGED UPDATED
  }
  enum LiveSessionStatus { CANCELLED ENDED LIVE SCHEDULED }
  enum QuestionStatus { ANSWERED DISMISSED OPEN }
  type User { id: ID! displayName: String! }
  type LiveSession { id: ID! status: LiveSessionStatus! slowModeSeconds: Int! }
  type ChatMessage {
    id: ID! sequence: Int! body: String! createdAt: DateTime! editedAt: DateTime
    deletedAt: DateTime deletedByModerator: Boolean! viewerCanEdit: Boolean! author: User
  }
  type LiveQuestion {
    id: ID! body: String! status: QuestionStatus! voteCount: Int! viewerHasVoted: Boolean!
    createdAt: DateTime! resolvedAt: DateTime author: User
  }
  type LiveSessionEvent {
    eventId: String! type: LiveSessionEventType! liveSession: LiveSession!
    chatMessage: ChatMessage question: LiveQuestion participant: User
  }
  type Query { liveSession(id: ID!): LiveSession }
  type Subscription { liveSessionEvents(liveSessionId: ID!, after: String): LiveSessionEvent! }
`);

interface PeerContext {
  userId: number;
}

/** Chat event as published: plain values, and a function for the one per-viewer field. */
interface ChatEvent {
  eventId: string;
  type: 'CHAT_MESSAGE';
  liveSession: { id: string; status: string; slowModeSeconds: number };
  chatMessage: {
    id: string;
    sequence: number;
    body: string;
    createdAt: string;
    editedAt: null;
    deletedAt: null;
    deletedByModerator: false;
    viewerCanEdit: (args: unknown, context: PeerContext) => boolean;
    author: { id: string; displayName: string };
  };
  question: null;
  participant: null;
}

/**
 * In-memory pubsub. Each subscriber gets an async iterator over its own queue, which leaves the
 * topic when the iterator returns.
 */
class MemoryPubSub<T> {
  private readonly topics = new Map<string, Set<(value: T) => void>>();

  publish(topic: string, value: T): void {
    for (const push of this.topics.get(topic) ?? []) {
      push(value);
    }
  }

  subscribe(topic: string): AsyncIterableIterator<T> {
    const queue: T[] = [];
    let waiting: ((result: IteratorResult<T>) => void) | null = null;
    let subscribers = this.topics.get(topic);
    if (!subscribers) {
      subscribers = new Set();
      this.topics.set(topic, subscribers);
    }
    const push = (value: T) => {
      if (waiting) {
        waiting({ value, done: false });
        waiting = null;
      } else {
        queue.push(value);
      }
    };
    subscribers.add(push);
    const end = (): Promise<IteratorResult<T>> => {
      subscribers.delete(push);
      if (subscribers.size === 0) {
        this.topics.delete(topic);
      }
      waiting?.({ value: undefined, done: true });
      waiting = null;
      return Promise.resolve({ value: undefined, done: true });
    };
    return {
      next: () => {
        const value = queue.shift();
        if (value !== undefined) {
          return Promise.resolve({ value, done: false });
        }
        return new Promise((resolve) => {
          waiting = resolve;
        });
      },
      return: end,
      throw: (error: unknown) => end().then(() => Promise.reject(error)),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  process.stderr.write('DATABASE_URL is missing; set it to the benchmark database.\n');
  process.exit(2);
}
const sql = postgres(databaseUrl, { max: 10, onnotice: () => {} });
const pubsub = new MemoryPubSub<{ liveSessionEvents: ChatEvent }>();
let eventCount = 0;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function bearerOf(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith('Bearer ') ? value.slice(7) : null;
}

async function findUserId(token: string | null): Promise<number | null> {
  if (!token) {
    return null;
  }
  const [row] = await sql<{ userId: number }[]>`
    select user_id as "userId" from auth_sessions
    where token_hash = ${hashToken(token)} and revoked_at is null and expires_at > now()`;
  return row?.userId ?? null;
}

/** Inserts a chat message with one statement, publishes its event and returns its global id. */
async function sendChatMessage(token: string, liveSessionGlobalId: string, body: string) {
  const liveSessionId = Number(decodeGlobalID(liveSessionGlobalId).id);
  const [row] = await sql<
    {
      id: number;
      sequence: number;
      body: string;
      createdAt: Date;
      authorId: number;
      displayName: string;
      status: string;
      slowModeSeconds: number;
    }[]
  >`
    with viewer as (
      select users.id, users.display_name from auth_sessions
      join users on users.id = auth_sessions.user_id
      where auth_sessions.token_hash = ${hashToken(token)}
        and auth_sessions.revoked_at is null and auth_sessions.expires_at > now()
    ), numbered as (
      update live_sessions set chat_sequence = chat_sequence + 1
      where id = ${liveSessionId} and exists (select 1 from viewer)
      returning id, chat_sequence, status, slow_mode_seconds
    ), inserted as (
      insert into chat_messages (live_session_id, author_id, sequence, body)
      select numbered.id, viewer.id, numbered.chat_sequence, ${body} from numbered, viewer
      returning id, sequence, body, created_at, author_id
    )
    select inserted.id, inserted.sequence, inserted.body, inserted.created_at as "createdAt",
      inserted.author_id as "authorId", viewer.display_name as "displayName",
      numbered.status, numbered.slow_mode_seconds as "slowModeSeconds"
    from inserted, viewer, numbered`;
  if (!row) {
    return null;
  }
  const authorId = row.authorId;
  const event: ChatEvent = {
    eventId: String(++eventCount),
    type: 'CHAT_MESSAGE',
    liveSession: {
      id: liveSessionGlobalId,
      status: row.status.toUpperCase(),
      slowModeSeconds: row.slowModeSeconds,
    },
    chatMessage: {
      id: encodeGlobalID('ChatMessage', row.id),
      sequence: row.sequence,
      body: row.body,
      createdAt: new Date(row.createdAt).toISOString(),
      editedAt: null,
      deletedAt: null,
      deletedByModerator: false,
      viewerCanEdit: (_args, context) => context.userId === authorId,
      author: { id: encodeGlobalID('User', authorId), displayName: row.displayName },
    },
    question: null,
    participant: null,
  };
  pubsub.publish(`liveSession:${liveSessionId}`, { liveSessionEvents: event });
  return event.chatMessage.id;
}

const server = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/send') {
    response.writeHead(404).end();
    return;
  }
  const token = bearerOf(request.headers.authorization);
  readJson(request)
    .then(async (input) => {
      const id =
        token && typeof input.liveSessionId === 'string' && typeof input.body === 'string'
          ? await sendChatMessage(token, input.liveSessionId, input.body)
          : null;
      response.writeHead(id ? 200 : 400, { 'content-type': 'application/json' });
      response.end(JSON.stringify(id ? { id } : { error: 'Unknown token or live session.' }));
    })
    .catch((error: unknown) => {
      process.stderr.write(`Sending a chat message failed: ${String(error)}\n`);
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
});

useServer<Record<string, unknown>, { userId?: number }>(
  {
    schema: SCHEMA,
    roots: {
      subscription: {
        liveSessionEvents: (args: { liveSessionId: string }) =>
          pubsub.subscribe(`liveSession:${decodeGlobalID(args.liveSessionId).id}`),
      },
    },
    onConnect: async (ctx) => {
      const userId = await findUserId(bearerOf(ctx.connectionParams?.authorization));
      if (userId === null) {
        return false;
      }
      ctx.extra.userId = userId;
      return true;
    },
    context: (ctx): PeerContext => ({ userId: ctx.extra.userId ?? 0 }),
  },
  new WebSocketServer({ server, path: '/graphql' }),
);

function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString()));
      } catch (error) {
        reject(error);
      }
    });
    request.on('error', reject);
  });
}

process.on('message', (message: { type?: unknown }) => {
  if (message?.type !== 'gc') {
    return;
  }
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.send?.({ type: 'gc', rss, heapUsed });
});

exitWhenParentLeaves(() => process.exit(0));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  printReady(`http://127.0.0.1:${port}`);
});
