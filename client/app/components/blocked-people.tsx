import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { BlockButton } from './block-button.tsx';
import { Empty, ErrorState, Loading, RefreshError } from './status.tsx';

/** People listed at once; the server's page size is at most 100. */
const MAX_SHOWN = 100;

const BLOCKED_PEOPLE = `query BlockedPeople { viewer { id
  blockedPeople(first: ${MAX_SHOWN}) { pageInfo { hasNextPage } nodes { id displayName } } } }`;

interface BlockedPeopleData {
  viewer: {
    id: string;
    blockedPeople: {
      pageInfo: { hasNextPage: boolean };
      nodes: { id: string; displayName: string }[];
    } | null;
  } | null;
}

/** Lists the people the viewer blocked, each with a button that ends the block. */
export function BlockedPeople() {
  const page = createGraphQLQuery<BlockedPeopleData, Record<string, never>>(
    BLOCKED_PEOPLE,
    () => ({}),
  );
  const people = () => page.data()?.viewer?.blockedPeople?.nodes ?? [];

  return (
    <Show
      when={page.data()}
      fallback={
        <Show when={page.error()} fallback={<Loading label="Loading blocked people…" />}>
          <ErrorState message={page.error() ?? ''} onRetry={page.refetch} />
        </Show>
      }
    >
      <RefreshError message={page.error()} onRetry={page.refetch} />
      <p class="hint">
        You and the people you block do not see each other's threads, replies or chat messages.
      </p>
      <Show when={people().length > 0} fallback={<Empty>You have not blocked anyone.</Empty>}>
        <ul class="blocked-people" data-testid="blocked-people">
          <For each={people()}>
            {(person) => (
              <li>
                <A href={`/u/${encodeURIComponent(person.id)}`}>{person.displayName}</A>{' '}
                <BlockButton
                  userId={person.id}
                  displayName={person.displayName}
                  blocked
                  compact
                  onChange={page.refetch}
                />
              </li>
            )}
          </For>
        </ul>
        <Show when={page.data()?.viewer?.blockedPeople?.pageInfo.hasNextPage}>
          <p class="meta">Showing the first {MAX_SHOWN} people, by name.</p>
        </Show>
      </Show>
    </Show>
  );
}
