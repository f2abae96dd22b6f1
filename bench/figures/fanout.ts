import { readFileSync } from 'node:fs';
import type { BenchContext, FigureResult, FigureRow, StartedProcess } from '../lib/context.ts';
import { readyUrl } from '../lib/ready.ts';
import { median } from '../lib/stats.ts';
import type {
  ChurnResult,
  ConnectResult,
  FanoutResult,
  FleetCommand,
  ProbeResult,
  StreamResult,
  Trigger,
} from '../load/ws-fleet.ts';

// Figures 3 to 7: live fan-out of a chat message to many WebSocket subscribers of one live
// session, the memory of idle subscribers, chat latency end to end, the cost of subscribe churn,
// and fan-out through two processes sharing Redis.
//
// Every socket is a real one, opened by a fleet process (bench/load/ws-fleet.ts) with the web
// client's LiveRoomEvents subscription and a seeded member's bearer token. The fleet fires each
// trigger itself and times it against the deliveries on one clock. The baselines run in the same
// run: the ws floor (bench/baselines/ws-floor.ts) writes Staffroom's own captured `next` message
// to every socket, and the graphql-ws peer (bench/baselines/graphql-ws-peer.ts) executes and
// serializes once per subscriber.
//
// Rate limits: the seeded session has slow mode off, and slow mode never applies to the host.
// The flood limit of 10 chat messages per person and room in 10 seconds applies to everyone
// (ROOM_WRITES_PER_WINDOW in server/services/live-room.ts, which no setting changes). So the
// messages rotate over SENDERS people, the host and seeded members, and at 10 messages a second
// (figure 5) each person sends 5 in 10 seconds.

interface Plan {
  /** Subscriber counts of figure 3 in increasing order. The fleets grow from one to the next. */
  levels: number[];
  /** Messages per server and level, interleaved, unless the level's time budget runs out. */
  rounds: number;
  /** Time for the rounds of each level, in the order of `levels`. At least 2 rounds run. */
  roundBudgetsMs: number[];
  /** Subscriber count at which figure 4 reads memory, one of `levels`. */
  memoryLevel: number;
  /** Subscriber count of figure 7, one of `levels`. */
  scaleOutLevel: number;
  scaleOutBudgetMs: number;
  streamSubscribers: number;
  streamPerSecond: number;
  streamSeconds: number;
  /** How long figure 5 waits for the last deliveries after the last message. */
  streamDrainMs: number;
  churnClients: number;
  churnIntervalMs: number;
  churnSeconds: number;
  fanoutTimeoutMs: number;
}

const FULL: Plan = {
  levels: [1000, 5000, 10_000],
  rounds: 5,
  roundBudgetsMs: [20_000, 45_000, 75_000],
  memoryLevel: 5000,
  scaleOutLevel: 10_000,
  scaleOutBudgetMs: 60_000,
  streamSubscribers: 200,
  streamPerSecond: 10,
  streamSeconds: 10,
  streamDrainMs: 15_000,
  churnClients: 1000,
  churnIntervalMs: 2000,
  churnSeconds: 20,
  fanoutTimeoutMs: 60_000,
};

const QUICK: Plan = {
  levels: [1000],
  rounds: 3,
  roundBudgetsMs: [8000],
  memoryLevel: 1000,
  scaleOutLevel: 1000,
  scaleOutBudgetMs: 6000,
  streamSubscribers: 200,
  streamPerSecond: 10,
  streamSeconds: 3,
  streamDrainMs: 5000,
  churnClients: 200,
  churnIntervalMs: 2000,
  churnSeconds: 6,
  fanoutTimeoutMs: 20_000,
};

/** Number of people who send the chat messages in turn, the host first. */
const SENDERS = 20;
const WARM_UP_SOCKETS = 20;
const CONNECT_PARALLEL = 200;
const PROBE_TIMEOUT_MS = 10_000;

/** A fleet process and the commands it runs. */
class Fleet {
  constructor(readonly process: StartedProcess) {}

