import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FigureResult, FigureRow, SeedInfo } from './context.ts';
import { PROJECT_ROOT } from './processes.ts';

/** The machine a run took place on. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  os: string;
  /** The 1, 5 and 15 minute load averages when the run ended: other work on the machine. */
  loadAverage: number[];
}

/** Everything one run measured: bench/results/latest.json. */
export interface BenchResult {
  startedAt: string;
  durationSeconds: number;
  quick: boolean;
  command: string;
  commit: string;
  machine: Machine;
  seed: SeedInfo['counts'];
  figures: FigureResult[];
}

export const RESULTS_DIR = join(PROJECT_ROOT, 'bench', 'results');
export const BENCHMARKS_FILE = join(PROJECT_ROOT, 'BENCHMARKS.md');
export const RESULTS_START = '<!-- bench:results:start -->';
export const RESULTS_END = '<!-- bench:results:end -->';

/** Figures that bench/figures/fanout.ts measures, listed until a run produces them. */
const FANOUT_FIGURES = [3, 4, 5, 6, 7];

/** Writes bench/results/latest.json and latest.md, and returns the paths. */
export function writeResults(result: BenchResult): { json: string; markdown: string } {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = join(RESULTS_DIR, 'latest.json');
  const markdown = join(RESULTS_DIR, 'latest.md');
  writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(markdown, `# Benchmark results\n\n${renderResults(result)}`);
  return { json, markdown };
}

/** Replaces the section of BENCHMARKS.md between the result markers with this run's tables. */
export function recordResults(result: BenchResult): void {
  const current = readFileSync(BENCHMARKS_FILE, 'utf8');
  const start = current.indexOf(RESULTS_START);
  const end = current.indexOf(RESULTS_END);
  if (start < 0 || end < start) {
    throw new Error(
      `${BENCHMARKS_FILE} lacks the markers ${RESULTS_START} and ${RESULTS_END} around its results; put them back and run again.`,
    );
  }
  const section = `${RESULTS_START}\n${renderResults(result)}${RESULTS_END}`;
  writeFileSync(
    BENCHMARKS_FILE,
    current.slice(0, start) + section + current.slice(end + RESULTS_END.length),
  );
}

/** Renders the run as Markdown: the command and machine, then a table per figure. */
export function renderResults(result: BenchResult): string {
  const { machine, seed } = result;
  const lines = [
    `Command: \`${result.command}\` at commit ${result.commit}, ${result.startedAt}, ${Math.round(result.durationSeconds)} s in all.`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB of memory, ${machine.os}, Node.js ${machine.node}, ${machine.postgres}.${describeLoad(machine.loadAverage)}`,
    '',
    `Data: ${formatCount(seed.communities)} communities, ${formatCount(seed.users)} users, ${formatCount(seed.threads)} threads, ${formatCount(seed.posts)} posts, ${formatCount(seed.liveSessions)} live sessions.`,
    '',
  ];
  const figures = [...result.figures].sort((a, b) => a.figure - b.figure);
  for (const figure of figures) {
    lines.push(...renderFigure(figure));
  }
  const missing = FANOUT_FIGURES.filter((number) => !figures.some((f) => f.figure === number));
  if (missing.length > 0) {
    lines.push(`### Figures ${missing.join(', ')}`, '', 'Measured by the fan-out figures.', '');
  }
  return `${lines.join('\n')}\n`;
}

function describeLoad(loadAverage: number[] | undefined): string {
  if (!loadAverage?.length) {
    return '';
  }
  return ` Load average at the end of the run: ${loadAverage.map((value) => value.toFixed(1)).join(', ')} (1, 5, 15 minutes).`;
}

function renderFigure(figure: FigureResult): string[] {
  const lines = [
    `### Figure ${figure.figure}: ${figure.title}`,
    '',
    '| measured | Staffroom | baseline | baseline value | ratio | goal | met |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of figure.rows) {
    lines.push(
      `| ${[
        row.label,
        formatValue(row.product, row.unit),
        row.baselineName ?? '',
        row.baseline === null ? '' : formatValue(row.baseline, row.unit),
        row.ratio === null ? '' : row.ratio.toFixed(2),
        row.goal,
        formatMet(row),
      ].join(' | ')} |`,
    );
  }
  lines.push('');
  for (const note of [...figure.rows.flatMap((row) => row.note ?? []), ...(figure.notes ?? [])]) {
    lines.push(note, '');
  }
  return lines;
}

function formatMet(row: FigureRow): string {
  if (row.met === null) {
    return '';
  }
  return row.met ? 'yes' : 'no';
}

function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) {
    return 'n/a';
  }
  if (unit === 'requests/s' || unit === 'statements') {
    return `${formatCount(Math.round(value))} ${unit}`;
  }
  if (unit === 'ms') {
    return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
  }
  return `${Number(value.toPrecision(4))} ${unit}`;
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
