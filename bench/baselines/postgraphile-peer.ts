import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { exitWhenParentLeaves, printReady } from '../lib/ready.ts';

// A peer for the benchmark: PostGraphile 5 serving the benchmark database over HTTP at
// /graphql, with its recommended preset and no changes but a pool as large as Staffroom's. It
// builds its schema from the tables, so it has no access rules beyond the database role's.
// Start it with the preload that adds Promise.withResolvers on Node.js 20:
//   DATABASE_URL=postgres://… node --import tsx --import ./bench/baselines/postgraphile-preload.ts \
//     bench/baselines/postgraphile-peer.ts
// It prints {"ready":"http://127.0.0.1:<port>"} once it listens.

/** Connections in the pool: the same as a Staffroom process (drizzle/db.ts). */
const POOL_SIZE = 10;

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  process.stderr.write('Set DATABASE_URL to the benchmark database.\n');
  process.exit(2);
}

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: databaseUrl,
      schemas: ['public'],
      poolConfig: { max: POOL_SIZE },
    }),
  ],
  grafserv: { graphqlPath: '/graphql', graphiql: false },
} as GraphileConfig.Preset;

const instance = postgraphile(preset);
const serv = instance.createServ(grafserv);
const server = createServer();
server.on('error', (error) => {
  process.stderr.write(`PostGraphile peer failed: ${error.message}\n`);
  process.exit(1);
});
await serv.addTo(server);
// Building the schema (introspection) happens before the first request, not during it.
await instance.getSchema();
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  printReady(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

const stop = async () => {
  server.close();
  server.closeAllConnections();
  await instance.release();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
exitWhenParentLeaves(() => void stop());