  async run<T>(command: FleetCommand): Promise<T> {
    const response = await fetch(`${this.process.url}/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(command),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`Fleet ${this.process.name} failed "${command.command}": ${text}`);
    }
    return JSON.parse(text) as T;
  }
}

/** A server under test, the fleet that subscribes to it, and how to send it a message. */
interface Target {
  name: string;
  server: StartedProcess;
  fleet: Fleet;
  trigger: () => Trigger;
}

interface Targets {
  staffroom: Target;
  floor: Target;
  peer: Target;
}

export async function fanoutFigures(ctx: BenchContext): Promise<FigureResult[]> {
  const plan = ctx.quick ? QUICK : FULL;
  const [staffroom, floor, peer] = await Promise.all([
    ctx.startStaffroom(),
    startBaseline(ctx, 'ws floor', 'bench/baselines/ws-floor.ts'),
    startBaseline(ctx, 'graphql-ws peer', 'bench/baselines/graphql-ws-peer.ts'),
  ]);
  const [staffroomFleet, floorFleet, peerFleet] = await Promise.all(
    ['staffroom', 'floor', 'peer'].map((name) => startFleet(ctx, `fleet (${name})`)),
  );
  const senders = await findSenders(ctx, staffroom.url);
  const liveSessionId = ctx.seed.liveSession.id;
  let captured = '';
  const targets: Targets = {
    staffroom: {
      name: 'Staffroom',
      server: staffroom,
      fleet: staffroomFleet as Fleet,
      trigger: () => ({
        kind: 'staffroom',
        url: staffroom.url,
        liveSessionId,
        senderTokens: senders,
      }),
    },
    floor: {
      name: 'ws floor',
      server: floor,
      fleet: floorFleet as Fleet,
      trigger: () => ({ kind: 'floor', url: floor.url, message: captured }),
    },
    peer: {
      name: 'graphql-ws peer',
      server: peer,
      fleet: peerFleet as Fleet,
      trigger: () => ({ kind: 'peer', url: peer.url, liveSessionId, senderTokens: senders }),
    },
  };

  ctx.log('Fan-out: warming up Staffroom, the ws floor and the graphql-ws peer');
  captured = await warmUp(ctx, targets.staffroom);
  await warmUp(ctx, targets.floor);
  checkSameShape(captured, await warmUp(ctx, targets.peer));
  const live = await measureFanout(ctx, plan, targets);

  // Figure 6 counts CPU time per process, not wall time, so the two processes of figure 7 may
  // start during it. Figure 5, which times deliveries, waits until they are ready and idle.
  const starting = Promise.all([
    ctx.startStaffroom({ redis: true }),
    ctx.startStaffroom({ redis: true }),
  ]);
  starting.catch(() => {});
  const churn = await measureChurn(ctx, plan, targets);
  await Promise.all([peer.stop(), targets.peer.fleet.process.stop()]);
  const [first, second] = await starting;
  await Promise.all([waitForIdle(first), waitForIdle(second)]);
  const chat = await measureChat(ctx, plan, targets);
  // Deliveries still under way would fail against the closed database pool during shutdown.
  await waitForIdle(staffroom);
  await Promise.all([staffroom.stop(), floor.stop(), targets.floor.fleet.process.stop()]);
  const scaleOut = await measureScaleOut(
    ctx,
    plan,
    {
      name: 'two Staffroom processes',
      server: first,
      fleet: targets.staffroom.fleet,
      trigger: () => ({ kind: 'staffroom', url: first.url, liveSessionId, senderTokens: senders }),
    },
    [first, second],
    live.staffroomMs,
  );
  await Promise.all([first.stop(), second.stop(), targets.staffroom.fleet.process.stop()]);
  return [live.figure, live.memory, chat, churn, scaleOut];
}

function startFleet(ctx: BenchContext, name: string): Promise<Fleet> {
  return ctx
    .start({
      name,
      command: process.execPath,
      args: ['--import', 'tsx', 'bench/load/ws-fleet.ts'],
      ready: readyUrl,
    })
    .then((started) => new Fleet(started));
}

/** Starts a baseline server with --expose-gc and IPC, so that figure 4 can read its memory. */
function startBaseline(ctx: BenchContext, name: string, file: string): Promise<StartedProcess> {
  return ctx.start({
    name,
    command: process.execPath,
    args: ['--expose-gc', '--import', 'tsx', file],
    env: { DATABASE_URL: ctx.databaseUrl },
    ready: readyUrl,
    ipc: true,
  });
}

/**
 * Returns the host's token and the tokens of SENDERS - 1 other people from the tokens file. Each
 * token is checked with `viewer { id }`, because tokens repeat users and the flood limit counts
 * per person.
 */
async function findSenders(ctx: BenchContext, url: string): Promise<string[]> {
  const tokens = JSON.parse(readFileSync(ctx.seed.tokensFile, 'utf8')) as string[];
  const senders = [ctx.seed.liveSession.hostToken];
  const seen = new Set<string>();
  for (const token of tokens.slice(0, 500)) {
    if (senders.length === SENDERS) {
      break;
    }
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    const result = (await response.json()) as { data?: { viewer?: { id: string } | null } };
    const userId = result.data?.viewer?.id;
    if (userId && !seen.has(userId)) {
      seen.add(userId);
      senders.push(token);
    }
  }
  if (senders.length < SENDERS) {
    throw new Error(
      `The first 500 tokens of ${ctx.seed.tokensFile} belong to ${senders.length - 1} people; the fan-out figures need ${SENDERS - 1} besides the host.`,
    );
  }
  return senders;
}

/**
 * Adds `count` sockets to a target's fleet, split evenly over `urls`. Returns the opening time
 * and any failures, in words.
 */
async function connect(
  ctx: BenchContext,
  target: Target,
  count: number,
  urls = [target.server.url],
): Promise<string> {
  const connected = await target.fleet.run<ConnectResult>({
    command: 'connect',
    urls,
    count,
    liveSessionId: ctx.seed.liveSession.id,
    tokensFile: ctx.seed.tokensFile,
    parallel: CONNECT_PARALLEL,
  });
  const opened = `${target.name} ${(connected.ms / 1000).toFixed(1)} s`;
  if (connected.failed === 0) {
    return opened;
  }
  return `${opened} (${connected.failed} failed to open: ${connected.failures.join('; ')})`;
}

/**
 * Waits until the servers are idle, then until each socket of the target's fleet has received an
 * event. Returns what went wrong, in words, or an empty string.
 */
async function probe(target: Target, servers = [target.server]): Promise<string> {
  await Promise.all(servers.map((server) => waitForIdle(server)));
  const probed = await target.fleet.run<ProbeResult>({
    command: 'probe',
    trigger: target.trigger(),
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  if (probed.subscribed === 0) {
    throw new Error(`${target.name}: no socket received an event after ${probed.probes} messages.`);
  }
  if (probed.dropped === 0) {
    return '';
  }
  return `${target.name}: ${probed.dropped} sockets had no event after ${probed.probes} messages and were closed`;
}

/**
 * Runs a few sockets and messages through a target so that its code is loaded and compiled
 * before anything is measured, then closes them. Returns a `next` message it delivered.
 */
async function warmUp(ctx: BenchContext, target: Target): Promise<string> {
  await connect(ctx, target, WARM_UP_SOCKETS);
  await probe(target);
  const result = await target.fleet.run<FanoutResult>({
    command: 'fanout',
    trigger: target.trigger(),
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  await target.fleet.run({ command: 'close' });
  if (result.sample === null) {
    throw new Error(`${target.name}: no socket received the warm-up message.`);
  }
  return result.sample;
}

/**
 * Throws unless the peer's `next` message has the fields and value types of Staffroom's, so that
 * both serialize the same payload.
 */
function checkSameShape(staffroomMessage: string, peerMessage: string): void {
  const shapeOf = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') {
      return value === null ? 'null' : typeof value;
    }
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [key, shapeOf(field)] as const),
    );
  };
  const expected = JSON.stringify(shapeOf(JSON.parse(staffroomMessage).payload));
  const actual = JSON.stringify(shapeOf(JSON.parse(peerMessage).payload));
  if (expected !== actual) {
    throw new Error(
      `The graphql-ws peer's payload differs from Staffroom's: expected ${expected}, got ${actual}.`,
    );
  }
}

async function measureFanout(ctx: BenchContext, plan: Plan, targets: Targets) {
  const servers = [targets.staffroom.server, targets.peer.server];
  await Promise.all(servers.map((server) => waitForIdle(server)));
  const empty = await Promise.all(servers.map((server) => server.collectGarbage()));

  const rows: FigureRow[] = [];
  const notes: string[] = [];
  const staffroomMs = new Map<number, number>();
  let memory: FigureRow | null = null;
  let current = 0;
  for (const [index, level] of plan.levels.entries()) {
    const opened = await growAll(ctx, targets, level - current);
    current = level;
    if (level === plan.memoryLevel) {
      await Promise.all(servers.map((server) => waitForIdle(server)));
      const full = await Promise.all(servers.map((server) => server.collectGarbage()));
      memory = memoryRow(level, empty as [Memory, Memory], full as [Memory, Memory]);
    }

    const order = [targets.staffroom, targets.floor, targets.peer];
    const rounds = await interleavedRounds(ctx, plan, order, plan.roundBudgetsMs[index] ?? 0);
    staffroomMs.set(level, median(rounds.times.get(targets.staffroom) ?? []));
    rows.push(...levelRows(level, rounds, targets));
    const incomplete = rounds.incomplete.map((text) => ` ${text}.`).join('');
    notes.push(
      `${formatCount(level)} subscribers: sockets opened in ${opened}. Per round: ${describeRounds(rounds.times)}.${incomplete}`,
    );
  }

  const [firstRow] = rows;
  if (firstRow) {
    firstRow.note =
      'Method: one fleet process per server opens the sockets (graphql-ws over ws, a bearer token in connection_init, the web client’s LiveRoomEvents document) and checks that each has received an event. ' +
      `Then each server gets up to ${plan.rounds} messages per count in rotating order (at least 2, fewer than ${plan.rounds} when the count’s time budget runs out). Measured: time from sending the trigger (sendChatMessage over HTTP, or the baseline’s POST /send) to the last socket having the message. Medians, and the median of per-round ratios. ` +
      `The sockets take the seeded tokens in order, which belong to ${formatCount(ctx.seed.counts.users)} people in turn, so past that count several sockets share a person and work done once per person is not repeated per socket.`;
  }
  const figure: FigureResult = {
    figure: 3,
    title: 'Live fan-out of one chat message',
    rows,
    notes,
  };
  const memoryFigure: FigureResult = {
    figure: 4,
    title: 'Memory of idle signed-in subscribers',
    rows: memory ? [memory] : [],
  };
  return { figure, memory: memoryFigure, staffroomMs };
}

/**
 * Grows the three fleets by `count` sockets each, all at once because only Staffroom's opening
 * takes long. Then it checks each fleet's sockets, one server after the other. Returns the
 * opening times, each server's CPU time per socket opened, and any failures, in words.
 */
async function growAll(ctx: BenchContext, targets: Targets, count: number): Promise<string> {
  const all = [targets.staffroom, targets.floor, targets.peer];
  const cpuBefore = all.map((target) => target.server.cpuMs());
  const opened = await Promise.all(all.map((target) => connect(ctx, target, count)));
  await Promise.all(all.map((target) => waitForIdle(target.server)));
  const cpuPerSocket = all.map(
    (target, index) =>
      `${target.name} ${((target.server.cpuMs() - (cpuBefore[index] ?? 0)) / count).toFixed(2)} ms`,
  );
  const problems: string[] = [];
  for (const target of all) {
    problems.push(await probe(target));
  }
  const summary = [
    opened.join(', '),
    `server CPU time per socket opened: ${cpuPerSocket.join(', ')}`,
    ...problems.filter(Boolean),
  ].join('; ');
  ctx.log(`Fan-out: ${formatCount(count)} more sockets per server, opened in ${summary}`);
  return summary;
}

function levelRows(level: number, rounds: Rounds, targets: Targets): FigureRow[] {
  const { staffroom, floor, peer } = targets;
  const peerGoal = level >= 5000 ? 'ratio ≤ 0.5' : 'ratio ≤ 0.5 from 5,000 on';
  return [
    compareRow(level, rounds.times, staffroom, floor, 'ratio ≤ 1.5', 1.5),
    compareRow(level, rounds.times, staffroom, peer, peerGoal, level >= 5000 ? 0.5 : null),
  ];
}

interface Rounds {
  times: Map<Target, number[]>;
  /** Rounds in which some sockets did not have the message before the timeout. */
  incomplete: string[];
}

/**
 * Sends one message through each target in turn per round, rotating which goes first. It runs
 * `plan.rounds` rounds, or at least 2 and fewer when the next round would overrun the budget.
 */
async function interleavedRounds(
  ctx: BenchContext,
  plan: Plan,
  order: Target[],
  budgetMs: number,
): Promise<Rounds> {
  const times = new Map<Target, number[]>(order.map((target) => [target, []]));
  const incomplete: string[] = [];
  const started = performance.now();
  for (let round = 0; round < plan.rounds; round++) {
    const elapsed = performance.now() - started;
    if (round >= 2 && elapsed + elapsed / round > budgetMs) {
      ctx.log(`Fan-out: ${round} rounds fill the time budget of ${budgetMs / 1000} s`);
      break;
    }
    for (let index = 0; index < order.length; index++) {
      const target = order[(round + index) % order.length] as Target;
      const result = await target.fleet.run<FanoutResult>({
        command: 'fanout',
        trigger: target.trigger(),
        timeoutMs: plan.fanoutTimeoutMs,
      });
      if (result.received < result.expected) {
        incomplete.push(
          `${target.name} round ${round + 1}: ${result.received} of ${result.expected} sockets within ${plan.fanoutTimeoutMs / 1000} s, counted as ${plan.fanoutTimeoutMs / 1000} s`,
        );
      }
      times.get(target)?.push(result.lastMs);
      await sleep(200);
    }
  }
  return { times, incomplete };
}

function compareRow(
  level: number,
  times: Map<Target, number[]>,
  product: Target,
  baseline: Target,
  goal: string,
  maxRatio: number | null,
): FigureRow {
  const productTimes = times.get(product) ?? [];
  const baselineTimes = times.get(baseline) ?? [];
  const ratio = median(productTimes.map((ms, round) => ms / (baselineTimes[round] ?? Number.NaN)));
  return {
    label: `${formatCount(level)} subscribers, time until the last has the message`,
    product: median(productTimes),
    baseline: median(baselineTimes),
    baselineName: baseline.name,
    ratio,
    unit: 'ms',
    goal,
    met: maxRatio === null ? null : ratio <= maxRatio,
  };
}

function describeRounds(times: Map<Target, number[]>): string {
  return [...times]
    .map(([target, values]) => `${target.name} ${values.map((ms) => ms.toFixed(0)).join(', ')} ms`)
    .join('; ');
}

type Memory = { rss: number; heapUsed: number };

/** Builds figure 4's row from the readings of Staffroom and the peer, without and with sockets. */
function memoryRow(level: number, empty: [Memory, Memory], full: [Memory, Memory]): FigureRow {
  const perSocketKb = (server: 0 | 1, key: keyof Memory) =>
    (full[server][key] - empty[server][key]) / level / 1024;
  const product = perSocketKb(0, 'rss');
  const baseline = perSocketKb(1, 'rss');
  return {
    label: `${formatCount(level)} idle subscribed sockets, memory per socket`,
    product,
    baseline,
    baselineName: 'graphql-ws peer',
    ratio: product / baseline,
    unit: 'KB',
    goal: '≤ 15 KB',
    met: product <= 15,
    note:
      `Method: (RSS after gc() with ${formatCount(level)} subscribed sockets − RSS after gc() with none) / ${formatCount(level)}, each server started with --expose-gc and asked over IPC. The reading without sockets follows a ${WARM_UP_SOCKETS}-socket warm-up, and the one with sockets comes before any message at this count. ` +
      `Heap used per socket: Staffroom ${perSocketKb(0, 'heapUsed').toFixed(1)} KB, graphql-ws peer ${perSocketKb(1, 'heapUsed').toFixed(1)} KB. ` +
      'The peer checks the bearer token with one query at connect and keeps only the user id.',
  };
}

/**
 * Measures figure 6 on the first sockets of the Staffroom and peer fleets. Both churns run at the
 * same time, which halves the wall time, because CPU time is counted per process.
 */
async function measureChurn(ctx: BenchContext, plan: Plan, targets: Targets) {
  const churning = [targets.staffroom, targets.peer];
  await Promise.all([
    ...churning.map((target) => target.fleet.run({ command: 'close', keep: plan.churnClients })),
    targets.floor.fleet.run({ command: 'close', keep: plan.streamSubscribers }),
  ]);
  await Promise.all(churning.map((target) => waitForIdle(target.server)));
  ctx.log(`Fan-out: ${plan.churnClients} clients re-subscribing every ${plan.churnIntervalMs} ms`);
  const outcomes = await Promise.all(
    churning.map(async (target) => {
      const before = target.server.cpuMs();
      const result = await target.fleet.run<ChurnResult>({
        command: 'churn',
        intervalMs: plan.churnIntervalMs,
        durationMs: plan.churnSeconds * 1000,
      });
      // The server may still be working through the last subscriptions.
      await waitForIdle(target.server, 60_000);
      return { cpuMs: target.server.cpuMs() - before, result };
    }),
  );
  const [staffroom, peer] = outcomes as [(typeof outcomes)[0], (typeof outcomes)[0]];
  const describe = (name: string, { result }: (typeof outcomes)[0]) =>
    `${name}: ${result.resubscribes} re-subscriptions, ${result.errors} errors${result.firstError ? ` (first: ${result.firstError})` : ''}`;
  return {
    figure: 6,
    title: 'Subscribe churn',
    rows: [
      {
        label: `${formatCount(plan.churnClients)} clients re-subscribing every ${plan.churnIntervalMs / 1000} s for ${plan.churnSeconds} s, server CPU time`,
        product: staffroom.cpuMs,
        baseline: peer.cpuMs,
        baselineName: 'graphql-ws peer',
        ratio: staffroom.cpuMs / peer.cpuMs,
        unit: 'ms',
        goal: 'ratio ≤ 1',
        met: staffroom.cpuMs <= peer.cpuMs,
        note: `Method: each socket sends complete, then subscribe with a new id on the same socket, the sockets spread evenly over the interval; both servers churn at the same time, each from its own fleet process, while figure 7's two processes start. Server CPU time (user + system, from /proc, counted per process) from the start until the server is idle again. ${describe('Staffroom', staffroom)}; ${describe('graphql-ws peer', peer)}.`,
      },
    ],
  } satisfies FigureResult;
}

