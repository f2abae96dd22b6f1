import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { exitWhenParentLeaves, printReady } from '../lib/ready.ts';

// The floor of live fan-out: a plain `ws` server that does nothing per subscriber but write bytes.
// It speaks just enough of the graphql-ws protocol (graphql-transport-ws) for the benchmark's
// fleet: connection_init gets connection_ack, subscribe registers the operation id, complete
// removes it, ping gets pong. Tokens and documents are accepted unread.
//
// POST /send carries one `next` message as Staffroom sent it (captured by the fleet, with the
// chat message's body changed to the round's marker). The floor writes those same bytes to every
// subscribed operation, with only the operation id changed, and responds with the count.
//
// Environment: PORT (default 0, a free port). Prints the benchmark's ready line once listening,
// and exits when its standard input closes (the benchmark is gone).

const GRAPHQL_WS_PROTOCOL = 'graphql-transport-ws';

/** Subscribed operations, each with its socket and the start of its messages up to the id. */
const operations = new Map<string, { socket: WebSocket; head: string }>();
let nextSocketNumber = 0;

const server = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/send') {
    response.writeHead(404).end();
    return;
  }
  readBody(request).then(
    (text) => {
      const tail = tailAfterId(text);
      if (tail === null) {
        response.writeHead(400, { 'content-type': 'text/plain' });
        response.end('The body must be a graphql-ws next message: {"id":"…","type":"next",…}.');
        return;
      }
      for (const { socket, head } of operations.values()) {
        socket.send(head + tail);
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ sent: operations.size }));
    },
    (error: unknown) => {
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end(`Reading the request failed: ${String(error)}`);
    },
  );
});

const sockets = new WebSocketServer({
  server,
  path: '/graphql',
  handleProtocols: (protocols) =>
    protocols.has(GRAPHQL_WS_PROTOCOL) ? GRAPHQL_WS_PROTOCOL : false,
});

sockets.on('connection', (socket) => {
  // Operation ids are unique per socket only, so the map key carries the socket's number too.
  const prefix = `${nextSocketNumber++}:`;
  const owned = new Set<string>();
  socket.on('message', (data) => {
    let message: { type?: unknown; id?: unknown };
    try {
      message = JSON.parse(String(data));
    } catch {
      socket.close(4400, 'Invalid message');
      return;
    }
    if (message.type === 'connection_init') {
      socket.send('{"type":"connection_ack"}');
    } else if (message.type === 'ping') {
      socket.send('{"type":"pong"}');
    } else if (message.type === 'subscribe' && typeof message.id === 'string') {
      owned.add(message.id);
      operations.set(prefix + message.id, { socket, head: `{"id":${JSON.stringify(message.id)}` });
    } else if (message.type === 'complete' && typeof message.id === 'string') {
      owned.delete(message.id);
      operations.delete(prefix + message.id);
    }
  });
  socket.on('close', () => {
    for (const id of owned) {
      operations.delete(prefix + id);
    }
  });
});

/** Returns the part of a `next` message after its id, or null when the text is not one. */
function tailAfterId(text: string): string | null {
  let message: { id?: unknown; type?: unknown };
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  const head = `{"id":${JSON.stringify(message.id)}`;
  if (message.type !== 'next' || typeof message.id !== 'string' || !text.startsWith(head)) {
    return null;
  }
  return text.slice(head.length);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString()));
    request.on('error', reject);
  });
}

exitWhenParentLeaves(() => process.exit(0));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  printReady(`http://127.0.0.1:${port}`);
});
