import { type ExecutionResult, execute, parse } from 'graphql';
import { openDatabase } from '../../drizzle/db.ts';
import { schema } from '../../schema/index.ts';
import { AccessBatcher } from '../../server/auth/viewer-access.ts';
import { createContext } from '../../server/context.ts';
import { createLogger } from '../../server/log.ts';
import { createEventBus } from '../../server/pubsub/event-bus.ts';
import { EventHub } from '../../server/pubsub/event-hub.ts';

/** One SQL statement as the server's drizzle sends it, with its parameters. */
export interface CapturedStatement {
  sql: string;
  params: unknown[];
}

export interface Capture {
  statements: CapturedStatement[];
  result: ExecutionResult;
}

/**
 * Runs one GraphQL operation through Staffroom's own schema, context and database code, and
 * records every SQL statement that its resolvers send, in order, with the parameters. The
 * statements that authenticate a bearer token come before the operation and are left out, as
 * the server's sqlStatements count leaves them out.
 */
export async function captureStatements(
  databaseUrl: string,
  document: string,
  variables: Record<string, unknown>,
  bearer: string | null = null,
): Promise<Capture> {
  const statements: CapturedStatement[] = [];
  let recording = false;
  const database = openDatabase({
    url: databaseUrl,
    dataDir: 'memory://',
    maxConnections: 2,
    onQuery: (sql, params) => {
      if (recording) {
        statements.push({ sql, params: [...params] });
      }
    },
  });
  const log = createLogger('warn');
  const bus = createEventBus(undefined, log);
  const hub = new EventHub(database.db, bus, log);
  try {
    const context = await createContext(
      {
        db: database.db,
        bus,
        hub,
        accessBatcher: new AccessBatcher(database.db),
        log,
        trustedOrigins: new Set(),
        trustProxy: 0,
        publicUrl: 'http://127.0.0.1',
        presenceTimeoutMs: 60_000,
        analyticsMinGroupSize: 5,
      },
      { bearer, cookie: null },
      () => {},
      log,
      { clientAddress: '127.0.0.1', userAgent: null },
    );
    recording = true;
    const result = await execute({
      schema,
      document: parse(document),
      variableValues: variables,
      contextValue: context,
    });
    recording = false;
    return { statements, result };
  } finally {
    hub.close();
    await bus.close();
    await database.close();
  }
}
