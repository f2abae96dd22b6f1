import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from './log.ts';

async function newestModification(path: string, skip: string[]): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) {
    return 0;
  }
  if (!info.isDirectory()) {
    return info.mtimeMs;
  }
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) {
    const child = join(path, entry);
    if (skip.includes(child) || entry === 'node_modules') {
      continue;
    }
    newest = Math.max(newest, await newestModification(child, skip));
  }
  return newest;
}

interface BuildTarget {
  /** Its name in log messages, such as "the web client". */
  name: string;
  /** A file the build writes, whose modification time is when the build last ran. */
  output: string;
  /** Files and folders whose changes make the build stale. */
  sources: string[];
  /** Folders inside `sources` that are not its input. */
  skip: string[];
  configFile: string;
}

/** Runs a Vite build when its output is missing or older than any of its sources. */
async function buildIfStale(target: BuildTarget, log: Logger): Promise<void> {
  const builtAt = (await stat(target.output).catch(() => null))?.mtimeMs ?? 0;
  let sourcesAt = 0;
  for (const source of target.sources) {
    sourcesAt = Math.max(sourcesAt, await newestModification(source, target.skip));
  }
  if (builtAt >= sourcesAt && builtAt > 0) {
    return;
  }

  const started = Date.now();
  log.info({ reason: builtAt === 0 ? 'missing' : 'stale' }, `Building ${target.name}`);
  const { build } = await import('vite');
  await build({ configFile: target.configFile, logLevel: 'warn' });
  log.info({ ms: Date.now() - started }, `Built ${target.name}`);
}

/**
 * Builds the web client and then the embeddable widgets with Vite, each when its output is
 * missing or older than any of its sources, so that `npm start` on a fresh clone serves both.
 * The widgets go to `client/dist/embed`, which the web client's build empties, so they are
 * built after it.
 */
export async function ensureClientBuilt(projectRoot: string, log: Logger): Promise<string> {
  const clientRoot = join(projectRoot, 'client');
  const distRoot = join(clientRoot, 'dist');
  const widgetsRoot = join(clientRoot, 'widgets');
  await buildIfStale(
    {
      name: 'the web client',
      output: join(distRoot, 'index.html'),
      sources: [clientRoot, join(projectRoot, 'vite.config.ts')],
      skip: [distRoot, widgetsRoot],
      configFile: join(projectRoot, 'vite.config.ts'),
    },
    log,
  );
  await buildIfStale(
    {
      name: 'the embeddable widgets',
      output: join(distRoot, 'embed', 'loader.js'),
      sources: [
        widgetsRoot,
        join(projectRoot, 'vite.widgets.config.ts'),
        join(projectRoot, 'schema', 'embed-operations.ts'),
      ],
      skip: [],
      configFile: join(projectRoot, 'vite.widgets.config.ts'),
    },
    log,
  );
  return distRoot;
}
