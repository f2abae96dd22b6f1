import { GraphQLError, type GraphQLResolveInfo, Kind, type SelectionNode } from 'graphql';
import { RateLimitedError, ValidationError } from '../../server/errors.ts';
import {
  limitSearches,
  MAX_SEARCH_QUERY_LENGTH,
  type SearchFilter,
  type SearchHit,
  type SearchKind,
  searchPage,
  validateSearch,
} from '../../server/services/search.ts';
import { builder, DEFAULT_PAGE_SIZE, type GraphQLContext, MAX_PAGE_SIZE } from '../builder.ts';
import { tryParseGlobalId } from '../ids.ts';
import { loadRow } from '../loaders.ts';
import { Badge } from './badge.ts';
import { Community } from './community.ts';
import { LiveSession } from './live-session.ts';
import { PostRef, Thread } from './thread.ts';

const SearchKindEnum = builder.enumType('SearchKind', {
  description: 'A kind of object that search finds.',
  values: {
    THREAD: { value: 'thread', description: 'A thread, by its title (weight A) and body (B).' },
    POST: { value: 'post', description: 'A reply, by its body (B).' },
    LIVE_SESSION: {
      value: 'liveSession',
      description: 'A live session, by its title (A) and description (B); cancelled ones too.',
    },
    BADGE: {
      value: 'badge',
      description: 'A badge, by its name (A), description (B) and criteria (C).',
    },
    COMMUNITY: {
      value: 'community',
      description: 'A community, by its name (A) and description (B).',
    },
  } as const,
});

const TABLE_OF_KIND = {
  thread: 'threads',
  post: 'posts',
  liveSession: 'liveSessions',
  badge: 'badges',
  community: 'communities',
} as const;

const TYPENAME_OF_KIND = {
  thread: 'Thread',
  post: 'Post',
  liveSession: 'LiveSession',
  badge: 'Badge',
  community: 'Community',
} as const satisfies Record<SearchKind, string>;

/** The GraphQL type of each row that a search returned, for the union's resolveType. */
const typenameOfRow = new WeakMap<object, string>();

interface LoadedHit extends SearchHit {
  row: object;
}

const SearchItem = builder.unionType('SearchItem', {
  description: 'An object that search found.',
  types: [Thread, PostRef, LiveSession, Badge, Community],
  resolveType: (row) => typenameOfRow.get(row) ?? null,
});

const SearchResultRef = builder.objectRef<LoadedHit>('SearchResult').implement({
  description: 'One match of a search: the object, how well it matched and where.',
  fields: (t) => ({
    kind: t.field({
      type: SearchKindEnum,
      description: 'What kind of object it is.',
      resolve: (hit) => hit.kind,
    }),
    item: t.field({
      type: SearchItem,
      description: 'The object itself.',
      resolve: (hit) => hit.row as never,
    }),
    rank: t.float({
      description:
        'ts_rank_cd of the match with weights 0.1, 0.2, 0.4 and 1.0 for labels D, C, B and A: higher is better. Compare ranks within one search only.',
      resolve: (hit) => hit.rank,
    }),
    snippet: t.string({
      description:
        'Up to two passages of the text around the matches, HTML-escaped, with each match between U+E000 and U+E001; replace those with <mark> and </mark> to highlight. Cut from the body, description or criteria (not the title or name), so it may be empty or hold no match when only the title matched.',
      resolve: (hit) => hit.snippet,
    }),
    date: t.field({
      type: 'DateTime',
      description:
        'When it was posted or created; for a live session, when it starts. The date filter applies to this.',
      resolve: (hit) => hit.date,
    }),
  }),
});

const SearchResultConnection = builder.connectionObject(
  {
    type: SearchResultRef,
    name: 'SearchResultConnection',
    description: 'A page of search results, best match first.',
  },
  { name: 'SearchResultEdge', description: 'A search result and its cursor.' },
);

const SearchFilterInput = builder.inputType('SearchFilter', {
  description: 'Narrows a search. Every field given must hold.',
  fields: (t) => ({
    kinds: t.field({
      type: [SearchKindEnum],
      description: 'Only these kinds; omit to search every kind. An empty list is invalid.',
    }),
    communityId: t.id({
      description:
        'Only this community: its threads, replies, live sessions and badges, and the community itself.',
    }),
    from: t.field({
      type: 'DateTime',
      description: 'Only objects whose `date` is at or after this instant.',
    }),
    to: t.field({
      type: 'DateTime',
      description: 'Only objects whose `date` is before this instant.',
    }),
  }),
});

