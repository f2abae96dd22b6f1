import { startServer } from '../../server/app.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { exitWhenParentLeaves, printReady } from './ready.ts';

// Starts Staffroom as server/main.ts does, from the same environment variables, for the
// benchmark. Beside the server it prints {"ready":"<url>"} once it listens, whatever LOG_LEVEL
// is, and responds to an IPC message {type: 'gc'} with its memory use after a full garbage
// collection. Run it as `node --expose-gc --import tsx bench/lib/staffroom-process.ts`.

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`Invalid configuration: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const log = createLogger(config.logLevel);

process.on('unhandledRejection', (reason) => {
  log.error({ err: reason }, 'Unhandled promise rejection');
});

try {
  const server = await startServer(config, { logger: log });
  let stopping = false;
  const shutdown = (reason: string) => {
    if (stopping && reason === 'benchmark gone') {
      return;
    }
    if (stopping) {
      log.warn({ reason }, 'Second stop request; exiting at once');
      process.exit(1);
    }
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Once the benchmark process is gone, no other process would stop this one.
  process.on('disconnect', () => shutdown('benchmark gone'));
  exitWhenParentLeaves(() => shutdown('benchmark gone'));
  process.on('message', (message: { type?: string }) => {
    if (message?.type !== 'gc') {
      return;
    }
    if (!global.gc) {
      log.warn('Garbage collection was requested, but node was started without --expose-gc');
    }
    global.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    process.send?.({ type: 'gc', rss, heapUsed });
  });
  printReady(server.url);
} catch (error) {
  log.fatal({ err: error }, 'Staffroom failed to start');
  process.exit(1);
}
