import { createEffect, createSignal, on, untrack } from 'solid-js';
import { client, describeError } from './graphql.ts';

export interface UpcomingLiveSession {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  status: string;
  capacity: number | null;
  rsvpCount: number;
  viewerRsvp: 'GOING' | 'MAYBE' | 'NOT_GOING' | null;
  viewerSeat: 'CONFIRMED' | 'WAITLISTED' | null;
  community: { name: string; slug: string };
}

/** A window of at most 62 days. An omitted bound takes the API's default. */
export interface UpcomingWindow {
  from?: string;
  to?: string;
  /** Not sent to the API as a filter: a change of viewer loads the list again. */
  viewerId: string | null;
}

const UPCOMING_LIVE_SESSIONS = `query UpcomingLiveSessions(
  $first: Int, $after: String, $from: DateTime, $to: DateTime) {
  upcomingLiveSessions(first: $first, after: $after, from: $from, to: $to) {
    nodes { id title startsAt endsAt timeZone status capacity rsvpCount viewerRsvp viewerSeat
      community { name slug } }
    pageInfo { hasNextPage endCursor } } }`;

interface UpcomingData {
  upcomingLiveSessions: {
    nodes: UpcomingLiveSession[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** The API's maximum page size. */
const PAGE_SIZE = 100;

export interface UpcomingLiveSessionsState {
  /** Sessions loaded so far, soonest first, or undefined until the first page arrives. */
  sessions: () => UpcomingLiveSession[] | undefined;
  /** The message of the last failed load, cleared by the next successful one. */
  error: () => string | undefined;
  loading: () => boolean;
  /** Whether more sessions follow the ones loaded. */
  hasMore: () => boolean;
  loadMore: () => void;
  /** Repeats the load that failed: the first page, or the page after the loaded ones. */
  retry: () => void;
  /** Loads the list again from its first page, keeping the old one on screen meanwhile. */
  refetch: () => void;
}

/**
 * Loads the viewer's upcoming live sessions in a window, again whenever the window changes. Each
 * load follows up to `pagesPerLoad` pages at once, so a month grid can ask for all its days in
 * one go and a long list can stop after one page until the viewer asks for more.
 */
export function createUpcomingLiveSessions(
  requestedWindow: () => UpcomingWindow | false,
  pagesPerLoad: number,
): UpcomingLiveSessionsState {
  const [sessions, setSessions] = createSignal<UpcomingLiveSession[]>();
  const [error, setError] = createSignal<string>();
  const [loading, setLoading] = createSignal(false);
  const [nextCursor, setNextCursor] = createSignal<string | null>(null);
  let latestRequest = 0;

  const load = async (current: UpcomingWindow, after: string | null) => {
    latestRequest += 1;
    const request = latestRequest;
    setLoading(true);
    let loaded = after === null ? [] : (untrack(sessions) ?? []);
    let cursor = after;
    for (let page = 0; page < pagesPerLoad; page++) {
      const result = await client
        .query<UpcomingData>(UPCOMING_LIVE_SESSIONS, {
          first: PAGE_SIZE,
          after: cursor,
          from: current.from,
          to: current.to,
        })
        .toPromise();
      // A response to a window that has since changed must not replace the newer list.
      if (request !== latestRequest) {
        return;
      }
      if (result.error || !result.data) {
        setError(result.error ? describeError(result.error) : 'The server returned no data.');
        setLoading(false);
        return;
      }
      const connection = result.data.upcomingLiveSessions;
      loaded = [...loaded, ...connection.nodes];
      cursor = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
      if (cursor === null) {
        break;
      }
    }
    setError(undefined);
    setSessions(loaded);
    setNextCursor(cursor);
    setLoading(false);
  };

  createEffect(
    on(requestedWindow, (current, previous) => {
      if (previous !== undefined && JSON.stringify(current) === JSON.stringify(previous)) {
        return;
      }
      latestRequest += 1;
      setSessions(undefined);
      setNextCursor(null);
      setError(undefined);
      setLoading(false);
      if (current !== false) {
        void load(current, null);
      }
    }),
  );

  const loadFrom = (after: string | null) => {
    const current = untrack(requestedWindow);
    if (current !== false) {
      void load(current, after);
    }
  };

  return {
    sessions,
    error,
    loading,
    hasMore: () => nextCursor() !== null,
    loadMore: () => loadFrom(nextCursor()),
    retry: () => loadFrom(sessions() === undefined ? null : nextCursor()),
    refetch: () => loadFrom(null),
  };
}
