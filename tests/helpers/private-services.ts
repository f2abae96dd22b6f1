/**
 * Redis and PostgreSQL servers that one test file starts, stops and restarts by itself, for
 * fault tests. Each listens on a free port of 127.0.0.1 and keeps its files in a temporary
 * folder, so the shared services on 5432 and 6379 are never touched.
 *
 * A suite gates itself like one that needs a shared service: `privateRedisAvailable()` and
 * `privatePostgresAvailable()` resolve to false with a warning when the programs are missing,
 * or throw under `STAFFROOM_REQUIRE_SERVICES=1`.
 *
 * Variables:
 * - `REDIS_SERVER_PATH`: the redis-server program (default: `redis-server` on the PATH).
 * - `POSTGRES_BIN_DIR`: folder holding initdb and pg_ctl (default: the newest
 *   `/usr/lib/postgresql/<version>/bin`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import postgres from 'postgres';
import { requireServicesStrictly } from './services.ts';

const REDIS_SERVER = process.env.REDIS_SERVER_PATH || 'redis-server';
const STARTUP_TIMEOUT_MS = 10_000;

/** Cleanups that still have to run if the test process exits without its afterAll hooks. */
const exitCleanups = new Set<() => void>();
process.once('exit', () => {
  for (const cleanup of exitCleanups) {
    cleanup();
  }
});

/** Returns a TCP port of 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once a TCP connection to the port succeeds, or rejects after `timeoutMs`. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (connected) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`Nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function findOnPath(program: string): string | null {
  if (program.includes('/')) {
    return isExecutable(program) ? program : null;
  }
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(folder, program);
    if (isExecutable(candidate)) {
      return candidate;
    }
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Warns and resolves to false, or throws under STAFFROOM_REQUIRE_SERVICES=1, as services.ts does. */
function gate(requirement: string, problem: string | null): boolean {
  if (problem === null) {
    return true;
  }
  if (requireServicesStrictly()) {
    throw new Error(`STAFFROOM_REQUIRE_SERVICES=1 requires ${requirement}: ${problem}`);
  }
  console.warn(`Skipping suites that need ${requirement}: ${problem}`);
  return false;
}

export function privateRedisAvailable(): boolean {
  return gate(
    'a private Redis',
    findOnPath(REDIS_SERVER)
      ? null
      : `no ${REDIS_SERVER} program on the PATH; install it with "apt-get install redis-server" or set REDIS_SERVER_PATH`,
  );
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** PID of the running redis-server, or null while it is stopped. */
  readonly pid: number | null;
  /** Ends redis-server with SIGTERM (SIGKILL after 3 s) and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts redis-server again on the same port and waits until it accepts connections. */
  start(): Promise<void>;
}

/** Starts a redis-server that keeps nothing on disk, on a free port of 127.0.0.1. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const killNow = () => child?.kill('SIGKILL');

  const start = async () => {
    const started = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    child = started;
    exitCleanups.add(killNow);
    const exited = new Promise<never>((_, reject) =>
      started.once('exit', (code) =>
        reject(new Error(`redis-server exited with ${code} at start`)),
      ),
    );
    exited.catch(() => {});
    await Promise.race([waitForPort(port, STARTUP_TIMEOUT_MS), exited]);
  };

  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) {
      child = null;
      return;
    }
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    child = null;
    exitCleanups.delete(killNow);
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? null;
    },
    stop,
    start,
  };
}

interface PostgresPrograms {
  binDir: string;
  /** Runs a program as the `postgres` system user, since initdb and postgres refuse root. */
  asOwner: (program: string, args: string[]) => [string, string[]];
  owner: { uid: number; gid: number } | null;
}

