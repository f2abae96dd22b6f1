import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { fanoutFigures } from './figures/fanout.ts';
import { httpFigure } from './figures/http.ts';
import { statementsFigure } from './figures/statements.ts';
import type { BenchContext, FigureResult } from './lib/context.ts';
import { type BenchDatabase, createBenchDatabase, serverVersion } from './lib/database.ts';
import { PROJECT_ROOT, ProcessGroup } from './lib/processes.ts';
import { readyUrl } from './lib/ready.ts';
import { type BenchResult, type Machine, recordResults, writeResults } from './lib/report.ts';
import { FULL_SIZES, QUICK_SIZES, seedBenchmark } from './seed.ts';

// Runs the benchmark. It seeds a fresh database through the real migrations, starts Staffroom
// and the baselines, and measures each figure beside its baseline in the same run. Then it
// writes bench/results/latest.json and latest.md, stops every process it started by its id and
// drops the database. It exits 0 whether or not the goals are met, and 1 when the run fails.
//
//   npm run bench                 the full run: figures 1 to 7, under 15 minutes on 2 cores
//   npm run bench -- --quick      smaller data and shorter rounds, under 2 minutes (CI runs it)
//   npm run bench -- --record     also rewrites the results section of BENCHMARKS.md

const USAGE = `Usage: npm run bench [-- --quick] [-- --record]
  --quick   smaller data and shorter rounds (under 2 minutes)
  --record  write the tables into BENCHMARKS.md as well
Environment: BENCH_DATABASE_URL (default postgres://root@127.0.0.1:5432, a role that may create
databases), BENCH_REDIS_URL (default redis://127.0.0.1:6379).`;

/** The run stops itself, cleaning up, when it takes longer than this. */
const FULL_DEADLINE_MS = 20 * 60_000;
const QUICK_DEADLINE_MS = 4 * 60_000;

const args = process.argv.slice(2);
if (args.includes('--help') || args.some((arg) => !['--quick', '--record'].includes(arg))) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(args.includes('--help') ? 0 : 2);
}
const quick = args.includes('--quick');
const record = args.includes('--record');
const startedAt = Date.now();

