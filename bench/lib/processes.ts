import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ProcessExit, StartedProcess } from './context.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  /** Added to the benchmark's own environment. */
  env?: Record<string, string>;
  /** Returns the base URL once a line of standard output shows that the process is ready. */
  ready: (line: string) => string | null;
  /** Opens an IPC channel, for collectGarbage. */
  ipc?: boolean;
  readyTimeoutMs?: number;
}

/** How long a process may take to become ready. */
const READY_TIMEOUT_MS = 60_000;
/** How long stop() waits after SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 10_000;
/** How long collectGarbage() waits for the response. */
const GC_TIMEOUT_MS = 10_000;
/** How long request() waits for a response by default. */
const REQUEST_TIMEOUT_MS = 120_000;
const KEPT_OUTPUT_LINES = 1_000;
/** Warnings and errors of one process printed before the rest are only counted. */
const PRINTED_LINES = 20;
/** pino's number for the warn level. */
const PINO_WARN = 40;

let clockTicksPerSecond: number | undefined;

/** Reads the kernel's clock ticks per second, the unit of the times in /proc/<pid>/stat. */
function clockTicks(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/** Reads the resident set size of a process from /proc/<pid>/status, in bytes; 0 once gone. */
export function residentBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Reads the user plus system CPU time of a process from /proc/<pid>/stat, in milliseconds. */
export function cpuMilliseconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces, so fields are counted after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / clockTicks();
  } catch {
    return 0;
  }
}

/**
 * The processes of one benchmark run. Each is started with its standard input open, which it
 * may watch to exit when the run is gone, and stopped by its own id: SIGTERM, then SIGKILL.
 */
export class ProcessGroup {
  private readonly running = new Map<number, { child: ChildProcess; exited: Promise<unknown> }>();

  constructor(private readonly log: (message: string) => void) {}

  start(options: StartOptions): Promise<StartedProcess> {
    const child = spawn(options.command, options.args, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...options.env },
      stdio: options.ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'],
    });
    const { pid, stdout: standardOutput, stderr: standardError } = child;
    if (pid === undefined || !standardOutput || !standardError) {
      return Promise.reject(new Error(`Starting ${options.name} (${options.command}) failed`));
    }
    const exited = new Promise<ProcessExit>((resolve) => {
      child.once('exit', (code, signal) => {
        this.running.delete(pid);
        resolve({ code, signal });
      });
    });
    this.running.set(pid, { child, exited });
    const output: string[] = [];
    const errors: string[] = [];
    let printed = 0;
    let suppressed = 0;
    const print = (line: string) => {
      if (printed < PRINTED_LINES) {
        printed += 1;
        this.log(`[${options.name} ${pid}] ${line.slice(0, 2000)}`);
      } else {
        suppressed += 1;
      }
    };
    void exited.then(() => {
      if (suppressed > 0) {
        this.log(`[${options.name} ${pid}] ${suppressed} more warning or error lines not shown`);
      }
    });
    child.stdin?.on('error', () => {});
    createInterface({ input: standardError }).on('line', (line) => {
      keep(errors, line);
      print(line);
    });
    const stdout = createInterface({ input: standardOutput });
    stdout.on('line', (line) => {
      keep(output, line);
      if (isPinoWarning(line)) {
        print(line);
      }
    });

    const started: Omit<StartedProcess, 'url'> = {
      name: options.name,
      pid,
      exited,
      output: () => output,
      rss: () => residentBytes(pid),
      cpuMs: () => cpuMilliseconds(pid),
      collectGarbage: () => collectGarbage(child, options.name),
      stop: () => stopChild(child, exited),
      ...(options.ipc && {
        request: (message: object, timeoutMs?: number) =>
          requestOverIpc(child, options.name, message, timeoutMs),
      }),
    };
    return new Promise<StartedProcess>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        fail(
          `did not become ready within ${(options.readyTimeoutMs ?? READY_TIMEOUT_MS) / 1000} s`,
        );
      }, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
      const fail = (reason: string) => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        stdout.off('line', onLine);
        void stopChild(child, exited);
        const tail = errors.slice(-20).join('\n') || output.slice(-20).join('\n');
        reject(new Error(`${options.name} (pid ${pid}) ${reason}; its last output:\n${tail}`));
      };
      const onLine = (line: string) => {
        const url = options.ready(line);
        if (url !== null && !settled) {
          settled = true;
          clearTimeout(timer);
          stdout.off('line', onLine);
          resolve({ ...started, url });
        }
      };
      stdout.on('line', onLine);
      void exited.then(({ code, signal }) =>
        fail(`exited (${signal ?? code}) before it was ready`),
      );
    });
  }

  /** Lists the ids of the processes that have not exited yet. */
  pids(): number[] {
    return [...this.running.keys()];
  }

  /** Stops every process that is still running, each by its id, and waits until all have exited. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.running.values()].map(({ child, exited }) => stopChild(child, exited)),
    );
  }

  /** Sends SIGKILL to every process still running; for the moment the benchmark itself exits. */
  killAllNow(): void {
    for (const pid of this.running.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // It exited in the meantime.
      }
    }
  }
}

function keep(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > KEPT_OUTPUT_LINES) {
    lines.splice(0, lines.length - KEPT_OUTPUT_LINES);
  }
}

function isPinoWarning(line: string): boolean {
  if (!line.startsWith('{"level":')) {
    return false;
  }
  const level = Number(/^\{"level":(\d+)/.exec(line)?.[1]);
  return level >= PINO_WARN;
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
  });
  const outcome = await Promise.race([exited, graceOver]);
  clearTimeout(timer);
  if (outcome === 'timeout' && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

async function collectGarbage(
  child: ChildProcess,
  name: string,
): Promise<{ rss: number; heapUsed: number }> {
  const answer = (await requestOverIpc(child, name, { type: 'gc' }, GC_TIMEOUT_MS)) as {
    type?: string;
    rss?: number;
    heapUsed?: number;
  };
  if (answer?.type !== 'gc' || typeof answer.rss !== 'number') {
    throw new Error(
      `${name} responded to the garbage collection request with ${JSON.stringify(answer)}`,
    );
  }
  return { rss: answer.rss, heapUsed: answer.heapUsed ?? 0 };
}

/** Sends a message over IPC and resolves with the next message that comes back. */
function requestOverIpc(
  child: ChildProcess,
  name: string,
  message: object,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<unknown> {
  if (!child.send) {
    return Promise.reject(new Error(`${name} was started without IPC`));
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(
        new Error(
          `${name} did not respond to ${JSON.stringify(message)} within ${timeoutMs / 1000} s`,
        ),
      );
    }, timeoutMs);
    const onMessage = (answer: unknown) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(answer);
    };
    child.on('message', onMessage);
    child.send?.(message);
  });
}