/**
 * Reads the filter argument. A community id that is malformed, names no community or names one
 * the viewer may not read is the same validation error, so it reveals nothing.
 */
async function parseFilter(
  ctx: GraphQLContext,
  filter:
    | {
        kinds?: SearchKind[] | null;
        communityId?: string | number | null;
        from?: Date | null;
        to?: Date | null;
      }
    | null
    | undefined,
): Promise<SearchFilter> {
  let communityId: number | null = null;
  if (filter?.communityId != null) {
    communityId = tryParseGlobalId(String(filter.communityId), 'Community');
    if (communityId === null || !(await ctx.access.canRead(communityId))) {
      throw ValidationError.of(
        'filter.communityId',
        `"${String(filter.communityId).slice(0, 80)}" names no community you may read`,
      );
    }
  }
  return {
    kinds: filter?.kinds ?? null,
    communityId,
    from: filter?.from ?? null,
    to: filter?.to ?? null,
  };
}

/** Counts the root fields named `name` in the operation, through fragments and aliases. */
function countRootFields(info: GraphQLResolveInfo, name: string): number {
  const count = (selections: readonly SelectionNode[], seen: Set<string>): number => {
    let total = 0;
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) {
        total += selection.name.value === name ? 1 : 0;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += count(selection.selectionSet.selections, seen);
      } else if (!seen.has(selection.name.value)) {
        const fragment = info.fragments[selection.name.value];
        if (fragment) {
          total += count(
            fragment.selectionSet.selections,
            new Set([...seen, selection.name.value]),
          );
        }
      }
    }
    return total;
  };
  return count(info.operation.selectionSet.selections, new Set());
}

/** Loads the rows of a page's hits, one statement per kind, and drops hits deleted meanwhile. */
async function loadHits(ctx: GraphQLContext, hits: SearchHit[]): Promise<LoadedHit[]> {
  const rows = await Promise.all(hits.map((hit) => loadRow(ctx, TABLE_OF_KIND[hit.kind], hit.id)));
  return hits.flatMap((hit, index) => {
    const row = rows[index];
    if (!row) {
      return [];
    }
    typenameOfRow.set(row, TYPENAME_OF_KIND[hit.kind]);
    return [{ ...hit, row }];
  });
}

builder.queryField('search', (t) =>
  t.field({
    type: SearchResultConnection,
    description: `Full-text search over threads, replies, live sessions, badges and communities that the viewer may read, best match first. The query takes web search syntax: words, "a quoted phrase", OR between alternatives and -word to exclude; words are matched by their English stem, so "teaching" finds "teach". At most ${MAX_SEARCH_QUERY_LENGTH} characters. Removed, held and deleted content, and content of people the viewer blocked or who blocked the viewer, is never found.`,
    errors: {
      types: [ValidationError, RateLimitedError],
      union: { description: 'A page of search results, or why the search was not run.' },
      result: { description: 'A page of search results.' },
      dataField: { description: 'The page of results.' },
    },
    args: {
      query: t.arg.string({ required: true, description: 'What to look for.' }),
      filter: t.arg({ type: SearchFilterInput, description: 'Narrows the search.' }),
      first: t.arg.int({
        description: `Results per page: ${DEFAULT_PAGE_SIZE} when omitted, at most ${MAX_PAGE_SIZE}.`,
      }),
      after: t.arg.string({ description: 'The endCursor of the previous page.' }),
    },
    resolve: async (_root, args, ctx, info) => {
      if (ctx.access.embed) {
        // Widgets run only the documents in schema/embed-operations.ts, which do not search.
        throw new GraphQLError('Search is not available through an embed key.', {
          extensions: { code: 'FORBIDDEN' },
        });
      }
      if (args.first != null && args.first < 0) {
        throw new GraphQLError(`first must not be negative; got ${args.first}.`, {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      if (countRootFields(info, 'search') > 1) {
        throw new GraphQLError(
          'An operation may search once; send each search as its own operation.',
          { extensions: { code: 'BAD_USER_INPUT' } },
        );
      }
      const filter = await parseFilter(ctx, args.filter as never);
      const query = validateSearch(args.query, filter);
      await limitSearches(ctx, ctx.clientAddress);
      const first = Math.min(args.first ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const page = await searchPage(ctx, query, filter, { first, after: args.after ?? null });
      const hits = await loadHits(ctx, page.hits);
      return {
        edges: hits.map((hit) => ({ cursor: hit.cursor, node: hit })),
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: args.after != null,
          startCursor: page.hits[0]?.cursor ?? null,
          endCursor: page.hits.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);
