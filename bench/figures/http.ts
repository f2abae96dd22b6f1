import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { CommunityPageStatements } from '../baselines/sql-floor.ts';
import { captureStatements } from '../lib/capture-sql.ts';
import type { BenchContext, FigureResult, FigureRow, StartedProcess } from '../lib/context.ts';
import { readyUrl } from '../lib/ready.ts';
import { median } from '../lib/stats.ts';
import type { HttpLoadOptions, HttpLoadResult } from '../load/http-load.ts';

// Figure 1: the community page (20 threads with author and reply count, an anonymous request
// for a public community) over HTTP, Staffroom beside the SQL floor and PostGraphile 5. The
// three servers take turns within each round (floor, Staffroom, PostGraphile) under the same
// autocannon load. Every ratio is the median of the rounds' ratios, so a slow moment of the
// machine weighs on one round instead of on one server.

const PAGE_SIZE = 20;

const STAFFROOM_QUERY = `query CommunityPage($slug: String!) { community(slug: $slug) {
  id name threads(first: ${PAGE_SIZE}) { nodes { id title replyCount lastActivityAt author { displayName } } } } }`;

// The same page in PostGraphile's generated schema: the community by its unique slug, and its
// threads in the order of Staffroom's (pinned first, then latest activity, then newest).
const PEER_QUERY = `query CommunityPage($slug: String!) { communityBySlug(slug: $slug) {
  id name threadsByCommunityId(first: ${PAGE_SIZE}, orderBy: [PINNED_DESC, LAST_ACTIVITY_AT_DESC, ROW_ID_DESC]) {
    nodes { id title replyCount lastActivityAt userByAuthorId { displayName } } } } }`;

interface LoadPlan {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
}

const FULL_PLAN: LoadPlan = { rounds: 5, seconds: 6, warmupSeconds: 3 };
const QUICK_PLAN: LoadPlan = { rounds: 2, seconds: 1.5, warmupSeconds: 1 };

/** Goals per connection count: requests/s against the floor and PostGraphile, p99 against the floor. */
const GOALS = [
  { connections: 10, floorRatio: 0.75, peerRatio: 1.4, p99Ratio: 2 },
  { connections: 50, floorRatio: 0.6, peerRatio: 1.4, p99Ratio: 2 },
];

type TargetName = 'floor' | 'staffroom' | 'peer';

interface Target {
  name: TargetName;
  label: string;
  process: StartedProcess;
  body: string;
}

interface Measurement extends HttpLoadResult {
  cpuMsPerRequest: number;
}

type Round = Record<TargetName, Measurement>;

export async function httpFigure(ctx: BenchContext): Promise<FigureResult> {
  const plan = ctx.quick ? QUICK_PLAN : FULL_PLAN;
  const slug = ctx.seed.community.slug;
  const targets = await startTargets(ctx, slug);
  await checkAnswers(ctx, targets, slug);

  const rows: FigureRow[] = [];
  const notes: string[] = [
    `Query: \`${STAFFROOM_QUERY.replace(/\s+/g, ' ')}\`, anonymous, for ${slug}. PostGraphile: \`${PEER_QUERY.replace(/\s+/g, ' ')}\`.`,
    `Load: autocannon in its own process, POST /graphql, ${plan.rounds} rounds of ${plan.seconds} s per server and connection count after ${plan.warmupSeconds} s of warm-up each; in each round the floor, Staffroom and PostGraphile run in turn.`,
  ];
  const loader = await ctx.start({
    name: 'autocannon',
    command: process.execPath,
    args: ['--import', 'tsx', 'bench/load/http-load.ts'],
    ready: readyUrl,
    ipc: true,
  });
  for (const goal of GOALS) {
    const rounds = await measureRounds(ctx, loader, targets, goal.connections, plan);
    rows.push(...rowsFor(goal, rounds));
    notes.push(describeRounds(goal.connections, rounds));
  }
  await loader.stop();
  return { figure: 1, title: 'Community page over HTTP', rows, notes };
}

