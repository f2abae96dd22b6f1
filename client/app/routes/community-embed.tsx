import { A, useParams } from '@solidjs/router';
import { Match, Switch } from 'solid-js';
import { EmbedManager } from '../components/embed-manager.tsx';
import { ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { EMBED_KEY_FIELDS, type EmbedKey, type EmbedKeyCommunity } from '../lib/embed-keys.ts';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { createDocumentTitle } from '../lib/title.ts';
import './embed.css';

const COMMUNITY_EMBED = `query CommunityEmbed($slug: String!) { community(slug: $slug) {
  id slug name visibility embedKeys { ${EMBED_KEY_FIELDS} } } }`;

interface CommunityEmbedData {
  community:
    | (EmbedKeyCommunity & {
        /** Null unless the viewer owns the community. */
        embedKeys: EmbedKey[] | null;
      })
    | null;
}

const AUDIENCE: Record<EmbedKeyCommunity['visibility'], string> = {
  PUBLIC:
    'This community is public, so its widgets show its threads, live sessions and badges to every visitor of the sites you allow.',
  DISTRICT:
    "This community is open to its district's staff, so its widgets show content only to visitors who sign in as district staff. A district admin can make a district key that shows it to everyone.",
  PRIVATE:
    'This community is private, so its widgets show content only to visitors who sign in as members.',
};

/** Renders the embed page of a community: its owners' keys, snippets and live preview. */
export default function CommunityEmbedPage() {
  const params = useParams();
  const page = createGraphQLQuery<CommunityEmbedData, { slug: string; viewerId: string }>(
    COMMUNITY_EMBED,
    () => {
      const current = viewer();
      return current ? { slug: params.slug ?? '', viewerId: current.id } : false;
    },
  );
  const community = () => page.data()?.community;
  createDocumentTitle(() =>
    community() ? `Embed widgets of ${community()?.name}` : 'Embed widgets',
  );

  return (
    <Switch>
      <Match when={viewerLoaded() && !viewer()}>
        <section>
          <h1>Embed widgets</h1>
          <p>
            <A href={signInPath(`/c/${params.slug ?? ''}/embed`)}>Sign in</A> to show a community
            you own on another site.
          </p>
        </section>
      </Match>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the community…" />
      </Match>
      <Match when={!community()}>
        <section>
          <h1>Community not found</h1>
          <p>No community you can see has the address {params.slug}.</p>
        </section>
      </Match>
      <Match when={community()?.embedKeys === null}>
        <section data-testid="embed-owners-only">
          <h1>Embed widgets</h1>
          <p>Only the owners of {community()?.name} can show it on other sites.</p>
          <p>
            <A href={`/c/${community()?.slug}`}>Back to {community()?.name}</A>
          </p>
        </section>
      </Match>
      <Match when={community()}>
        {(current) => (
          <article class="embed-page">
            <RefreshError message={page.error()} onRetry={page.refetch} />
            <p class="breadcrumb">
              <A href={`/c/${current().slug}`}>{current().name}</A> ·{' '}
              <A href={`/c/${current().slug}/manage`}>Manage</A>
            </p>
            <h1>Embed widgets</h1>
            <EmbedManager
              owner={{ kind: 'community', id: current().id, community: current() }}
              keys={current().embedKeys ?? []}
              onChanged={page.refetch}
              intro={<p class="lead">{AUDIENCE[current().visibility]}</p>}
            />
          </article>
        )}
      </Match>
    </Switch>
  );
}
