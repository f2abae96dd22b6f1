import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execute, parse } from 'graphql';
import { openDatabase } from '../drizzle/db.ts';
import { schema } from '../schema/index.ts';
import { AccessBatcher } from '../server/auth/viewer-access.ts';
import { createContext } from '../server/context.ts';
import { createLogger } from '../server/log.ts';
import { createEventBus } from '../server/pubsub/event-bus.ts';
import { EventHub } from '../server/pubsub/event-hub.ts';
import { createBenchDatabase } from './lib/database.ts';
import { median } from './lib/stats.ts';
import { QUICK_SIZES, seedBenchmark } from './seed.ts';

// Measures the CPU time of the community page's operation in one process, without HTTP, as its
// selection grows: the community alone, then 20 threads with ids, then three scalar fields,
// then each thread's author. The differences show what each part of the selection costs in the
// schema, the resolvers and the database driver. It seeds a quick benchmark database and drops it.
//   node --import tsx bench/selection-cost.ts

const SELECTIONS: [string, string][] = [
  ['community id and name', 'id name'],
  ['+ 20 threads, ids', 'id name threads(first: 20) { nodes { id } }'],
  [
    '+ title, replyCount, lastActivityAt',
    'id name threads(first: 20) { nodes { id title replyCount lastActivityAt } }',
  ],
  [
    '+ author { displayName }',
    'id name threads(first: 20) { nodes { id title replyCount lastActivityAt author { displayName } } }',
  ],
];
const OPERATIONS = 1000;
const CONCURRENCY = 10;
const REPEATS = 3;

const workDir = mkdtempSync(join(tmpdir(), 'staffroom-selection-'));
const benchDatabase = await createBenchDatabase();
try {
  await seedBenchmark(benchDatabase.url, QUICK_SIZES, workDir);
  const database = openDatabase({ url: benchDatabase.url, dataDir: 'memory://' });
  const log = createLogger('warn');
  const bus = createEventBus(undefined, log);
  const hub = new EventHub(database.db, bus, log);
  const deps = {
    db: database.db,
    bus,
    hub,
    accessBatcher: new AccessBatcher(database.db),
    log,
    trustedOrigins: new Set<string>(),
    trustProxy: 0,
    publicUrl: 'http://127.0.0.1',
    presenceTimeoutMs: 60_000,
    analyticsMinGroupSize: 5,
  };
  const runOnce = async (document: ReturnType<typeof parse>) => {
    const contextValue = await createContext(deps, { bearer: null, cookie: null }, () => {}, log, {
      clientAddress: '127.0.0.1',
      userAgent: null,
    });
    const result = await execute({
      schema,
      document,
      variableValues: { slug: 'bench-community-1' },
      contextValue,
    });
    if (result.errors?.length) {
      throw result.errors[0];
    }
    return JSON.stringify(result);
  };

  const samples = new Map<string, number[]>();
  // The first pass warms the JIT and the connection pool and is not counted.
  for (let repeat = 0; repeat <= REPEATS; repeat++) {
    for (const [label, selection] of SELECTIONS) {
      const document = parse(`query($slug: String!) { community(slug: $slug) { ${selection} } }`);
      const before = process.cpuUsage();
      for (let done = 0; done < OPERATIONS; done += CONCURRENCY) {
        await Promise.all(Array.from({ length: CONCURRENCY }, () => runOnce(document)));
      }
      const used = process.cpuUsage(before);
      if (repeat > 0) {
        samples.set(label, [
          ...(samples.get(label) ?? []),
          (used.user + used.system) / 1000 / OPERATIONS,
        ]);
      }
    }
  }
  for (const [label, values] of samples) {
    console.log(`${label.padEnd(40)} ${median(values).toFixed(2)} ms CPU per operation`);
  }
  hub.close();
  await bus.close();
  await database.close();
} finally {
  await benchDatabase.drop();
  rmSync(workDir, { recursive: true, force: true });
}
