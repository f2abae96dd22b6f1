import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';
import { embedOperationIds } from './schema/embed-operations.ts';

const widgetsRoot = fileURLToPath(new URL('./client/widgets/', import.meta.url));
const OPERATION_IDS_MODULE = 'virtual:embed-operation-ids';

/**
 * Serves `virtual:embed-operation-ids`: one export per persisted operation, its SHA-256 id,
 * computed from schema/embed-operations.ts at build time. The widgets import ids only, so the
 * built chunks never contain a document.
 */
function embedOperationIdsModule(): Plugin {
  const resolvedId = `\0${OPERATION_IDS_MODULE}`;
  return {
    name: 'staffroom-embed-operation-ids',
    resolveId: (source) => (source === OPERATION_IDS_MODULE ? resolvedId : null),
    load(id) {
      if (id !== resolvedId) {
        return null;
      }
      return Object.entries(embedOperationIds())
        .map(([name, hash]) => `export const ${name} = ${JSON.stringify(hash)};`)
        .join('\n');
    },
  };
}

interface FileSize {
  file: string;
  bytes: number;
  gzip: number;
}

/** The sizes of one build, as written to sizes.json. */
export interface WidgetSizes {
  loader: FileSize;
  widgets: Record<string, FileSize & { chunks: string[]; totalGzip: number; totalBytes: number }>;
  shared: FileSize[];
}

/**
 * Writes sizes.json beside the chunks and, at the default log level, prints a table: the
 * loader, each widget's chunk, the shared chunks, and for each widget the total a page with only
 * that widget downloads (the loader, the widget's chunk and every chunk it imports). Sizes are
 * gzip at zlib's default level 6 of the minified files.
 */
function widgetSizeReport(): Plugin {
  let printTable = true;
  return {
    name: 'staffroom-widget-sizes',
    // The server builds with logLevel "warn", and its standard output carries JSON log lines only.
    configResolved(config) {
      printTable = (config.logLevel ?? 'info') === 'info';
    },
    // After writing, the chunks hold their final code, with the preload lists filled in.
    writeBundle(options, bundle) {
      const chunks = new Map<string, { code: string; imports: string[]; widget?: string }>();
      for (const output of Object.values(bundle)) {
        if (output.type === 'chunk') {
          const match = output.facadeModuleId?.match(/client\/widgets\/([a-z-]+)\/\1\.tsx$/);
          chunks.set(output.fileName, {
            code: output.code,
            imports: output.imports,
            widget: output.isDynamicEntry ? match?.[1] : undefined,
          });
        }
      }
      const measure = (file: string): FileSize => {
        const code = chunks.get(file)?.code ?? '';
        return { file, bytes: Buffer.byteLength(code), gzip: gzipSync(code).length };
      };
      const closure = (file: string, seen = new Set<string>()): Set<string> => {
        if (!seen.has(file)) {
          seen.add(file);
          for (const imported of chunks.get(file)?.imports ?? []) {
            closure(imported, seen);
          }
        }
        return seen;
      };

      const sizes: WidgetSizes = { loader: measure('loader.js'), widgets: {}, shared: [] };
      for (const [file, chunk] of chunks) {
        if (chunk.widget) {
          const files = [...closure(file, closure('loader.js'))];
          const measured = files.map(measure);
          sizes.widgets[chunk.widget] = {
            ...measure(file),
            chunks: files,
            totalBytes: measured.reduce((sum, size) => sum + size.bytes, 0),
            totalGzip: measured.reduce((sum, size) => sum + size.gzip, 0),
          };
        } else if (file !== 'loader.js') {
          sizes.shared.push(measure(file));
        }
      }
      writeFileSync(join(options.dir ?? '.', 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
      if (printTable) {
        process.stdout.write(formatSizeTable(sizes));
      }
    },
  };
}

function formatSizeTable(sizes: WidgetSizes): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`.padStart(10);
  const row = (name: string, bytes: number, gzip: number) =>
    `${name.padEnd(36)}${kb(bytes)}${kb(gzip)}\n`;
  let table = `\n${'widget build'.padEnd(36)}${'minified'.padStart(10)}${'gzip'.padStart(10)}\n`;
  table += row(sizes.loader.file, sizes.loader.bytes, sizes.loader.gzip);
  for (const [name, widget] of Object.entries(sizes.widgets)) {
    table += row(`${widget.file} (${name})`, widget.bytes, widget.gzip);
  }
  for (const shared of sizes.shared) {
    table += row(`${shared.file} (shared)`, shared.bytes, shared.gzip);
  }
  for (const [name, widget] of Object.entries(sizes.widgets)) {
    table += row(`page with one ${name} widget`, widget.totalBytes, widget.totalGzip);
  }
  return table;
}

/**
 * Builds the embeddable widgets into client/dist/embed: loader.js under a fixed name, and a
 * hashed chunk per widget and per group of shared modules, each imported relative to the
 * loader's URL. Run after the web client's build, whose emptyOutDir would remove this folder.
 */
export default defineConfig({
  root: widgetsRoot,
  base: './',
  publicDir: false,
  plugins: [solid(), embedOperationIdsModule(), widgetSizeReport()],
  build: {
    outDir: fileURLToPath(new URL('./client/dist/embed/', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    // The loader preloads a widget's shared chunks beside its chunk, resolved against its own
    // URL, which saves a round trip. Every browser with custom elements supports modulepreload.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: { loader: `${widgetsRoot}loader.ts` },
      output: {
        entryFileNames: 'loader.js',
        chunkFileNames: '[name]-[hash].js',
      },
    },
  },
});
