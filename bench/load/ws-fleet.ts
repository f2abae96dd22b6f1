import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { CHAT_FIELDS, ROOM_EVENTS } from '../../client/app/components/live-room/room-documents.ts';
import { mutationDocument } from '../../client/app/lib/operations.ts';
import { exitWhenParentLeaves, printReady } from '../lib/ready.ts';

// A fleet of WebSocket subscribers for the fan-out figures, in a process of its own so that the
// sockets' client ends do not share an event loop (or the limit of open files) with the
// benchmark. It speaks the graphql-ws protocol directly over `ws`, with no graphql-ws client per
// socket: connection_init with a bearer token, then one subscribe with the web client's
// LiveRoomEvents document.
//
// The fleet fires each trigger itself (Staffroom's sendChatMessage mutation as the web client
// sends it, or a baseline's POST /send), so that the time from the trigger to the last delivery
// is taken on one clock. Every chat message carries a marker, `bench-message-<n>`, which the
// fleet finds in the received bytes without parsing them.
//
// Commands come as JSON in POST /command to the control URL of its ready line, one at a time;
// see FleetCommand. It exits when its standard input closes (the benchmark is gone).

export type Trigger =
  | { kind: 'staffroom'; url: string; liveSessionId: string; senderTokens: string[] }
  | { kind: 'peer'; url: string; liveSessionId: string; senderTokens: string[] }
  /** A ws floor, sent a `next` message captured from Staffroom. */
  | { kind: 'floor'; url: string; message: string };

export type FleetCommand =
  | {
      command: 'connect';
      /** Base URLs of the servers, taken in turn. Sockets open `<url>/graphql`. */
      urls: string[];
      /** Sockets to add, split evenly over the servers. */
      count: number;
      liveSessionId: string;
      /** A file containing a JSON array of bearer tokens. Socket i uses token i modulo its length. */
      tokensFile: string;
      /** Handshakes in flight at once. */
      parallel: number;
    }
  | { command: 'probe'; trigger: Trigger; timeoutMs: number }
  | { command: 'fanout'; trigger: Trigger; timeoutMs: number }
  | { command: 'stream'; trigger: Trigger; perSecond: number; count: number; timeoutMs: number }
  | { command: 'churn'; intervalMs: number; durationMs: number }
  /** Closes the sockets beyond the first `keep` (all of them without it). */
  | { command: 'close'; keep?: number };

export interface ConnectResult {
  sockets: number;
  failed: number;
  /** The first few failure reasons. */
  failures: string[];
  ms: number;
}

export interface ProbeResult {
  /** Sockets that have received at least one event. The others are closed. */
  subscribed: number;
  /** Sockets closed because no probe reached them. */
  dropped: number;
  probes: number;
}

export interface FanoutResult {
  /**
   * From sending the trigger to the moment the last socket had the message, or to the timeout
   * when some sockets did not have it by then.
   */
  lastMs: number;
  medianMs: number;
  received: number;
  expected: number;
  /** The first message received, as text: a `next` message to replay through the floor. */
  sample: string | null;
}

export interface StreamResult {
  /** One latency per delivery: from sending a message's trigger to a socket having it. */
  latenciesMs: number[];
  sent: number;
  failedSends: number;
  firstFailure: string | null;
  /** Deliveries that had not arrived at the timeout, counted in latenciesMs with the time waited. */
  missing: number;
}

export interface ChurnResult {
  resubscribes: number;
  /** graphql-ws error messages received during the churn. */
  errors: number;
  firstError: string | null;
}

const MARKER = 'bench-message-';
const MARKER_BYTES = Buffer.from(MARKER);
const SEND_CHAT = mutationDocument('sendChatMessage', 'SendChatMessageInput', CHAT_FIELDS);
const HANDSHAKE_TIMEOUT_MS = 30_000;

interface Subscriber {
  socket: WebSocket;
  index: number;
  liveSessionId: string;
  operationId: string;
  generation: number;
  /** The highest marker received, or 0. */
  lastMarker: number;
}

/** Callback of the running measurement, called for each delivery of a marked message. */
type DeliveryHandler = (subscriber: Subscriber, marker: number, at: number, data: Buffer) => void;