function log(message: string): void {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[bench ${seconds} s] ${message}\n`);
}

const group = new ProcessGroup(log);
const workDir = mkdtempSync(join(tmpdir(), 'staffroom-bench-'));
let database: BenchDatabase | null = null;
let cleaning: Promise<void> | null = null;

/** Stops every started process by its id, drops the database and removes the work folder. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    const pids = group.pids();
    if (pids.length > 0) {
      log(`Stopping ${pids.length} processes: ${pids.join(', ')}`);
    }
    await group.stopAll();
    if (database) {
      await database.drop().then(
        () => log(`Dropped database ${database?.name}`),
        (error: unknown) => log(`Dropping database ${database?.name} failed: ${error}`),
      );
    }
    rmSync(workDir, { recursive: true, force: true });
  })();
  return cleaning;
}

function stopOnSignal(signal: NodeJS.Signals, code: number): void {
  process.once(signal, () => {
    log(`${signal} received; stopping`);
    void cleanUp().finally(() => process.exit(code));
  });
}
stopOnSignal('SIGINT', 130);
stopOnSignal('SIGTERM', 143);
// The last resort when the process exits without cleaning up: no child outlives it.
process.on('exit', () => group.killAllNow());

const deadline = setTimeout(
  () => {
    log(
      `The run took longer than ${(quick ? QUICK_DEADLINE_MS : FULL_DEADLINE_MS) / 60_000} minutes; stopping`,
    );
    void cleanUp().finally(() => process.exit(1));
  },
  quick ? QUICK_DEADLINE_MS : FULL_DEADLINE_MS,
);
deadline.unref();

async function main(): Promise<void> {
  const sizes = quick ? QUICK_SIZES : FULL_SIZES;
  log(`Creating and migrating the benchmark database (${quick ? 'quick' : 'full'} run)`);
  database = await createBenchDatabase();
  log(`Seeding ${database.name}`);
  const seed = await seedBenchmark(database.url, sizes, workDir);
  log(
    `Seeded ${sizes.communities} communities, ${sizes.users} users, ${sizes.threads} threads, ${sizes.posts} posts, ${sizes.liveSessions} live sessions, ${sizes.tokens} tokens`,
  );

  const ctx = createContext(database, seed);
  const figures: FigureResult[] = [];
  const failures: string[] = [];
  const steps: [string, () => Promise<FigureResult[]>][] = [
    ['Figure 1: community page over HTTP', async () => [await httpFigure(ctx)]],
    ['Figure 2: SQL statements per request', async () => [await statementsFigure(ctx)]],
    ['Figures 3 to 7: fan-out', () => fanoutFigures(ctx)],
  ];
  for (const [title, measure] of steps) {
    log(title);
    try {
      figures.push(...(await measure()));
    } catch (error) {
      // The other figures still run and are written; the run then exits with 1.
      log(`${title} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
      failures.push(title);
    }
    await group.stopAll();
  }

  const result: BenchResult = {
    startedAt: new Date(startedAt).toISOString(),
    durationSeconds: (Date.now() - startedAt) / 1000,
    quick,
    command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    commit: gitCommit(),
    machine: await describeMachine(),
    seed: seed.counts,
    figures,
  };
  const paths = writeResults(result);
  log(`Wrote ${paths.json} and ${paths.markdown}`);
  if (record) {
    recordResults(result);
    log('Recorded the tables in BENCHMARKS.md');
  }
  for (const figure of figures) {
    for (const row of figure.rows) {
      let met = '';
      if (row.met !== null) {
        met = row.met ? ' (met)' : ' (not met)';
      }
      log(
        `Figure ${figure.figure}, ${row.label}: ${row.product.toFixed(2)} ${row.unit}${row.baselineName ? ` against ${row.baselineName} ${row.baseline?.toFixed(2)}, ratio ${row.ratio?.toFixed(2)}` : ''}; goal ${row.goal}${met}`,
      );
    }
  }
  if (failures.length > 0) {
    throw new Error(`${failures.join('; ')} failed; see above`);
  }
}

function createContext(db: BenchDatabase, seed: BenchContext['seed']): BenchContext {
  const redisUrl = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
  // Shared by every Staffroom process of the run, as several instances of one deployment.
  const secretKey = randomBytes(32).toString('hex');
  const credentialSigningKey = randomBytes(32).toString('hex');
  return {
    quick,
    databaseUrl: db.url,
    redisUrl,
    seed,
    workDir,
    log,
    start: (options) => group.start(options),
    startStaffroom: (options = {}) =>
      group.start({
        name: options.redis ? 'staffroom+redis' : 'staffroom',
        command: process.execPath,
        args: ['--expose-gc', '--import', 'tsx', 'bench/lib/staffroom-process.ts'],
        env: {
          DATABASE_URL: db.url,
          REDIS_URL: options.redis ? redisUrl : '',
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          SERVE_CLIENT: 'false',
          SEED_DEMO: 'false',
          QUERY_STATS: 'false',
          DATA_DIR: join(workDir, 'staffroom-data'),
          SECRET_KEY: secretKey,
          CREDENTIAL_SIGNING_KEY: credentialSigningKey,
          SHUTDOWN_TIMEOUT_MS: '2000',
          // The benchmarks send far more chat messages a minute per person than the flood limits
          // allow; they measure delivery, not the limits.
          FLOOD_LIMITS: 'false',
          ...options.env,
        },
        ready: readyUrl,
        ipc: true,
      }),
  };
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT });
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: PROJECT_ROOT,
    });
    return `${commit.toString().trim()}${dirty.length > 0 ? ' (with uncommitted changes)' : ''}`;
  } catch {
    return 'unknown';
  }
}

async function describeMachine(): Promise<Machine> {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: await serverVersion(),
    os: `${type()} ${release()}`,
    loadAverage: loadavg(),
  };
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  log(`The benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
  exitCode = 1;
} finally {
  await cleanUp();
}
log(exitCode === 0 ? 'Done' : 'Failed');
process.exit(exitCode);