/** Measures figure 5 on the first sockets of the Staffroom and floor fleets, one after the other. */
async function measureChat(ctx: BenchContext, plan: Plan, targets: Targets) {
  const count = plan.streamPerSecond * plan.streamSeconds;
  await targets.staffroom.fleet.run({ command: 'close', keep: plan.streamSubscribers });
  const results = new Map<Target, StreamResult>();
  for (const target of [targets.staffroom, targets.floor]) {
    await Promise.all([waitForIdle(targets.staffroom.server), waitForIdle(targets.floor.server)]);
    ctx.log(`Fan-out: ${count} chat messages through ${target.name}`);
    const result = await target.fleet.run<StreamResult>({
      command: 'stream',
      trigger: target.trigger(),
      perSecond: plan.streamPerSecond,
      count,
      timeoutMs: plan.streamDrainMs,
    });
    // A server that fell behind stops delivering once its sockets are gone.
    await target.fleet.run({ command: 'close' });
    if (result.failedSends > 0) {
      throw new Error(
        `${target.name}: ${result.failedSends} of ${result.sent} chat messages failed: ${result.firstFailure}`,
      );
    }
    results.set(target, result);
  }
  const describe = (target: Target) => {
    const result = results.get(target);
    const latencies = result?.latenciesMs ?? [];
    const missing = result?.missing
      ? `, ${result.missing} deliveries missing ${plan.streamDrainMs / 1000} s after the last message and counted with the time waited (a lower bound)`
      : '';
    return `${target.name} median ${percentile(latencies, 0.5).toFixed(1)} ms, maximum ${Math.max(...latencies).toFixed(1)} ms${missing}`;
  };
  const product = percentile(results.get(targets.staffroom)?.latenciesMs ?? [], 0.99);
  const baseline = percentile(results.get(targets.floor)?.latenciesMs ?? [], 0.99);
  return {
    figure: 5,
    title: 'Chat end to end',
    rows: [
      {
        label: `${plan.streamSubscribers} subscribers, ${plan.streamPerSecond} messages/s for ${plan.streamSeconds} s, p99 of deliveries`,
        product,
        baseline,
        baselineName: 'ws floor',
        ratio: product / baseline,
        unit: 'ms',
        goal: 'p99 < 100 ms',
        met: product < 100,
        note: `Method: ${count} messages on a fixed schedule, none waiting for another, from ${SENDERS} senders in turn; the latency of every delivery, from sending its sendChatMessage (for the floor, its POST /send of the captured message) to the socket having it. ${describe(targets.staffroom)}; ${describe(targets.floor)}.`,
      },
    ],
  } satisfies FigureResult;
}