const subscribers: Subscriber[] = [];
let onDelivery: DeliveryHandler | null = null;
let nextMarker = 1;
let openedSockets = 0;
let lastMessageAt = 0;
let errorCount = 0;
let firstError: string | null = null;
const tokenLists = new Map<string, string[]>();

function tokensOf(file: string): string[] {
  let tokens = tokenLists.get(file);
  if (!tokens) {
    tokens = JSON.parse(readFileSync(file, 'utf8')) as string[];
    if (!Array.isArray(tokens) || tokens.length === 0) {
      throw new Error(`${file} does not contain a non-empty JSON array of tokens.`);
    }
    tokenLists.set(file, tokens);
  }
  return tokens;
}

function subscribeMessage(subscriber: Subscriber): string {
  return JSON.stringify({
    id: subscriber.operationId,
    type: 'subscribe',
    payload: { query: ROOM_EVENTS, variables: { id: subscriber.liveSessionId } },
  });
}

/** Reads the number after the marker, or returns 0 when the message has none. */
function markerOf(data: Buffer): number {
  const at = data.indexOf(MARKER_BYTES);
  if (at === -1) {
    return 0;
  }
  let value = 0;
  for (let position = at + MARKER_BYTES.length; position < data.length; position++) {
    const digit = (data[position] ?? 0) - 48;
    if (digit < 0 || digit > 9) {
      break;
    }
    value = value * 10 + digit;
  }
  return value;
}

function handleEvent(subscriber: Subscriber, data: Buffer): void {
  const at = performance.now();
  lastMessageAt = at;
  const marker = markerOf(data);
  if (marker === 0) {
    if (data.includes('"type":"error"')) {
      errorCount += 1;
      firstError ??= data.toString().slice(0, 500);
    }
    return;
  }
  subscriber.lastMarker = Math.max(subscriber.lastMarker, marker);
  onDelivery?.(subscriber, marker, at, data);
}

/** Opens one socket, waits for connection_ack, then subscribes. Rejects with the reason. */
function openSubscriber(url: string, token: string, liveSessionId: string): Promise<Subscriber> {
  const index = openedSockets++;
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
    perMessageDeflate: false,
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  });
  const subscriber: Subscriber = {
    socket,
    index,
    liveSessionId,
    operationId: `${index}.0`,
    generation: 0,
    lastMarker: 0,
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('connection_ack timed out after 30 s'));
    }, HANDSHAKE_TIMEOUT_MS);
    let acked = false;
    socket.on('open', () => {
      socket.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
      );
    });
    socket.on('message', (data: Buffer) => {
      if (acked) {
        handleEvent(subscriber, data);
        return;
      }
      if (data.includes('"connection_ack"')) {
        acked = true;
        clearTimeout(timer);
        socket.send(subscribeMessage(subscriber));
        resolve(subscriber);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', (code, reason) => {
      clearTimeout(timer);
      if (!acked) {
        reject(new Error(`closed with ${code} ${reason.toString()}`));
      }
    });
  });
}

async function connect(command: Extract<FleetCommand, { command: 'connect' }>) {
  const started = performance.now();
  const tokens = tokensOf(command.tokensFile);
  const failures: string[] = [];
  let failed = 0;
  let remaining = command.count;
  const worker = async () => {
    while (remaining > 0) {
      remaining -= 1;
      const token = tokens[openedSockets % tokens.length] ?? '';
      const url = command.urls[remaining % command.urls.length] ?? '';
      try {
        subscribers.push(await openSubscriber(url, token, command.liveSessionId));
      } catch (error) {
        failed += 1;
        if (failures.length < 5) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.parallel, command.count) }, worker));
  return {
    sockets: subscribers.length,
    failed,
    failures,
    ms: performance.now() - started,
  } satisfies ConnectResult;
}