async function startTargets(ctx: BenchContext, slug: string): Promise<Target[]> {
  const capture = await captureStatements(ctx.databaseUrl, STAFFROOM_QUERY, { slug });
  if (capture.result.errors?.length) {
    throw new Error(`The community page query failed: ${capture.result.errors[0]?.message}`);
  }
  const statementsFile = join(ctx.workDir, 'community-page-statements.json');
  const page: CommunityPageStatements = {
    slug,
    first: PAGE_SIZE,
    statements: capture.statements,
  };
  writeFileSync(statementsFile, JSON.stringify(page));
  ctx.log(`Captured ${capture.statements.length} SQL statements of the community page`);

  const floor = await ctx.start({
    name: 'sql-floor',
    command: process.execPath,
    args: ['--import', 'tsx', 'bench/baselines/sql-floor.ts'],
    env: { DATABASE_URL: ctx.databaseUrl, STATEMENTS_FILE: statementsFile, PORT: '0' },
    ready: readyUrl,
  });
  const staffroom = await ctx.startStaffroom();
  const peer = await ctx.start({
    name: 'postgraphile',
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      '--import',
      './bench/baselines/postgraphile-preload.ts',
      'bench/baselines/postgraphile-peer.ts',
    ],
    env: { DATABASE_URL: ctx.databaseUrl, PORT: '0', GRAPHILE_ENV: 'production' },
    ready: readyUrl,
  });
  const body = (query: string) => JSON.stringify({ query, variables: { slug } });
  return [
    { name: 'floor', label: 'SQL floor', process: floor, body: body(STAFFROOM_QUERY) },
    { name: 'staffroom', label: 'Staffroom', process: staffroom, body: body(STAFFROOM_QUERY) },
    { name: 'peer', label: 'PostGraphile', process: peer, body: body(PEER_QUERY) },
  ];
}

interface PageThread {
  title: string;
  replyCount: number;
  lastActivityAt: string;
  author?: { displayName: string } | null;
  userByAuthorId?: { displayName: string } | null;
}

/**
 * Checks, before any load, that the three servers return the same page. The floor must return
 * exactly Staffroom's JSON. PostGraphile, whose ids and field names are its own, must return the
 * same threads in the same order with the same authors, reply counts and activity times.
 */