async function measureScaleOut(
  ctx: BenchContext,
  plan: Plan,
  target: Target,
  servers: StartedProcess[],
  oneProcessMs: Map<number, number>,
): Promise<FigureResult> {
  const level = plan.scaleOutLevel;
  const urls = servers.map((server) => server.url);
  await target.fleet.run({ command: 'close' });
  const opened = await connect(ctx, target, level, urls);
  const problem = await probe(target, servers);
  const summary = problem ? `${opened}; ${problem}` : opened;
  ctx.log(`Fan-out: ${formatCount(level)} sockets over two processes, opened in ${summary}`);
  const rounds = await interleavedRounds(ctx, plan, [target], plan.scaleOutBudgetMs);
  const product = median(rounds.times.get(target) ?? []);
  const baseline = oneProcessMs.get(level) ?? null;
  return {
    figure: 7,
    title: 'Live fan-out through two processes sharing Redis',
    rows: [
      {
        label: `${formatCount(level)} subscribers, half on each process, time until the last has the message`,
        product,
        baseline,
        baselineName: baseline === null ? null : 'one Staffroom process (figure 3)',
        ratio: baseline === null ? null : product / baseline,
        unit: 'ms',
        goal: 'reported beside one process',
        met: null,
        note: `Method: as figure 3, with the sockets split half and half between two processes on the same database and Redis, and each message sent to the first. Median of the messages (${describeRounds(rounds.times)}), against figure 3’s one-process median at the same count, measured earlier in the run. Sockets opened in ${summary}.${rounds.incomplete.map((text) => ` ${text}.`).join('')}`,
      },
    ],
  };
}

/**
 * Waits until the process uses less than a tenth of a core over 300 ms, for at most `maxMs`, so
 * that work left from one step does not count in the next.
 */
async function waitForIdle(server: StartedProcess, maxMs = 15_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    const before = server.cpuMs();
    await sleep(300);
    if (server.cpuMs() - before < 30) {
      return;
    }
  }
}

/** Returns the value below which `fraction` of the values lie (nearest rank). */
function percentile(values: number[], fraction: number): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] as number;
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
