import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import type { CapturedStatement } from '../lib/capture-sql.ts';
import { exitWhenParentLeaves, printReady } from '../lib/ready.ts';

// The floor of the community page benchmark: node:http and the postgres driver running the SQL
// statements that Staffroom ran for the same request, in the same order and with the same
// parameters, and returning the same JSON that Staffroom returns. No GraphQL parsing,
// validation, access rules in code, or resolvers: what is left is the cost of HTTP, JSON and
// the database, the least any server of this page pays.
//
// Environment: DATABASE_URL, STATEMENTS_FILE (JSON of a CommunityPageStatements), PORT (0 picks
// a free one). It prints {"ready":"http://127.0.0.1:<port>"} once it listens, and answers
// POST /graphql with a body {"variables":{"slug":…}}; the query text is not read.

/** The SQL of the community page, recorded from Staffroom by the benchmark. */
export interface CommunityPageStatements {
  /** The slug the statements were captured for; a request's slug replaces it in parameters. */
  slug: string;
  /** Threads on the page. */
  first: number;
  statements: CapturedStatement[];
}

/** Connections in the pool: the same as a Staffroom process (drizzle/db.ts). */
const POOL_SIZE = 10;
const MAX_BODY_BYTES = 1024 * 1024;

interface ThreadRow {
  id: number;
  title: string;
  replyCount: number;
  lastActivityAt: string;
  author: { displayName: string } | null;
}

interface CommunityRow {
  id: number;
  name: string;
  threads: ThreadRow[];
}

const databaseUrl = process.env.DATABASE_URL;
const statementsFile = process.env.STATEMENTS_FILE;
if (!databaseUrl || !statementsFile) {
  process.stderr.write('Set DATABASE_URL and STATEMENTS_FILE.\n');
  process.exit(2);
}
const page = JSON.parse(readFileSync(statementsFile, 'utf8')) as CommunityPageStatements;
const communityStatement = page.statements.findIndex((statement) =>
  statement.sql.includes('"threads"."r"'),
);
const accessStatement = page.statements.findIndex((statement) =>
  /^select "id", "visibility"/.test(statement.sql),
);
if (communityStatement < 0 || accessStatement < 0) {
  process.stderr.write(
    `${statementsFile} lacks the community query or the access check; capture the statements again.\n`,
  );
  process.exit(2);
}

const sql = postgres(databaseUrl, { max: POOL_SIZE, onnotice: () => {} });

/** Encodes a Relay global id as Pothos does: base64 of "<type>:<id>". */
function globalId(typename: string, id: number): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}

/** Turns PostgreSQL's "2026-12-04 12:47:11.123456+00" into an ISO 8601 instant, as DateTime does. */
function isoInstant(text: string): string {
  return new Date(text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')).toISOString();
}

async function communityPage(slug: string): Promise<unknown> {
  const results: Record<string, unknown>[][] = [];
  for (const statement of page.statements) {
    const params = statement.params.map((value) => (value === page.slug ? slug : value));
    // As drizzle sends them: named prepared statements, and the simple protocol without parameters.
    results.push(
      await sql.unsafe(statement.sql, params as postgres.ParameterOrJSON<never>[], {
        prepare: true,
      }),
    );
  }
  const community = results[communityStatement]?.[0] as CommunityRow | undefined;
  if (!community) {
    return { data: { community: null } };
  }
  const access = results[accessStatement]?.[0] as { visibility: string } | undefined;
  const readable = access?.visibility === 'public';
  return {
    data: {
      community: {
        id: globalId('Community', community.id),
        name: community.name,
        threads: readable
          ? {
              nodes: community.threads.slice(0, page.first).map((thread) => ({
                id: globalId('Thread', thread.id),
                title: thread.title,
                replyCount: thread.replyCount,
                lastActivityAt: isoInstant(thread.lastActivityAt),
                author: thread.author ? { displayName: thread.author.displayName } : null,
              })),
            }
          : null,
      },
    },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new Error('request body too large');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'POST' || request.url !== '/graphql') {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    return;
  }
  const body = JSON.parse(await readBody(request)) as { variables?: { slug?: unknown } };
  const slug = body.variables?.slug;
  if (typeof slug !== 'string') {
    response.writeHead(400, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ errors: [{ message: 'variables.slug must be a string' }] }));
    return;
  }
  const result = JSON.stringify(await communityPage(slug));
  response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(result);
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    process.stderr.write(`Request failed: ${(error as Error).message}\n`);
    if (!response.headersSent) {
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal server error');
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  printReady(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

const stop = async () => {
  server.close();
  server.closeAllConnections();
  await sql.end({ timeout: 5 });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
exitWhenParentLeaves(() => void stop());
