import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, FigureResult } from '../lib/context.ts';
import { type BenchDatabase, createBenchDatabase } from '../lib/database.ts';
import { ProcessGroup } from '../lib/processes.ts';
import { readyUrl } from '../lib/ready.ts';
import { type SeedSizes, seedBenchmark } from '../seed.ts';
import { fanoutFigures } from './fanout.ts';

// Runs the fan-out figures (3 to 7) alone, without the rest of the benchmark:
//
//   npx tsx bench/figures/fanout-dev.ts [--quick]
//
// It seeds a smaller database than the full run (the fan-out figures need only the live session
// and its members' tokens), starts every process the way bench/run.ts does, prints the rows and
// cleans up. Environment: BENCH_DATABASE_URL and BENCH_REDIS_URL, as for bench/run.ts.

const quick = process.argv.includes('--quick');
const SIZES: SeedSizes = {
  communities: 10,
  users: 2000,
  threads: 1000,
  posts: 10_000,
  liveSessions: 50,
  tokens: quick ? 2000 : 10_000,
};

const startedAt = Date.now();
function log(message: string): void {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[fanout ${seconds} s] ${message}\n`);
}

function createContext(
  group: ProcessGroup,
  database: BenchDatabase,
  seed: BenchContext['seed'],
  workDir: string,
): BenchContext {
  const redisUrl = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
  const secretKey = randomBytes(32).toString('hex');
  const credentialSigningKey = randomBytes(32).toString('hex');
  return {
    quick,
    databaseUrl: database.url,
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
          DATABASE_URL: database.url,
          REDIS_URL: options.redis ? redisUrl : '',
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          SERVE_CLIENT: 'false',
          SEED_DEMO: 'false',
          DATA_DIR: join(workDir, 'staffroom-data'),
          SECRET_KEY: secretKey,
          CREDENTIAL_SIGNING_KEY: credentialSigningKey,
          SHUTDOWN_TIMEOUT_MS: '2000',
          ...options.env,
        },
        ready: readyUrl,
        ipc: true,
      }),
  };
}

function printFigures(figures: FigureResult[]): void {
  for (const figure of figures) {
    process.stdout.write(`\nFigure ${figure.figure}. ${figure.title}\n`);
    for (const row of figure.rows) {
      const baseline =
        row.baseline === null ? '' : ` against ${row.baselineName} ${row.baseline.toFixed(2)}`;
      const ratio = row.ratio === null ? '' : `, ratio ${row.ratio.toFixed(2)}`;
      let met = '';
      if (row.met !== null) {
        met = row.met ? ' (met)' : ' (not met)';
      }
      process.stdout.write(
        `  ${row.label}: ${row.product.toFixed(2)} ${row.unit}${baseline}${ratio}; goal ${row.goal}${met}\n`,
      );
      if (row.note) {
        process.stdout.write(`    ${row.note}\n`);
      }
    }
    for (const note of figure.notes ?? []) {
      process.stdout.write(`  ${note}\n`);
    }
  }
}

const group = new ProcessGroup(log);
const workDir = mkdtempSync(join(tmpdir(), 'staffroom-fanout-'));
let database: BenchDatabase | null = null;
process.on('exit', () => group.killAllNow());
let exitCode = 0;
try {
  database = await createBenchDatabase();
  const seed = await seedBenchmark(database.url, SIZES, workDir);
  log(`Seeded ${database.name} with ${SIZES.tokens} tokens`);
  printFigures(await fanoutFigures(createContext(group, database, seed, workDir)));
  log('Done');
} catch (error) {
  log(`Failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
  exitCode = 1;
} finally {
  await group.stopAll();
  await database?.drop();
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
