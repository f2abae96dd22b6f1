import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EMBED_OPERATIONS, embedOperationIds } from '../../schema/embed-operations.ts';
import type { WidgetSizes } from '../../vite.widgets.config.ts';

const projectRoot = new URL('../../', import.meta.url).pathname;
const WIDGETS = ['feed', 'sessions', 'chat', 'badges', 'community'];

let outDir: string;
let sizes: WidgetSizes;
let budget: { loaderGzip: number; widgetChunkGzip: number; pageWithOneWidgetGzip: number };

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'staffroom-widgets-'));
  // A process of its own, because Vite builds for development while NODE_ENV is "test", as it is
  // inside Vitest, and that build is larger than the one npm run build makes.
  await promisify(execFile)(
    join(projectRoot, 'node_modules/.bin/vite'),
    ['build', '--config', 'vite.widgets.config.ts', '--outDir', outDir, '--emptyOutDir'],
    { cwd: projectRoot, env: { ...process.env, NODE_ENV: 'production' } },
  );
  sizes = JSON.parse(await readFile(join(outDir, 'sizes.json'), 'utf8'));
  budget = JSON.parse(await readFile(join(projectRoot, 'client/widgets/budget.json'), 'utf8'));
}, 60_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('widget build', () => {
  test('writes loader.js under its fixed name', async () => {
    const files = await readdir(outDir);
    expect(files).toContain('loader.js');
    const loader = await readFile(join(outDir, 'loader.js'), 'utf8');
    expect(gzipSync(loader).length).toBe(sizes.loader.gzip);
  });

  test('gives each widget a hashed chunk', () => {
    expect(Object.keys(sizes.widgets).sort()).toEqual([...WIDGETS].sort());
    for (const name of WIDGETS) {
      expect(sizes.widgets[name]?.file).toMatch(new RegExp(`^${name}-[\\w-]+\\.js$`));
    }
  });

  test('keeps the loader within budget', () => {
    expect(sizes.loader.gzip).toBeLessThanOrEqual(budget.loaderGzip);
  });

  test.each(WIDGETS)('keeps the %s chunk and page within budget', (name) => {
    const widget = sizes.widgets[name];
    expect(widget?.gzip).toBeLessThanOrEqual(budget.widgetChunkGzip);
    expect(widget?.totalGzip).toBeLessThanOrEqual(budget.pageWithOneWidgetGzip);
  });

  test('ships operation ids and no documents', async () => {
    const code = (
      await Promise.all(
        (
          await readdir(outDir)
        )
          .filter((file) => file.endsWith('.js'))
          .map((file) => readFile(join(outDir, file), 'utf8')),
      )
    ).join('\n');
    const ids = embedOperationIds();
    expect(code.includes(ids.WidgetCommunityFeed)).toBe(true);
    for (const [name, document] of Object.entries(EMBED_OPERATIONS)) {
      const firstLine = document.trim().split('\n')[0] ?? name;
      expect(code.includes(firstLine), `the text of ${name} is in the build`).toBe(false);
    }
  });
});