/** Sends one trigger with the given marker in the chat message's body; rejects on failure. */
async function fire(trigger: Trigger, marker: number): Promise<void> {
  const body = `${MARKER}${marker}`;
  if (trigger.kind === 'floor') {
    const message = trigger.message.replace(/bench-message-\d+/, body);
    await postOk(`${trigger.url}/send`, message, {});
    return;
  }
  const token = trigger.senderTokens[marker % trigger.senderTokens.length] ?? '';
  const headers = { authorization: `Bearer ${token}` };
  if (trigger.kind === 'peer') {
    await postOk(
      `${trigger.url}/send`,
      JSON.stringify({ liveSessionId: trigger.liveSessionId, body }),
      headers,
    );
    return;
  }
  const text = await postOk(
    `${trigger.url}/graphql`,
    JSON.stringify({
      query: SEND_CHAT,
      variables: { input: { liveSessionId: trigger.liveSessionId, body } },
    }),
    headers,
  );
  const result = JSON.parse(text) as {
    data?: { sendChatMessage?: { __typename?: string; message?: string } };
    errors?: { message: string }[];
  };
  const outcome = result.data?.sendChatMessage;
  if (outcome?.__typename !== 'MutationSendChatMessageSuccess') {
    throw new Error(
      `sendChatMessage failed: ${outcome?.__typename ?? ''} ${outcome?.message ?? result.errors?.[0]?.message ?? text.slice(0, 300)}`,
    );
  }
}

async function postOk(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`POST ${url} returned ${response.status}: ${text.slice(0, 300)}`);
  }
  return text;
}

/**
 * Fires messages until every socket has received one, which is the only sign that a graphql-ws
 * subscription is running, then waits until deliveries stop. Sockets that no message reached
 * after a few tries are closed, so that later measurements expect only working ones.
 */
async function probe(command: Extract<FleetCommand, { command: 'probe' }>): Promise<ProbeResult> {
  const maxProbes = 4;
  let probes = 0;
  const countSubscribed = () =>
    subscribers.filter((subscriber) => subscriber.lastMarker > 0).length;
  while (probes < maxProbes && countSubscribed() < subscribers.length) {
    probes += 1;
    await fire(command.trigger, nextMarker++);
    const deadline = performance.now() + command.timeoutMs;
    while (countSubscribed() < subscribers.length && performance.now() < deadline) {
      await sleep(50);
    }
  }
  await waitForQuiet(300, command.timeoutMs);
  const silent = subscribers.filter((subscriber) => subscriber.lastMarker === 0);
  for (const subscriber of silent) {
    subscriber.socket.terminate();
    subscribers.splice(subscribers.indexOf(subscriber), 1);
  }
  return { subscribed: subscribers.length, dropped: silent.length, probes };
}

async function fanout(
  command: Extract<FleetCommand, { command: 'fanout' }>,
): Promise<FanoutResult> {
  const marker = nextMarker++;
  const expected = subscribers.length;
  const arrivals: number[] = [];
  let sample: Buffer | null = null;
  let allArrived: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allArrived = resolve;
  });
  onDelivery = (_subscriber, delivered, at, data) => {
    if (delivered !== marker) {
      return;
    }
    arrivals.push(at);
    sample ??= data;
    if (arrivals.length === expected) {
      allArrived();
    }
  };
  const sentAt = performance.now();
  try {
    await Promise.all([fire(command.trigger, marker), withTimeout(done, command.timeoutMs)]);
  } finally {
    onDelivery = null;
  }
  const latencies = arrivals.map((at) => at - sentAt).sort((a, b) => a - b);
  return {
    // Past the timeout, the time waited is a lower bound of the last delivery.
    lastMs: arrivals.length < expected ? performance.now() - sentAt : (latencies.at(-1) ?? 0),
    medianMs: latencies[Math.floor(latencies.length / 2)] ?? Number.NaN,
    received: arrivals.length,
    expected,
    sample: sample === null ? null : (sample as Buffer).toString(),
  };
}

