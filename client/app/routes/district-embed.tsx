import { A, useParams } from '@solidjs/router';
import { Match, Switch } from 'solid-js';
import { EmbedManager } from '../components/embed-manager.tsx';
import { ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { EMBED_KEY_FIELDS, type EmbedKey, type EmbedKeyCommunity } from '../lib/embed-keys.ts';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { createDocumentTitle } from '../lib/title.ts';
import './embed.css';

const DISTRICT_EMBED = `query DistrictEmbed($slug: String!) {
  district(slug: $slug) { id slug name viewerIsAdmin embedKeys { ${EMBED_KEY_FIELDS} }
    ownedCommunities { id slug name visibility } } }`;

interface DistrictEmbedData {
  district: {
    id: string;
    slug: string;
    name: string;
    viewerIsAdmin: boolean;
    /** Null unless the viewer administers the district. */
    embedKeys: EmbedKey[] | null;
    /** Null unless the viewer administers the district. */
    ownedCommunities: EmbedKeyCommunity[] | null;
  } | null;
}

/** Returns the district's communities, by name, from the district's list and the keys' own. */
function districtCommunities(data: DistrictEmbedData): EmbedKeyCommunity[] {
  const byId = new Map<string, EmbedKeyCommunity>();
  for (const community of data.district?.ownedCommunities ?? []) {
    byId.set(community.id, community);
  }
  for (const key of data.district?.embedKeys ?? []) {
    for (const community of key.communities) {
      byId.set(community.id, community);
    }
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Renders the embed page of a district: its admins' keys, which may list several district communities. */
export default function DistrictEmbedPage() {
  const params = useParams();
  const page = createGraphQLQuery<DistrictEmbedData, { slug: string; viewerId: string }>(
    DISTRICT_EMBED,
    () => {
      const current = viewer();
      return current ? { slug: params.slug ?? '', viewerId: current.id } : false;
    },
  );
  const district = () => page.data()?.district;
  createDocumentTitle(() =>
    district() ? `Embed widgets of ${district()?.name}` : 'Embed widgets',
  );

  return (
    <Switch>
      <Match when={viewerLoaded() && !viewer()}>
        <section>
          <h1>Embed widgets</h1>
          <p>
            <A href={signInPath(`/districts/${params.slug ?? ''}/embed`)}>Sign in</A> to show your
            district's communities on other sites.
          </p>
        </section>
      </Match>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the district…" />
      </Match>
      <Match when={!district()}>
        <section>
          <h1>District not found</h1>
          <p>No district has the address {params.slug}.</p>
        </section>
      </Match>
      <Match when={district()?.embedKeys === null}>
        <section data-testid="embed-owners-only">
          <h1>{district()?.name}</h1>
          <p>Only the district's admins can show its communities on other sites.</p>
        </section>
      </Match>
      <Match when={district()}>
        {(current) => (
          <article class="embed-page">
            <RefreshError message={page.error()} onRetry={page.refetch} />
            <p class="breadcrumb">
              <A href={`/districts/${current().slug}/admin`}>{current().name} admin</A>
            </p>
            <h1>Embed widgets</h1>
            <EmbedManager
              owner={{
                kind: 'district',
                id: current().id,
                name: current().name,
                communities: districtCommunities(page.data() as DistrictEmbedData),
              }}
              keys={current().embedKeys ?? []}
              onChanged={page.refetch}
              intro={
                <p class="lead">
                  A district key may list several of the district's communities. Public ones show to
                  every visitor; district ones show only to signed-in district staff unless you
                  accept open reading for the key; private ones show only to signed-in members.
                </p>
              }
            />
          </article>
        )}
      </Match>
    </Switch>
  );
}
