import { A, useParams } from '@solidjs/router';
import { For, Match, Show, Switch } from 'solid-js';
import { AwardBadgeForm } from '../components/award-badge-form.tsx';
import { Empty, ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { viewer, viewerLoaded } from '../lib/session.ts';
import { formatLocal } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

const BADGE = `query Badge($id: ID!) { badge(id: $id) {
  id name description criteriaHtml holderCount
  community { name slug viewerCanModerate members(first: 100) { nodes { user { id displayName } } } }
  isteStandards { code name summary }
  holders(first: 100) { nodes { id awardedAt recipient { displayName school { name } } } } } }`;

interface BadgeData {
  badge: {
    id: string;
    name: string;
    description: string;
    criteriaHtml: string;
    holderCount: number;
    community: {
      name: string;
      slug: string;
      viewerCanModerate: boolean;
      members: { nodes: { user: { id: string; displayName: string } }[] } | null;
    };
    isteStandards: { code: string; name: string; summary: string }[];
    holders: {
      nodes: {
        id: string;
        awardedAt: string;
        recipient: { displayName: string; school: { name: string } | null };
      }[];
    };
  } | null;
}

export default function BadgePage() {
  const params = useParams();
  // Waiting for the viewer avoids loading the page once signed out and again signed in.
  const page = createGraphQLQuery<BadgeData, { id: string; viewerId: string | null }>(
    BADGE,
    () =>
      viewerLoaded() && {
        id: decodeURIComponent(params.id ?? ''),
        viewerId: viewer()?.id ?? null,
      },
  );
  const badge = () => page.data()?.badge;
  createDocumentTitle(() => badge()?.name);

  return (
    <Switch>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the badge…" />
      </Match>
      <Match when={!badge()}>
        <section>
          <h1>Badge not found</h1>
          <p>It does not exist, or it is in a community you cannot see.</p>
          <p>
            <A href="/">Back to the communities</A>
          </p>
        </section>
      </Match>
      <Match when={badge()}>
        {(current) => (
          <article>
            <RefreshError message={page.error()} onRetry={page.refetch} />
            <p class="breadcrumb">
              <A href={`/c/${current().community.slug}`}>{current().community.name}</A>
            </p>
            <h1>{current().name}</h1>
            <p class="lead">{current().description}</p>
            <h2>ISTE Standards for Educators</h2>
            <ul class="rows">
              <For each={current().isteStandards}>
                {(standard) => (
                  <li>
                    <strong>
                      {standard.code} {standard.name}
                    </strong>
                    <p class="meta">{standard.summary}</p>
                  </li>
                )}
              </For>
            </ul>
            <h2>Criteria</h2>
            <div class="prose" innerHTML={current().criteriaHtml} />
            <Show when={current().community.viewerCanModerate}>
              <AwardBadgeForm
                badgeId={current().id}
                members={(current().community.members?.nodes ?? []).map((node) => node.user)}
                onAwarded={page.refetch}
              />
            </Show>
            <h2>Holders ({current().holderCount})</h2>
            <Show
              when={current().holders.nodes.length > 0}
              fallback={<Empty>Nobody holds this badge yet.</Empty>}
            >
              <ul class="rows">
                <For each={current().holders.nodes}>
                  {(award) => (
                    <li>
                      {award.recipient.displayName}
                      <span class="meta">
                        {award.recipient.school ? ` · ${award.recipient.school.name}` : ''} ·
                        awarded {formatLocal(award.awardedAt)}
                      </span>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </article>
        )}
      </Match>
    </Switch>
  );
}