async function stream(
  command: Extract<FleetCommand, { command: 'stream' }>,
): Promise<StreamResult> {
  const sentAt = new Map<number, number>();
  const arrived = new Map<number, number>();
  const latenciesMs: number[] = [];
  const expected = command.count * subscribers.length;
  let failedSends = 0;
  let firstFailure: string | null = null;
  let allArrived: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allArrived = resolve;
  });
  onDelivery = (_subscriber, marker, at) => {
    const sent = sentAt.get(marker);
    if (sent === undefined) {
      return;
    }
    latenciesMs.push(at - sent);
    arrived.set(marker, (arrived.get(marker) ?? 0) + 1);
    if (latenciesMs.length === expected) {
      allArrived();
    }
  };
  const sends: Promise<void>[] = [];
  const started = performance.now();
  for (let index = 0; index < command.count; index++) {
    const due = started + (index * 1000) / command.perSecond;
    await sleep(Math.max(0, due - performance.now()));
    const marker = nextMarker++;
    sentAt.set(marker, performance.now());
    sends.push(
      fire(command.trigger, marker).catch((error: unknown) => {
        failedSends += 1;
        firstFailure ??= error instanceof Error ? error.message : String(error);
        sentAt.delete(marker);
      }),
    );
  }
  await Promise.all(sends);
  await withTimeout(done, command.timeoutMs);
  onDelivery = null;
  // Deliveries still missing count with the time waited for them, a lower bound.
  const now = performance.now();
  let missing = 0;
  for (const [marker, sent] of sentAt) {
    const absent = subscribers.length - (arrived.get(marker) ?? 0);
    for (let index = 0; index < absent; index++) {
      latenciesMs.push(now - sent);
    }
    missing += absent;
  }
  return { latenciesMs, sent: command.count, failedSends, firstFailure, missing };
}

/**
 * Completes and re-subscribes every socket once per interval, on the same socket with a new
 * operation id, spreading the sockets evenly over the interval.
 */
async function churn(command: Extract<FleetCommand, { command: 'churn' }>): Promise<ChurnResult> {
  const errorsBefore = errorCount;
  firstError = null;
  const count = subscribers.length;
  const started = performance.now();
  const end = started + command.durationMs;
  let resubscribes = 0;
  let position = 0;
  let cycle = 0;
  while (performance.now() < end && count > 0) {
    const now = performance.now();
    while (started + cycle * command.intervalMs + (position * command.intervalMs) / count <= now) {
      const subscriber = subscribers[position];
      if (subscriber && subscriber.socket.readyState === WebSocket.OPEN) {
        subscriber.socket.send(JSON.stringify({ id: subscriber.operationId, type: 'complete' }));
        subscriber.generation += 1;
        subscriber.operationId = `${subscriber.index}.${subscriber.generation}`;
        subscriber.socket.send(subscribeMessage(subscriber));
        resubscribes += 1;
      }
      position += 1;
      if (position === count) {
        position = 0;
        cycle += 1;
      }
    }
    await sleep(10);
  }
  return { resubscribes, errors: errorCount - errorsBefore, firstError };
}

async function close(keep = 0): Promise<{ closed: number }> {
  const closing = subscribers.splice(keep).map(
    ({ socket }) =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) {
          resolve();
          return;
        }
        socket.once('close', () => resolve());
        socket.close(1000);
      }),
  );
  await withTimeout(Promise.all(closing), 10_000).catch(() => {});
  return { closed: closing.length };
}

async function waitForQuiet(quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() - lastMessageAt < quietMs && performance.now() < deadline) {
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function run(command: FleetCommand): Promise<unknown> {
  switch (command.command) {
    case 'connect':
      return connect(command);
    case 'probe':
      return probe(command);
    case 'fanout':
      return fanout(command);
    case 'stream':
      return stream(command);
    case 'churn':
      return churn(command);
    case 'close':
      return close(command.keep);
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString()));
    request.on('error', reject);
  });
}

let busy = false;
const control = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/command') {
    response.writeHead(404).end();
    return;
  }
  if (busy) {
    response.writeHead(409, { 'content-type': 'text/plain' }).end('A command is running.');
    return;
  }
  busy = true;
  readBody(request)
    .then((text) => run(JSON.parse(text) as FleetCommand))
    .then(
      (result) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(result));
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(error instanceof Error ? error.message : String(error));
      },
    )
    .finally(() => {
      busy = false;
    });
});
control.requestTimeout = 0;

exitWhenParentLeaves(() => process.exit(0));
control.listen(0, '127.0.0.1', () => {
  const { port } = control.address() as AddressInfo;
  printReady(`http://127.0.0.1:${port}`);
});