async function checkAnswers(ctx: BenchContext, targets: Target[], slug: string): Promise<void> {
  const answers = new Map<TargetName, unknown>();
  for (const target of targets) {
    const response = await fetch(`${target.process.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: target.body,
    });
    const text = await response.text();
    if (response.status !== 200) {
      throw new Error(`${target.label} responded ${response.status}: ${text.slice(0, 500)}`);
    }
    answers.set(target.name, JSON.parse(text));
  }
  const staffroom = answers.get('staffroom') as {
    data?: { community?: { threads?: { nodes: PageThread[] } } };
  };
  const staffroomThreads = staffroom.data?.community?.threads?.nodes ?? [];
  if (staffroomThreads.length !== PAGE_SIZE) {
    throw new Error(
      `Staffroom returned ${staffroomThreads.length} threads for ${slug}, not ${PAGE_SIZE}: ${JSON.stringify(staffroom).slice(0, 500)}`,
    );
  }
  if (!isDeepStrictEqual(answers.get('floor'), staffroom)) {
    throw new Error(
      `The SQL floor's response differs from Staffroom's:\n${JSON.stringify(answers.get('floor')).slice(0, 800)}\n${JSON.stringify(staffroom).slice(0, 800)}`,
    );
  }
  const peer = answers.get('peer') as {
    data?: { communityBySlug?: { threadsByCommunityId?: { nodes: PageThread[] } } };
  };
  const summary = (thread: PageThread) => [
    thread.title,
    thread.replyCount,
    Date.parse(thread.lastActivityAt),
    (thread.author ?? thread.userByAuthorId)?.displayName ?? null,
  ];
  const peerThreads = peer.data?.communityBySlug?.threadsByCommunityId?.nodes ?? [];
  if (!isDeepStrictEqual(peerThreads.map(summary), staffroomThreads.map(summary))) {
    throw new Error(
      `PostGraphile's threads differ from Staffroom's: ${JSON.stringify(peer).slice(0, 800)}`,
    );
  }
  ctx.log('The SQL floor, Staffroom and PostGraphile return the same community page');
}

async function measureRounds(
  ctx: BenchContext,
  loader: StartedProcess,
  targets: Target[],
  connections: number,
  plan: LoadPlan,
): Promise<Round[]> {
  for (const target of targets) {
    await runLoad(loader, target, connections, plan.warmupSeconds);
  }
  const rounds: Round[] = [];
  for (let index = 0; index < plan.rounds; index++) {
    const round: Partial<Round> = {};
    for (const target of targets) {
      const measurement = await runLoad(loader, target, connections, plan.seconds);
      if (measurement.non2xx > 0 || measurement.errors > 0) {
        ctx.log(
          `${target.label}: ${measurement.non2xx} responses outside 2xx and ${measurement.errors} errors at ${connections} connections`,
        );
      }
      round[target.name] = measurement;
    }
    rounds.push(round as Round);
    ctx.log(
      `${connections} connections, round ${index + 1}/${plan.rounds}: ${targets
        .map(
          (target) => `${target.label} ${Math.round(round[target.name]?.requestsPerSecond ?? 0)}/s`,
        )
        .join(', ')}`,
    );
  }
  return rounds;
}

async function runLoad(
  loader: StartedProcess,
  target: Target,
  connections: number,
  seconds: number,
): Promise<Measurement> {
  const options: HttpLoadOptions = {
    url: `${target.process.url}/graphql`,
    connections,
    durationSeconds: seconds,
    body: target.body,
  };
  if (!loader.request) {
    throw new Error('The load generator was started without IPC');
  }
  const cpuBefore = target.process.cpuMs();
  const answer = (await loader.request({ type: 'run', options }, (seconds + 30) * 1000)) as {
    type?: string;
    result?: HttpLoadResult;
    message?: string;
  };
  const cpuMs = target.process.cpuMs() - cpuBefore;
  if (answer?.type !== 'result' || !answer.result) {
    throw new Error(
      `autocannon against ${target.label} failed: ${answer?.message ?? JSON.stringify(answer)}`,
    );
  }
  const { result } = answer;
  return { ...result, cpuMsPerRequest: result.requests > 0 ? cpuMs / result.requests : 0 };
}

function rowsFor(goal: (typeof GOALS)[number], rounds: Round[]): FigureRow[] {
  const value = (name: TargetName, key: 'requestsPerSecond' | 'p99') =>
    median(rounds.map((round) => round[name][key]));
  const ratio = (name: TargetName, other: TargetName, key: 'requestsPerSecond' | 'p99') =>
    median(rounds.map((round) => round[name][key] / round[other][key]));
  const floorRatio = ratio('staffroom', 'floor', 'requestsPerSecond');
  const peerRatio = ratio('staffroom', 'peer', 'requestsPerSecond');
  const p99Ratio = ratio('staffroom', 'floor', 'p99');
  const failures = rounds.reduce(
    (sum, round) => sum + round.staffroom.non2xx + round.staffroom.errors,
    0,
  );
  const staffroomRps = value('staffroom', 'requestsPerSecond');
  return [
    {
      label: `${goal.connections} connections, requests/s`,
      product: staffroomRps,
      baseline: value('floor', 'requestsPerSecond'),
      baselineName: 'SQL floor',
      ratio: floorRatio,
      unit: 'requests/s',
      goal: `ratio ≥ ${goal.floorRatio}`,
      met: floorRatio >= goal.floorRatio && failures === 0,
      ...(failures > 0 && { note: `${failures} failed requests` }),
    },
    {
      label: `${goal.connections} connections, requests/s`,
      product: staffroomRps,
      baseline: value('peer', 'requestsPerSecond'),
      baselineName: 'PostGraphile 5',
      ratio: peerRatio,
      unit: 'requests/s',
      goal: `ratio ≥ ${goal.peerRatio}`,
      met: peerRatio >= goal.peerRatio && failures === 0,
    },
    {
      label: `${goal.connections} connections, p99 latency`,
      product: value('staffroom', 'p99'),
      baseline: value('floor', 'p99'),
      baselineName: 'SQL floor',
      ratio: p99Ratio,
      unit: 'ms',
      goal: `ratio ≤ ${goal.p99Ratio}`,
      met: p99Ratio <= goal.p99Ratio,
    },
  ];
}

function describeRounds(connections: number, rounds: Round[]): string {
  const names: [TargetName, string][] = [
    ['floor', 'floor'],
    ['staffroom', 'Staffroom'],
    ['peer', 'PostGraphile'],
  ];
  const perRound = rounds
    .map(
      (round, index) =>
        `round ${index + 1}: ${names
          .map(
            ([name, label]) =>
              `${label} ${Math.round(round[name].requestsPerSecond)}/s p99 ${round[name].p99} ms`,
          )
          .join(', ')}`,
    )
    .join('; ');
  const cpu = names
    .map(
      ([name, label]) =>
        `${label} ${median(rounds.map((round) => round[name].cpuMsPerRequest)).toFixed(2)} ms`,
    )
    .join(', ');
  return `${connections} connections: ${perRound}. Server process CPU time per request (median): ${cpu}.`;
}
