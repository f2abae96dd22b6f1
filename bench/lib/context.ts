// Types shared by the benchmark's orchestrator (bench/run.ts), its figure modules and its load
// generators. Every process a figure starts goes through the ProcessGroup, so that the run can
// stop each one by its id at the end, whatever happened.

/** What the seeded benchmark database contains that the figures need. */
export interface SeedInfo {
  /** Slug and global id of a public community with at least 100 threads, for the community page. */
  community: { slug: string; id: string };
  /** A thread of that community with at least 20 replies, for the thread page. */
  thread: { id: string };
  /**
   * A live session (status live, slow mode off) of a public community, for fan-out, and the
   * bearer token of its host, who may send chat messages.
   */
  liveSession: { id: string; hostToken: string };
  /**
   * A file holding a JSON array of bearer tokens of seeded members of that community, at least
   * as many as the largest fan-out needs (10,000 in the full run). Tokens repeat users: 2,000
   * users hold several sign-ins each.
   */
  tokensFile: string;
  counts: {
    communities: number;
    users: number;
    threads: number;
    posts: number;
    liveSessions: number;
  };
}

/** A process started for the run: a server, a baseline or a load generator. */
export interface StartedProcess {
  readonly name: string;
  readonly pid: number;
  /** Base URL such as http://127.0.0.1:4321, for servers; empty for load generators. */
  readonly url: string;
  /** Resident set size from /proc, in bytes. */
  rss(): number;
  /** User plus system CPU time used so far, from /proc, in milliseconds. */
  cpuMs(): number;
  /**
   * Asks the process over IPC to collect garbage and answer with its memory use; only processes
   * started with IPC and --expose-gc answer.
   */
  collectGarbage(): Promise<{ rss: number; heapUsed: number }>;
  /** Sends SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
  /** Settles once the process has exited, with its exit code or the signal that ended it. */
  readonly exited: Promise<ProcessExit>;
  /** The latest lines of its standard output (at most 1,000), oldest first. */
  output(): readonly string[];
  /**
   * Sends a message over IPC and resolves with the next message the process sends back; only
   * processes started with IPC have it.
   */
  request?(message: object, timeoutMs?: number): Promise<unknown>;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BenchContext {
  quick: boolean;
  /** postgres:// URL of the seeded benchmark database. */
  databaseUrl: string;
  redisUrl: string;
  seed: SeedInfo;
  /** A temporary folder of this run, removed at its end. */
  workDir: string;
  /** Starts a process that the run stops by its id at the end. */
  start(options: {
    name: string;
    command: string;
    args: string[];
    env?: Record<string, string>;
    /** Resolves with the base URL once the process is ready, from a line of its output. */
    ready: (line: string) => string | null;
    ipc?: boolean;
  }): Promise<StartedProcess>;
  /** Starts one Staffroom server process on the benchmark database (Redis when given). */
  startStaffroom(options?: {
    redis?: boolean;
    env?: Record<string, string>;
  }): Promise<StartedProcess>;
  log(message: string): void;
}

/** One measured row: the product's figure beside its baseline in the same run. */
export interface FigureRow {
  /** What was measured, such as "10 connections, requests/s". */
  label: string;
  product: number;
  baseline: number | null;
  baselineName: string | null;
  /** Median of the per-round ratios product/baseline (or as the figure defines it). */
  ratio: number | null;
  unit: string;
  /** The goal in words, such as "ratio ≥ 0.75". */
  goal: string;
  met: boolean | null;
  /** Why a goal is not met, or how the figure was taken. */
  note?: string;
}

export interface FigureResult {
  /** 1 to 7, as numbered in BENCHMARKS.md. */
  figure: number;
  title: string;
  rows: FigureRow[];
  /** Paragraphs printed under the figure's table: how it was taken, per-round values, causes. */
  notes?: string[];
}
