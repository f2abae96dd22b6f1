import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from './log.ts';

async function newestModification(path: string, skip: string): Promise<number> {
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
    if (child === skip || entry === 'node_modules') {
      continue;
    }
    newest = Math.max(newest, await newestModification(child, skip));
  }
  return newest;
}

/**
 * Builds the web client with Vite when `client/dist` is missing or older than any source file,
 * so that `npm start` on a fresh clone serves a working client.
 */
export async function ensureClientBuilt(projectRoot: string, log: Logger): Promise<string> {
  const clientRoot = join(projectRoot, 'client');
  const distRoot = join(clientRoot, 'dist');
  const builtAt = (await stat(join(distRoot, 'index.html')).catch(() => null))?.mtimeMs ?? 0;
  const sourcesAt = Math.max(
    await newestModification(clientRoot, distRoot),
    await newestModification(join(projectRoot, 'vite.config.ts'), distRoot),
  );
  if (builtAt >= sourcesAt && builtAt > 0) {
    return distRoot;
  }

  const started = Date.now();
  log.info({ reason: builtAt === 0 ? 'missing' : 'stale' }, 'Building the web client');
  const { build } = await import('vite');
  await build({ configFile: join(projectRoot, 'vite.config.ts'), logLevel: 'warn' });
  log.info({ ms: Date.now() - started }, 'Built the web client');
  return distRoot;
}