function findPostgresPrograms(): { programs: PostgresPrograms | null; problem: string | null } {
  let binDir = process.env.POSTGRES_BIN_DIR;
  if (!binDir && existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    binDir = versions.map((version) => `/usr/lib/postgresql/${version}/bin`)[0];
  }
  if (!binDir || !isExecutable(join(binDir, 'initdb')) || !isExecutable(join(binDir, 'pg_ctl'))) {
    return {
      programs: null,
      problem: `no initdb and pg_ctl in ${binDir ?? '/usr/lib/postgresql/<version>/bin'}; install the PostgreSQL server or set POSTGRES_BIN_DIR`,
    };
  }
  const dir = binDir;
  if (process.getuid?.() !== 0) {
    return {
      programs: {
        binDir: dir,
        asOwner: (program, args) => [join(dir, program), args],
        owner: null,
      },
      problem: null,
    };
  }
  const runuser =
    findOnPath('runuser') ?? (isExecutable('/usr/sbin/runuser') ? '/usr/sbin/runuser' : null);
  if (!runuser) {
    return {
      programs: null,
      problem: 'no runuser program to run PostgreSQL as a user other than root',
    };
  }
  let owner: { uid: number; gid: number };
  try {
    owner = {
      uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
      gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
    };
  } catch {
    return { programs: null, problem: 'no "postgres" system user to run PostgreSQL as' };
  }
  return {
    programs: {
      binDir: dir,
      asOwner: (program, args) => [runuser, ['-u', 'postgres', '--', join(dir, program), ...args]],
      owner,
    },
    problem: null,
  };
}

export function privatePostgresAvailable(): boolean {
  return gate('a private PostgreSQL cluster', findPostgresPrograms().problem);
}

export interface PrivatePostgres {
  port: number;
  /** Connection string of a database of this cluster, as the superuser `staffroom`. */
  url(database: string): string;
  /** Creates an empty database and returns its connection string. */
  createDatabase(name: string): Promise<string>;
  /** Stops the cluster with pg_ctl in the given shutdown mode and waits until it has stopped. */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** Starts the stopped cluster again on the same port and waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops the cluster at once and deletes its folder. */
  destroy(): Promise<void>;
}

/**
 * Creates a PostgreSQL cluster in a temporary folder with initdb (trust authentication) and
 * starts it with pg_ctl on a free port, with its socket in the same folder.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const { programs, problem } = findPostgresPrograms();
  if (!programs) {
    throw new Error(`Cannot start a private PostgreSQL cluster: ${problem}`);
  }
  const folder = mkdtempSync(join(tmpdir(), 'staffroom-postgres-'));
  if (programs.owner) {
    chownSync(folder, programs.owner.uid, programs.owner.gid);
  }
  const dataDir = join(folder, 'data');
  const port = await freePort();
  const run = (program: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [command, commandArgs] = programs.asOwner(program, args);
      const child = spawn(command, commandArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${program} exited with ${code}: ${stderr}`)),
      );
    });
  // The postmaster's PID is the first line of postmaster.pid, read for the exit cleanup.
  const killPostmaster = () => {
    try {
      const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGQUIT');
    } catch {
      // Not running.
    }
    rmSync(folder, { recursive: true, force: true });
  };
  exitCleanups.add(killPostmaster);

  // fsync=off: the data need not survive a crash of the machine, only of PostgreSQL itself.
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () =>
    run('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      join(folder, 'log'),
      '-o',
      options,
      '-w',
      '-t',
      '30',
      'start',
    ]);
  const stop = (mode: 'smart' | 'fast' | 'immediate' = 'fast') =>
    run('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
  const url = (database: string) => `postgres://staffroom@127.0.0.1:${port}/${database}`;

  await run('initdb', [
    '-D',
    dataDir,
    '--auth=trust',
    '-U',
    'staffroom',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  await start();
  return {
    port,
    url,
    createDatabase: async (name) => {
      const admin = postgres(url('postgres'), { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`create database ${name}`);
      } finally {
        await admin.end({ timeout: 5 });
      }
      return url(name);
    },
    stop,
    start,
    destroy: async () => {
      await stop('immediate').catch(() => {});
      exitCleanups.delete(killPostmaster);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
