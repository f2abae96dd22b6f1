/**
 * Helpers of the search page: the API's snippet format, links to results and the date filter.
 * A snippet is HTML-escaped text in which each hit sits between U+E000 and U+E001.
 */

const HIT_START = '\uE000';
const HIT_END = '\uE001';

const HTML_ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

/** A stretch of a snippet, which the page renders as text, inside `<mark>` when it is a hit. */
export interface SnippetPart {
  text: string;
  hit: boolean;
}

/**
 * Splits a snippet into plain-text parts. The page renders them as text nodes and `<mark>`
 * elements, never as HTML, so the escaping is undone here rather than trusted.
 */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  for (const [index, piece] of snippet.split(HIT_START).entries()) {
    const [hit, rest] = index === 0 ? ['', piece] : splitOnce(piece, HIT_END);
    if (hit) {
      parts.push({ text: decodeEntities(hit), hit: true });
    }
    if (rest) {
      parts.push({ text: decodeEntities(rest), hit: false });
    }
  }
  return parts;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => HTML_ENTITIES[entity] ?? entity);
}

export const SEARCH_KIND_LABELS: Record<string, string> = {
  THREAD: 'Thread',
  POST: 'Reply',
  LIVE_SESSION: 'Live session',
  BADGE: 'Badge',
  COMMUNITY: 'Community',
};

/** The fields of a search result's object that the page shows. */
export interface SearchItem {
  __typename: 'Thread' | 'Post' | 'LiveSession' | 'Badge' | 'Community';
  id: string;
  title?: string;
  name?: string;
  slug?: string;
  status?: string;
  thread?: { id: string; title: string; community?: { name: string } | null };
  community?: { name: string } | null;
  /** A badge's community, aliased because it is nullable where the others are not. */
  badgeCommunity?: { name: string } | null;
}

/** Returns the path of the page that shows a result: a reply opens its thread. */
export function searchItemPath(item: SearchItem): string {
  switch (item.__typename) {
    case 'Thread':
      return `/t/${encodeURIComponent(item.id)}`;
    case 'Post':
      return `/t/${encodeURIComponent(item.thread?.id ?? '')}`;
    case 'LiveSession':
      return `/s/${encodeURIComponent(item.id)}`;
    case 'Badge':
      return `/b/${encodeURIComponent(item.id)}`;
    case 'Community':
      return `/c/${encodeURIComponent(item.slug ?? '')}`;
  }
}

/** Returns the heading of a result: a reply shows the title of its thread. */
export function searchItemTitle(item: SearchItem): string {
  if (item.__typename === 'Post') {
    return `Reply in ${item.thread?.title ?? 'a thread'}`;
  }
  return item.title ?? item.name ?? '';
}

/**
 * Turns the dates of the filter (YYYY-MM-DD, in the viewer's time zone) into the instants the
 * API takes: `from` at the start of its day and `to` at the end of its day, so both days count.
 */
export function dayRange(from: string, to: string): { from?: string; to?: string } {
  const startOf = (day: string) => new Date(`${day}T00:00:00`);
  const range: { from?: string; to?: string } = {};
  if (/^\d{4}-\d{2}-\d{2}$/.test(from)) {
    range.from = startOf(from).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(to)) {
    const end = startOf(to);
    end.setDate(end.getDate() + 1);
    range.to = end.toISOString();
  }
  return range;
}
