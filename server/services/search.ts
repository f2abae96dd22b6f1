import { type SQL, sql } from 'drizzle-orm';
import { rowsOf } from '../../drizzle/db.ts';
import { SEARCH_CONFIG } from '../../drizzle/tables/columns.ts';
import {
  readableBadgeCondition,
  readableCommunityCondition,
  type Viewer,
  visibleCommunityCondition,
} from '../auth/access.ts';
import { notBlockedCondition } from '../auth/content-visibility.ts';
import { consumeRateLimit } from '../auth/rate-limit.ts';
import {
  describeWait,
  RateLimitedError,
  ValidationError,
  type ValidationIssue,
} from '../errors.ts';
import { DEFAULT_CONTENT_LIMITS } from './content-limits.ts';
import type { ServiceContext } from './context.ts';
import {
  decodeSearchCursor,
  encodeSearchCursor,
  SEARCH_KINDS,
  type SearchKind,
} from './search-cursor.ts';
import { escapeSnippet, SNIPPET_HIT_END, SNIPPET_HIT_START } from './search-snippet.ts';

export { SEARCH_KINDS, type SearchKind } from './search-cursor.ts';

/** Maximum length of a search query, in characters. */
export const MAX_SEARCH_QUERY_LENGTH = 200;

/**
 * Searches per person (or per client address when signed out) per minute. A search that matches
 * most rows costs far more than a page of a list, so this bounds the database time one client can
 * spend. It applies where the flood limits apply (FLOOD_LIMITS).
 */
export const SEARCH_RATE_LIMIT = { limit: 30, windowSeconds: 60 } as const;

/** Counts one search against the viewer's or the address's limit; throws RateLimitedError past it. */
export async function limitSearches(
  ctx: Pick<ServiceContext, 'db' | 'viewer' | 'contentLimits'>,
  clientAddress: string,
): Promise<void> {
  if (!(ctx.contentLimits ?? DEFAULT_CONTENT_LIMITS).floodLimits) {
    return;
  }
  const key = ctx.viewer ? `search:user:${ctx.viewer.id}` : `search:address:${clientAddress}`;
  try {
    await consumeRateLimit(ctx.db, key, SEARCH_RATE_LIMIT);
  } catch (error) {
    if (!(error instanceof RateLimitedError)) {
      throw error;
    }
    throw new RateLimitedError(
      error.retryAfterSeconds,
      `At most ${SEARCH_RATE_LIMIT.limit} searches a minute; try again in ${describeWait(error.retryAfterSeconds)}.`,
    );
  }
}

/**
 * Weights of the D, C, B and A labels for ts_rank_cd: PostgreSQL's defaults. Titles and names
 * are A, bodies and descriptions B, badge criteria C. Posts have no label in their column, so
 * the query labels them B, as thread bodies are.
 */
const RANK_WEIGHTS = '{0.1, 0.2, 0.4, 1.0}';

// ts_headline marks hits with these private-use characters, removed from the text beforehand, so
// that no content can forge a hit. Two fragments of up to 30 words keep a snippet short.
const HEADLINE_OPTIONS = `StartSel=${SNIPPET_HIT_START}, StopSel=${SNIPPET_HIT_END}, MaxWords=30, MinWords=12, ShortWord=3, MaxFragments=2, FragmentDelimiter=" … "`;

export interface SearchFilter {
  kinds: readonly SearchKind[] | null;
  communityId: number | null;
  from: Date | null;
  to: Date | null;
}

export interface SearchHit {
  kind: SearchKind;
  id: number;
  rank: number;
  /** HTML-escaped text around the hits, each hit between SNIPPET_HIT_START and SNIPPET_HIT_END. */
  snippet: string;
  /** When it was posted or created; a live session's start. Timestamp text or a Date. */
  date: string | Date;
  cursor: string;
}

export interface SearchPage {
  hits: SearchHit[];
  hasNextPage: boolean;
}

/**
 * Checks a search query and filter, throwing one ValidationError with an issue per bad field: an
 * empty or over-long query, an empty kind list, or `from` later than `to`. Returns the query
 * with NUL characters removed, which PostgreSQL text cannot hold.
 */
