import { A, useParams } from '@solidjs/router';
import { For, Match, Show, Switch } from 'solid-js';
import { AwardBadgeForm } from '../components/community-forms.tsx';
import { Empty, ErrorState, errorMessage, Loading } from '../components/status.tsx';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { formatLocal } from '../lib/time.ts';

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
      members: { nodes: { user: { id: string; displayName: string } }[] };
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
  const page = createGraphQLQuery<BadgeData, { id: string }>(BADGE, () => ({
    id: decodeURIComponent(params.id ?? ''),
  }));

  return (
    <Switch>
      <Match when={page.data.error}>
        <ErrorState message={errorMessage(page.data.error)} onRetry={page.refetch} />
      </Match>
      <Match when={page.data.loading && !page.data.latest}>
        <Loading label="Loading the badge…" />
      </Match>
      <Match when={page.data.latest && !page.data.latest.badge}>
        <section>
          <h1>Badge not found</h1>
        </section>
      </Match>
      <Match when={page.data.latest?.badge}>
        {(badge) => (
          <article>
            <p class="breadcrumb">
              <A href={`/c/${badge().community.slug}`}>{badge().community.name}</A>
            </p>
            <h1>{badge().name}</h1>
            <p class="lead">{badge().description}</p>
            <h2>ISTE Standards for Educators</h2>
            <ul class="rows">
              <For each={badge().isteStandards}>
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
            <div class="prose" innerHTML={badge().criteriaHtml} />
            <Show when={badge().community.viewerCanModerate}>
              <AwardBadgeForm
                badgeId={badge().id}
                members={badge().community.members.nodes.map((node) => node.user)}
                onAwarded={page.refetch}
              />
            </Show>
            <h2>Holders ({badge().holderCount})</h2>
            <Show
              when={badge().holders.nodes.length > 0}
              fallback={<Empty>Nobody holds this badge yet.</Empty>}
            >
              <ul class="rows">
                <For each={badge().holders.nodes}>
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
