import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startServer } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';

// Measures Staffroom against baselines taken in the same run on the same machine, and prints
// ratios: SQL statements of the community page as the page grows, the delay from a reply's
// commit to a subscriber against a plain HTTP round trip, and start-up against a bare Node.js
// process. Run with `npm run bench`; it uses the embedded database in a temporary folder.

const THREADS = 100;
const LATENCY_SAMPLES = 50;

// biome-ignore lint/suspicious/noExplicitAny: GraphQL results are read field by field here.
type Json = Record<string, any>;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'staffroom-bench-'));
  const server = await startServer(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SEED_DEMO: 'false',
      SERVE_CLIENT: 'false',
      LOG_LEVEL: 'warn',
      QUERY_STATS: 'true',
    }),
  );
  const gql = async (query: string, variables: Json = {}, token?: string): Promise<Json> => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Json;
  };

  const signUp = await gql(
    'mutation($input: SignUpInput!) { signUp(input: $input) { ... on MutationSignUpSuccess { data { token } } } }',
    { input: { email: 'bench@example.org', password: 'benchmark-password', displayName: 'Bench' } },
  );
  const token: string = signUp.data.signUp.data.token;
  const community = await gql(
    'mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { ... on MutationCreateCommunitySuccess { data { id slug } } } }',
    { input: { name: 'Benchmark Community', focus: 'STEM', visibility: 'PUBLIC' } },
    token,
  );
  const { id: communityId, slug } = community.data.createCommunity.data;
  let firstThreadId = '';
  for (let index = 0; index < THREADS; index++) {
    const thread = await gql(
      'mutation($input: CreateThreadInput!) { createThread(input: $input) { ... on MutationCreateThreadSuccess { data { id } } } }',
      { input: { communityId, title: `Thread ${index}`, body: 'Body' } },
      token,
    );
    firstThreadId ||= thread.data.createThread.data.id;
    await gql(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { __typename } }',
      { input: { threadId: thread.data.createThread.data.id, body: `Reply to ${index}` } },
      token,
    );
  }

  process.stdout.write('SQL statements for the community page, by page size\n');
  const pageQuery = `query($slug: String!, $first: Int!) { community(slug: $slug) {
    name memberCount viewerCanPost
    threads(first: $first) { pageInfo { hasNextPage endCursor } nodes { id title replyCount lastActivityAt kind pinned author { displayName } } }
    upcomingLiveSessions(first: $first) { nodes { id title startsAt host { displayName } } }
    pastLiveSessions(first: $first) { nodes { id title } }
    badges(first: $first) { nodes { id name isteStandards { code } } }
    members(first: $first) { nodes { role user { displayName } } } } }`;
  const statementsBySize: Record<number, number> = {};
  for (const first of [5, 20, 50, 100]) {
    const result = await gql(pageQuery, { slug, first }, token);
    statementsBySize[first] = result.extensions.sqlStatements;
    process.stdout.write(`  first: ${first}  statements: ${result.extensions.sqlStatements}\n`);
  }
  process.stdout.write(
    `  ratio 100/5: ${(statementsBySize[100]! / statementsBySize[5]!).toFixed(2)} (goal 1.00)\n`,
  );

  const roundTrips: number[] = [];
  for (let index = 0; index < LATENCY_SAMPLES; index++) {
    const started = performance.now();
    await gql('{ __typename }');
    roundTrips.push(performance.now() - started);
  }

  const client = createClient({
    url: `${server.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  const arrivals: number[] = [];
  const waiting: { resolve: (() => void) | null } = { resolve: null };
  const subscription = client.iterate({
    query:
      'subscription($id: ID!) { threadActivity(threadId: $id) { eventId post { body author { displayName } } } }',
    variables: { id: firstThreadId },
  });
  void (async () => {
    for await (const _event of subscription) {
      arrivals.push(performance.now());
      waiting.resolve?.();
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const deliveries: number[] = [];
  const mutations: number[] = [];
  for (let index = 0; index < LATENCY_SAMPLES; index++) {
    const arrived = new Promise<void>((resolve) => {
      waiting.resolve = resolve;
    });
    const sent = performance.now();
    await gql(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { __typename } }',
      { input: { threadId: firstThreadId, body: `Live ${index}` } },
      token,
    );
    mutations.push(performance.now() - sent);
    await arrived;
    deliveries.push((arrivals.at(-1) ?? sent) - sent);
  }
  await client.dispose();

  const fanOut = await measureFanOut(server.url, token, communityId, gql);
  await server.stop();

  const roundTrip = median(roundTrips);
  const mutation = median(mutations);
  const delivery = median(deliveries);
  process.stdout.write(
    '\nA reply reaching a WebSocket subscriber, from the moment the mutation is sent\n',
  );
  process.stdout.write(`  median HTTP round trip of { __typename }: ${roundTrip.toFixed(2)} ms\n`);
  process.stdout.write(`  median createPost round trip: ${mutation.toFixed(2)} ms\n`);
  process.stdout.write(`  median time until the subscriber has it: ${delivery.toFixed(2)} ms\n`);
  process.stdout.write(
    `  delivery / createPost round trip: ${(delivery / mutation).toFixed(2)} (goal at most 2)\n`,
  );
  process.stdout.write(`  delivery / bare round trip: ${(delivery / roundTrip).toFixed(2)}\n`);

  process.stdout.write(
    '\nOne chat message fanned out to many WebSocket subscribers of one live session\n',
  );
  for (const [count, ms] of fanOut) {
    process.stdout.write(`  ${count} subscribers: ${ms.toFixed(1)} ms until the last has it\n`);
  }
  const single = fanOut[0]?.[1] ?? 1;
  const [largest, largestMs] = fanOut.at(-1) ?? [1, single];
  process.stdout.write(
    `  time per subscriber at ${largest}, against one: ${(largestMs / largest / single).toFixed(3)} (goal well under 1)\n`,
  );

  const bare = await timeProcess(
    process.execPath,
    [
      '-e',
      'require("node:http").createServer((q,s)=>s.end("ok")).listen(0,()=>process.stdout.write("ready\\n"))',
    ],
    'ready',
  );
  const staffroom = await timeProcess(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts'],
    'Staffroom listening',
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SEED_DEMO: 'false',
      SERVE_CLIENT: 'false',
      LOG_LEVEL: 'info',
    },
  );
  process.stdout.write('\nStart-up to listening, on an existing embedded database\n');
  process.stdout.write(`  bare Node.js HTTP server: ${bare.toFixed(0)} ms\n`);
  process.stdout.write(`  Staffroom: ${staffroom.toFixed(0)} ms\n`);
  process.stdout.write(`  ratio: ${(staffroom / bare).toFixed(1)}\n`);
  rmSync(dataDir, { recursive: true, force: true });
}

async function measureFanOut(
  url: string,
  token: string,
  communityId: string,
  gql: (query: string, variables?: Json, token?: string) => Promise<Json>,
): Promise<[number, number][]> {
  const startsAt = new Date(Date.now() + 60_000).toISOString();
  const endsAt = new Date(Date.now() + 3_600_000).toISOString();
  const scheduled = await gql(
    'mutation($input: ScheduleLiveSessionInput!) { scheduleLiveSession(input: $input) { ... on MutationScheduleLiveSessionSuccess { data { id } } } }',
    { input: { communityId, title: 'Fan-out', startsAt, endsAt, timeZone: 'UTC' } },
    token,
  );
  const liveSessionId: string = scheduled.data.scheduleLiveSession.data.id;
  const results: [number, number][] = [];
  for (const count of [1, 50, 200]) {
    const clients = Array.from({ length: count }, () =>
      createClient({
        url: `${url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
      }),
    );
    let received = 0;
    let allReceived: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      allReceived = resolve;
    });
    for (const subscriber of clients) {
      subscriber.subscribe(
        {
          query:
            'subscription($id: ID!) { liveSessionEvents(liveSessionId: $id) { eventId chatMessage { body author { displayName } } } }',
          variables: { id: liveSessionId },
        },
        {
          next: () => {
            received += 1;
            if (received === count) {
              allReceived();
            }
          },
          error: () => {},
          complete: () => {},
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500 + count * 5));
    const sent = performance.now();
    await gql(
      'mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) { __typename } }',
      { input: { liveSessionId, body: `Hello ${count}` } },
      token,
    );
    await done;
    results.push([count, performance.now() - sent]);
    await Promise.all(clients.map((subscriber) => subscriber.dispose()));
  }
  return results;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function timeProcess(
  command: string,
  args: string[],
  readyText: string,
  env: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not print "${readyText}" within 60 s`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(readyText)) {
        clearTimeout(timer);
        const elapsed = performance.now() - started;
        child.kill('SIGTERM');
        child.once('exit', () => resolve(elapsed));
      }
    });
  });
}

await main();