export function validateSearch(query: string, filter: SearchFilter): string {
  const cleaned = query.replaceAll('\u0000', '').trim();
  const issues: ValidationIssue[] = [];
  if (cleaned === '') {
    issues.push({ path: ['query'], message: 'must contain at least one word' });
  } else if (cleaned.length > MAX_SEARCH_QUERY_LENGTH) {
    issues.push({
      path: ['query'],
      message: `must be at most ${MAX_SEARCH_QUERY_LENGTH} characters; got ${cleaned.length}`,
    });
  }
  if (filter.kinds?.length === 0) {
    issues.push({
      path: ['filter', 'kinds'],
      message: 'must name at least one kind; omit it to search every kind',
    });
  }
  if (filter.from && filter.to && filter.from.getTime() > filter.to.getTime()) {
    issues.push({ path: ['filter', 'to'], message: 'must not be earlier than from' });
  }
  if (issues.length > 0) {
    throw new ValidationError(issues);
  }
  return cleaned;
}

const community = {
  id: sql`c.id`,
  visibility: sql`c.visibility`,
  districtId: sql`c.district_id`,
  listed: sql`c.listed`,
};
const badge = { communityId: sql`b.community_id`, districtId: sql`b.district_id` };

/** Builds the conditions that every kind shares: the community filter and the date range. */
function commonConditions(filter: SearchFilter, communityId: SQL, date: SQL): SQL {
  return sql.join(
    [
      filter.communityId === null ? sql`true` : sql`${communityId} = ${filter.communityId}`,
      filter.from === null ? sql`true` : sql`${date} >= ${filter.from.toISOString()}`,
      filter.to === null ? sql`true` : sql`${date} < ${filter.to.toISOString()}`,
    ],
    sql` and `,
  );
}

/**
 * Builds the select of one kind. Each returns kind_order (the kind's place in SEARCH_KINDS, for
 * the tie break), id, rank, date and the text that the snippet is cut from.
 */
function kindSelect(kind: SearchKind, viewer: Viewer | null, filter: SearchFilter): SQL {
  const order = SEARCH_KINDS.indexOf(kind);
  const rank = (vector: SQL) => sql`ts_rank_cd(${RANK_WEIGHTS}::real[], ${vector}, q.query)`;
  const readable = readableCommunityCondition(viewer, community);
  switch (kind) {
    case 'thread':
      return sql`select ${order}::int as kind_order, t.id, ${rank(sql`t.search`)} as rank,
          t.created_at as date, t.body as text
        from threads t join communities c on c.id = t.community_id, q
        where t.search @@ q.query and ${readable}
          and t.removed_at is null and t.held_at is null and ${notBlockedCondition(viewer, sql`t.author_id`)}
          and ${commonConditions(filter, sql`t.community_id`, sql`t.created_at`)}`;
    case 'post':
      // A post shows only while its thread, and the top-level reply it answers, do: not removed,
      // held, or by a blocked person. The thread page leaves out the replies under a hidden one.
      return sql`select ${order}::int as kind_order, p.id, ${rank(sql`setweight(p.search, 'B')`)} as rank,
          p.created_at as date, p.body as text
        from posts p join threads t on t.id = p.thread_id
          join communities c on c.id = t.community_id
          left join posts pp on pp.id = p.parent_id, q
        where p.search @@ q.query and ${readable}
          and p.deleted_at is null and p.removed_at is null and p.held_at is null
          and t.removed_at is null and t.held_at is null
          and ${notBlockedCondition(viewer, sql`p.author_id`)} and ${notBlockedCondition(viewer, sql`t.author_id`)}
          and (pp.id is null or (pp.removed_at is null and pp.held_at is null
            and ${notBlockedCondition(viewer, sql`pp.author_id`)}))
          and ${commonConditions(filter, sql`t.community_id`, sql`p.created_at`)}`;
    case 'liveSession':
      return sql`select ${order}::int as kind_order, s.id, ${rank(sql`s.search`)} as rank,
          s.starts_at as date, s.description as text
        from live_sessions s join communities c on c.id = s.community_id, q
        where s.search @@ q.query and ${readable}
          and ${commonConditions(filter, sql`s.community_id`, sql`s.starts_at`)}`;
    case 'badge':
      return sql`select ${order}::int as kind_order, b.id, ${rank(sql`b.search`)} as rank,
          b.created_at as date, b.description || ' ' || b.criteria as text
        from badges b left join communities c on c.id = b.community_id, q
        where b.search @@ q.query
          and ${readableBadgeCondition(viewer, badge, community)}
          and ${commonConditions(filter, sql`b.community_id`, sql`b.created_at`)}`;
    case 'community':
      return sql`select ${order}::int as kind_order, c.id, ${rank(sql`c.search`)} as rank,
          c.created_at as date, c.description as text
        from communities c, q
        where c.search @@ q.query and ${visibleCommunityCondition(viewer, community)}
          and ${commonConditions(filter, sql`c.id`, sql`c.created_at`)}`;
  }
}

