import { isClosedConnectionWrite } from '../drizzle/db.ts';
import { type RunningServer, startServer } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';

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

let server: RunningServer | null = null;

// postgres.js throws one known exception from a timer, out of reach of any caller, when the
// database drops a connection under a transaction. A new pool recovers from it, so the process
// stays up. Any other uncaught exception ends the process, as it would without this handler.
process.on('uncaughtException', (error) => {
  if (server && isClosedConnectionWrite(error)) {
    log.error(
      { err: error },
      'postgres.js wrote to a closed database connection; replacing the connection pool',
    );
    server.database.replacePool();
    return;
  }
  log.fatal({ err: error }, 'Uncaught exception; exiting');
  process.exit(1);
});

try {
  const running = await startServer(config, { logger: log });
  server = running;
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) {
      log.warn({ signal }, 'Second signal received; exiting at once');
      process.exit(1);
    }
    signalled = true;
    log.info({ signal }, 'Signal received');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
} catch (error) {
  log.fatal({ err: error }, 'Staffroom failed to start');
  process.exit(1);
}
