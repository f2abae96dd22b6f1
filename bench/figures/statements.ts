import { readFileSync } from 'node:fs';
import { captureStatements } from '../lib/capture-sql.ts';
import type { BenchContext, FigureResult, FigureRow } from '../lib/context.ts';

// Figure 2: SQL statements per request for three pages of the web client, each at two page
// sizes, read from the extensions.sqlStatements that a server started with QUERY_STATS=true adds
// to each result. The count must not grow with the page size: lists load in batches, not one
// query per row. The documents follow the web client's (client/app/routes/community.tsx,
// thread.tsx and components/live-room/room-documents.ts), with every list at the page size.

const PAGE_SIZES = [10, 50] as const;

const PERSON = 'id displayName';
const POST = `id body bodyHtml deleted edited createdAt isAcceptedAnswer viewerCanEdit
  author { ${PERSON} } reactions { kind count viewerReacted }`;
const LIVE_SESSION = 'id title startsAt endsAt timeZone status rsvpCount host { displayName }';

const PAGES: {
  name: string;
  query: (size: number) => string;
  variable: 'slug' | 'thread' | 'live';
}[] = [
  {
    name: 'Community page',
    variable: 'slug',
    query: (size) => `query Community($key: String!) { community(slug: $key) {
      id slug name descriptionHtml focus visibility memberCount threadCount eventCursor
      viewerCanRead viewerCanRequestToJoin viewerRequestPending
      viewerCanPost viewerCanModerate viewerCanJoin viewerMembership { role }
      threads(first: ${size}) { nodes { id title kind pinned locked replyCount lastActivityAt author { displayName } } }
      upcomingLiveSessions(first: ${size}) { nodes { ${LIVE_SESSION} } }
      pastLiveSessions(first: ${size}) { nodes { ${LIVE_SESSION} } }
      badges(first: ${size}) { nodes { id name holderCount isteStandards { code name } } }
      members(first: ${size}) { nodes { id role user { id displayName school { name } } } } } }`,
  },
  {
    name: 'Thread page',
    variable: 'thread',
    query: (size) => `query Thread($key: ID!) { thread(id: $key) {
      id title bodyHtml kind pinned locked replyCount createdAt eventCursor
      viewerCanReply viewerCanModerate viewerCanAcceptAnswer
      author { displayName } community { name slug }
      posts(first: ${size}) { pageInfo { hasNextPage endCursor } nodes { ${POST} replies { ${POST} } } } } }`,
  },
  {
    name: 'Live session room',
    variable: 'live',
    query: (size) => `query LiveRoomContent($key: ID!) { liveSession(id: $key) {
      id title status viewerCanChat viewerHandRaised presentCount
      host { ${PERSON} } community { name slug }
      presentParticipants(first: ${size}) { nodes { ${PERSON} } }
      chatMessages(last: ${size}) { pageInfo { hasPreviousPage startCursor } nodes {
        id sequence body createdAt editedAt deletedAt deletedByModerator viewerCanEdit author { ${PERSON} } } }
      questions(first: ${size}, orderBy: VOTES) { pageInfo { hasNextPage endCursor } nodes {
        id body status voteCount viewerHasVoted createdAt resolvedAt author { ${PERSON} } } }
      raisedHands { raisedAt user { ${PERSON} } }
      mutedParticipants { ${PERSON} } } }`,
  },
];

export async function statementsFigure(ctx: BenchContext): Promise<FigureResult> {
  const server = await ctx.startStaffroom({ env: { QUERY_STATS: 'true' } });
  // A member of the seeded community who is neither its owner nor a facilitator.
  const tokens = JSON.parse(readFileSync(ctx.seed.tokensFile, 'utf8')) as string[];
  const token = tokens[2];
  if (!token) {
    throw new Error(`${ctx.seed.tokensFile} contains fewer than 3 tokens`);
  }
  const keys = {
    slug: ctx.seed.community.slug,
    thread: ctx.seed.thread.id,
    live: ctx.seed.liveSession.id,
  };

  const rows: FigureRow[] = [];
  const notes: string[] = [];
  for (const page of PAGES) {
    const counts: number[] = [];
    for (const size of PAGE_SIZES) {
      const variables = { key: keys[page.variable] };
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: page.query(size), variables }),
      });
      const result = (await response.json()) as {
        data?: unknown;
        errors?: { message: string }[];
        extensions?: { sqlStatements?: number };
      };
      const count = result.extensions?.sqlStatements;
      if (result.errors?.length || typeof count !== 'number') {
        throw new Error(
          `${page.name} at page size ${size} failed: ${JSON.stringify(result).slice(0, 800)}`,
        );
      }
      counts.push(count);
      // The same operation run through the schema in this process, recording each statement:
      // its count must match the server's, which shows that figure 1's capture is complete.
      const capture = await captureStatements(ctx.databaseUrl, page.query(size), variables, token);
      if (capture.statements.length !== count) {
        notes.push(
          `${page.name} at page size ${size}: the server counted ${count} statements, but ${capture.statements.length} were recorded in process.`,
        );
      }
    }
    const [small, large] = counts as [number, number];
    rows.push({
      label: `${page.name}, page size ${PAGE_SIZES[1]}`,
      product: large,
      baseline: small,
      baselineName: `page size ${PAGE_SIZES[0]}`,
      ratio: large / small,
      unit: 'statements',
      goal: 'ratio 1.00 (no growth with page size)',
      met: large === small,
    });
  }
  if (notes.length === 0) {
    notes.push(
      'Every count matches the statements recorded when the same operation runs through the schema in the benchmark process, the recording that figure 1 gives the SQL floor.',
    );
  }
  notes.push(
    `Signed in as a member of ${keys.slug} (a bearer token; authentication is not counted). Every list of a page is asked at the page size; the documents are in bench/figures/statements.ts.`,
  );
  await server.stop();
  return { figure: 2, title: 'SQL statements per request', rows, notes };
}
