import type { OperationResult } from '@urql/core';
import { createSignal } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { client, describeError } from '../lib/graphql.ts';
import { POST_FIELDS, type Post } from './post-view.tsx';

/**
 * Top-level replies per request. The server's query cost limit admitted 80 replies with their
 * nested replies and POST_FIELDS in one query, and rejected 90, so 50 leaves room for new fields.
 */
export const POST_PAGE_SIZE = 50;

export interface PostPageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

const LATER_POSTS = `query ThreadPosts($id: ID!, $after: String!) { thread(id: $id) { id
  posts(first: ${POST_PAGE_SIZE}, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { ${POST_FIELDS} replies { ${POST_FIELDS} } } } } }`;

interface LaterPostsData {
  thread: { id: string; posts: { pageInfo: PostPageInfo; nodes: Post[] } } | null;
}

/**
 * Keeps the replies after a thread's first page, loaded on request with `showMore`. Replies are
 * oldest first and a deleted one keeps its place, so the first page's end cursor stays valid, and
 * `reload` fetches the same number of later pages again after a live update.
 */
export function createLaterPosts(threadId: () => string | undefined) {
  const [store, setStore] = createStore<{ nodes: Post[] }>({ nodes: [] });
  const [pageInfo, setPageInfo] = createSignal<PostPageInfo | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal('');
  let firstEndCursor: string | null = null;
  let pagesLoaded = 0;

  /** Fetches up to `count` pages after `after`, or returns an error message when one fails. */
  const fetchPages = async (after: string, count: number) => {
    const id = threadId();
    const nodes: Post[] = [];
    let info: PostPageInfo | null = null;
    let cursor: string | null = after;
    for (let page = 0; id && cursor && page < count; page += 1) {
      const result: OperationResult<LaterPostsData> = await client
        .query<LaterPostsData>(LATER_POSTS, { id, after: cursor })
        .toPromise();
      if (result.error) {
        return describeError(result.error);
      }
      const posts: { pageInfo: PostPageInfo; nodes: Post[] } | undefined =
        result.data?.thread?.posts;
      if (!posts) {
        break;
      }
      nodes.push(...posts.nodes);
      info = posts.pageInfo;
      cursor = posts.pageInfo.hasNextPage ? posts.pageInfo.endCursor : null;
    }
    return { nodes, info };
  };

  const showMore = async (firstPage: PostPageInfo) => {
    firstEndCursor = firstPage.endCursor;
    const after = pageInfo()?.endCursor ?? firstPage.endCursor;
    if (!after) {
      return;
    }
    setLoading(true);
    setError('');
    const outcome = await fetchPages(after, 1);
    setLoading(false);
    if (typeof outcome === 'string') {
      setError(outcome);
      return;
    }
    pagesLoaded += 1;
    setStore('nodes', reconcile([...store.nodes, ...outcome.nodes], { key: 'id' }));
    setPageInfo(outcome.info);
  };

  const reload = async () => {
    if (pagesLoaded === 0 || !firstEndCursor) {
      return;
    }
    // Another page may have started since the last load, as new replies come last.
    const outcome = await fetchPages(firstEndCursor, pagesLoaded);
    if (typeof outcome === 'string') {
      setError(outcome);
      return;
    }
    setError('');
    setStore('nodes', reconcile(outcome.nodes, { key: 'id' }));
    setPageInfo(outcome.info);
  };

  return {
    nodes: () => store.nodes,
    /** Whether replies follow the last loaded page, given the page info of the first page. */
    hasMore: (firstPage: PostPageInfo) => (pageInfo() ?? firstPage).hasNextPage,
    loading,
    error,
    showMore,
    reload,
  };
}
