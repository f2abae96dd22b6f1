import { A } from '@solidjs/router';
import { createEffect, createSignal, on, Show } from 'solid-js';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { unreadCount, viewer } from '../lib/session.ts';

const REVIEW_COUNT = 'query ReviewCount { reviewQueue(first: 1) { totalCount } }';

const [countVersion, setCountVersion] = createSignal(0);

/** Reloads the count beside the navigation's Reviews link, after a decision on this page. */
export function refreshReviewCount(): void {
  setCountVersion((version) => version + 1);
}

/**
 * Renders the navigation link to the review queue for signed-in people, with the number of
 * submissions waiting for their review. The count reloads when a notification arrives, because
 * new evidence notifies its reviewers.
 */
export function ReviewQueueLink() {
  const query = createGraphQLQuery<{ reviewQueue: { totalCount: number } }, { viewerId: string }>(
    REVIEW_COUNT,
    () => {
      const current = viewer();
      return current ? { viewerId: current.id } : false;
    },
  );
  createEffect(on([unreadCount, countVersion], () => query.refetch(), { defer: true }));
  const count = () => query.data()?.reviewQueue.totalCount ?? 0;

  return (
    <Show when={viewer()}>
      <A href="/reviews">
        Reviews
        <Show when={count() > 0}>
          <span class="count" data-testid="review-count">
            {count()}
            <span class="visually-hidden"> waiting for review</span>
          </span>
        </Show>
      </A>
    </Show>
  );
}