/** Builds the keyset condition that starts a page after the cursor's hit, in rank, kind, id order. */
function afterCursor(cursor: string | null): SQL {
  const position = decodeSearchCursor(cursor);
  if (!position) {
    return sql`true`;
  }
  const rank = sql`${position.rank}::real`;
  return sql`(hits.rank < ${rank} or (hits.rank = ${rank} and (hits.kind_order > ${position.kindOrder}
    or (hits.kind_order = ${position.kindOrder} and hits.id > ${position.id}))))`;
}

/**
 * Runs one page of a full-text search in one SQL statement: matches of the query
 * (websearch_to_tsquery syntax) over the kinds in the filter, of communities and badges the
 * viewer may read, ordered by rank, then kind, then id. Removed, held and deleted content, and
 * content of people the viewer blocked or who blocked the viewer, never matches. `query` must
 * have passed validateSearch. Throws GraphQL BAD_USER_INPUT for a malformed cursor.
 *
 * NOTE: every match is ranked before the page is cut, so the cost grows with the matches. A
 * phrase found in all 200,000 replies of bench/search-cost.ts takes about 1.5 s a page.
 */
export async function searchPage(
  ctx: Pick<ServiceContext, 'db' | 'viewer'>,
  query: string,
  filter: SearchFilter,
  page: { first: number; after: string | null },
): Promise<SearchPage> {
  const kinds = filter.kinds ?? SEARCH_KINDS;
  const unions = sql.join(
    SEARCH_KINDS.filter((kind) => kinds.includes(kind)).map((kind) =>
      kindSelect(kind, ctx.viewer, filter),
    ),
    sql` union all `,
  );
  // The snippet is cut in the outer select, after the limit, because ts_headline is costly and
  // is needed for the rows of the page only. OFFSET 0 keeps the planner from copying the cursor
  // condition into each arm of the union, where it would compute ts_rank_cd a second time.
  const statement = sql`with q as (select websearch_to_tsquery(${SEARCH_CONFIG}::regconfig, ${query}) as query)
    select page.kind_order, page.id, page.rank, page.rank::text as rank_text, page.date,
      ts_headline(${SEARCH_CONFIG}::regconfig, translate(page.text, ${SNIPPET_HIT_START + SNIPPET_HIT_END}, ''),
        q.query, ${HEADLINE_OPTIONS}) as snippet
    from (
      select * from (select * from (${unions}) arms offset 0) hits
      where ${afterCursor(page.after)}
      order by hits.rank desc, hits.kind_order, hits.id
      limit ${page.first + 1}
    ) page, q
    order by page.rank desc, page.kind_order, page.id`;
  const rows = rowsOf(await ctx.db.execute(statement));
  const hits = rows.slice(0, page.first).map((row) => {
    const kindOrder = Number(row.kind_order);
    const id = Number(row.id);
    const rankText = String(row.rank_text);
    return {
      kind: SEARCH_KINDS[kindOrder] as SearchKind,
      id,
      rank: Number(row.rank),
      snippet: escapeSnippet(String(row.snippet ?? '')),
      date: row.date as string | Date,
      cursor: encodeSearchCursor({ rank: rankText, kindOrder, id }),
    };
  });
  return { hits, hasNextPage: rows.length > page.first };
}
