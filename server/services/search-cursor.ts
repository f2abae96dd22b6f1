import { GraphQLError } from 'graphql';

/** Kinds of objects that search finds, in the order that breaks ties between equal ranks. */
export const SEARCH_KINDS = ['thread', 'post', 'liveSession', 'badge', 'community'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/**
 * Position of a hit in the order of a search: its rank, the kind's place in SEARCH_KINDS and the
 * row id. The rank is the `real` as PostgreSQL 12 and later print it, the shortest text that reads
 * back as the same value, so the next page compares it exactly.
 */
export interface SearchPosition {
  rank: string;
  kindOrder: number;
  id: number;
}

const RANK_TEXT = /^\d+(\.\d+)?(e[-+]\d+)?$/;

/**
 * Smallest normal and largest finite `real` (float4). PostgreSQL raises an out-of-range error for
 * text that overflows a `real` or underflows to zero, so cursors outside these bounds are rejected.
 */
const MIN_NORMAL_REAL = 1.1754943508222875e-38;
const MAX_REAL = 3.4028234663852886e38;

/** Reports whether rank text reads as a `real` without PostgreSQL's out-of-range error. */
function isRealRank(text: string): boolean {
  const value = Number(text);
  return value === 0 || (value >= MIN_NORMAL_REAL && Math.fround(value) <= MAX_REAL);
}

export function encodeSearchCursor(position: SearchPosition): string {
  const text = JSON.stringify([position.rank, position.kindOrder, position.id]);
  return Buffer.from(text).toString('base64url');
}

/**
 * Reads a cursor that encodeSearchCursor made; null reads as the start. Anything else is a
 * GraphQL error with code BAD_USER_INPUT, as a malformed cursor of any other connection is.
 */
export function decodeSearchCursor(cursor: string | null): SearchPosition | null {
  if (cursor === null) {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor.slice(0, 200), 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'string' &&
    RANK_TEXT.test(value[0]) &&
    isRealRank(value[0]) &&
    Number.isInteger(value[1]) &&
    value[1] >= 0 &&
    value[1] < SEARCH_KINDS.length &&
    Number.isInteger(value[2]) &&
    value[2] > 0 &&
    value[2] <= 2_147_483_647
  ) {
    return { rank: value[0], kindOrder: value[1], id: value[2] };
  }
  throw new GraphQLError(
    `"${cursor.slice(0, 40)}" is not a search cursor; pass an endCursor or edge cursor of the same search.`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}
