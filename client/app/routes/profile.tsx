import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { BlockButton } from '../components/block-button.tsx';
import { CredentialDownload } from '../components/credential-download.tsx';
import { Empty, ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { viewer, viewerLoaded } from '../lib/session.ts';
import { formatLocal } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';
import './credentials.css';
import { ReportPersonButton } from '../components/moderation/report-person.tsx';

/**
 * Awards a profile shows, newest first. The query's cost stays within the server's limit of
 * 20,000, which 100 awards with their badges would pass.
 */
const MAX_AWARDS_SHOWN = 50;
/** Maximum revoked and expired awards listed on a person's own profile, newest first. */
const MAX_ENDED_AWARDS_SHOWN = 20;

const AWARD_FIELDS = `id status awardedAt expiresAt revokedAt
    badge { id name kind imageUrl community { name slug } district { name }
      isteStandards { code name } }`;

// badgeAwardHistory is null for anyone but the person themself.
const PROFILE = `query Profile($id: ID!) { node(id: $id) { __typename ... on User {
  id displayName bio school { name } district { name } viewerHasBlocked
  badgeAwards(first: ${MAX_AWARDS_SHOWN}) { pageInfo { hasNextPage } nodes { ${AWARD_FIELDS} } }
  badgeAwardHistory(first: ${MAX_ENDED_AWARDS_SHOWN}) { pageInfo { hasNextPage }
    nodes { ${AWARD_FIELDS} revokeReason } } } } }`;

export interface ProfileAward {
  id: string;
  status: string;
  awardedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  /** The reason for the revocation, in the person's own history; absent elsewhere. */
  revokeReason?: string | null;
  badge: {
    id: string;
    name: string;
    kind: 'PARTICIPATION' | 'MICROCREDENTIAL';
    imageUrl: string;
    community: { name: string; slug: string } | null;
    district: { name: string } | null;
    isteStandards: { code: string; name: string }[];
  };
}

interface ProfileData {
  node:
    | {
        __typename: 'User';
        id: string;
        displayName: string;
        bio: string;
        viewerHasBlocked: boolean;
        school: { name: string } | null;
        district: { name: string } | null;
        badgeAwards: { pageInfo: { hasNextPage: boolean }; nodes: ProfileAward[] };
        badgeAwardHistory: { pageInfo: { hasNextPage: boolean }; nodes: ProfileAward[] } | null;
      }
    | { __typename: string }
    | null;
}

type ProfileUser = Extract<ProfileData['node'], { __typename: 'User' }>;

function AwardItem(props: { award: ProfileAward; own: boolean }) {
  const inactive = () => props.award.status !== 'active';
  return (
    <li classList={{ inactive: inactive() }} data-testid="profile-award">
      <img class="badge-image" src={props.award.badge.imageUrl} alt="" width="56" height="56" />
      <div>
        <h3>
          <A href={`/b/${encodeURIComponent(props.award.badge.id)}`}>{props.award.badge.name}</A>
          <Show when={props.award.status === 'revoked'}>
            <span class="tag bad">Revoked</span>
          </Show>
          <Show when={props.award.status === 'expired'}>
            <span class="tag subtle">Expired</span>
          </Show>
        </h3>
        <p class="meta">
          {props.award.badge.community?.name ?? props.award.badge.district?.name ?? ''} · awarded{' '}
          {formatLocal(props.award.awardedAt)}
          <Show when={props.award.status === 'revoked' && props.award.revokedAt}>
            {(revokedAt) => <> · revoked {formatLocal(revokedAt())}</>}
          </Show>
          <Show when={props.award.status !== 'revoked' && props.award.expiresAt}>
            {(expiresAt) => (
              <>
                {' '}
                · {props.award.status === 'expired' ? 'expired' : 'valid until'}{' '}
                {formatLocal(expiresAt())}
              </>
            )}
          </Show>
        </p>
        <p class="meta">
          ISTE{' '}
          {props.award.badge.isteStandards
            .map((standard) => `${standard.code} ${standard.name}`)
            .join(', ')}
        </p>
        <Show when={props.award.revokeReason}>
          {(reason) => (
            <p class="pre-line" data-testid="profile-award-reason">
              Reason for the revocation: {reason()}
            </p>
          )}
        </Show>
        <Show when={props.own && !inactive()}>
          <CredentialDownload
            awardId={props.award.id}
            badgeName={props.award.badge.name}
            imageUrl={props.award.badge.imageUrl}
          />
        </Show>
      </div>
    </li>
  );
}

function AwardGroup(props: {
  title: string;
  id: string;
  awards: ProfileAward[];
  own: boolean;
  empty: string;
}) {
  return (
    <section aria-labelledby={props.id}>
      <h2 id={props.id}>
        {props.title} ({props.awards.length})
      </h2>
      <Show when={props.awards.length > 0} fallback={<Empty>{props.empty}</Empty>}>
        <ul class="badge-list">
          <For each={props.awards}>{(award) => <AwardItem award={award} own={props.own} />}</For>
        </ul>
      </Show>
    </section>
  );
}

function Profile(props: { user: ProfileUser }) {
  const own = () => viewer()?.id === props.user.id;
  const [blocked, setBlocked] = createSignal(props.user.viewerHasBlocked);
  const awards = () => props.user.badgeAwards.nodes;
  const microcredentials = () => awards().filter((award) => award.badge.kind === 'MICROCREDENTIAL');
  const participation = () => awards().filter((award) => award.badge.kind !== 'MICROCREDENTIAL');
  return (
    <article>
      <header class="profile-header">
        <h1>{props.user.displayName}</h1>
        <Show when={props.user.school || props.user.district}>
          <p class="meta" data-testid="profile-school">
            {[props.user.school?.name, props.user.district?.name].filter(Boolean).join(' · ')}
          </p>
        </Show>
        <Show when={props.user.bio}>
          <p class="pre-line">{props.user.bio}</p>
        </Show>
        <ReportPersonButton userId={props.user.id} displayName={props.user.displayName} />
        <BlockButton
          userId={props.user.id}
          displayName={props.user.displayName}
          blocked={blocked()}
          onChange={setBlocked}
        />
      </header>
      <Show
        when={awards().length > 0}
        fallback={
          <Empty>
            {own()
              ? props.user.badgeAwardHistory?.nodes.length
                ? 'You hold no active badges.'
                : 'You have no badges yet.'
              : 'No badges to show: none earned yet, or they are private or in communities you cannot see.'}
          </Empty>
        }
      >
        <Show when={props.user.badgeAwards.pageInfo.hasNextPage}>
          <p class="meta">Showing the {MAX_AWARDS_SHOWN} newest badges.</p>
        </Show>
        <AwardGroup
          title="Microcredentials"
          id="microcredentials-heading"
          awards={microcredentials()}
          own={own()}
          empty="No microcredentials yet."
        />
        <AwardGroup
          title="Participation badges"
          id="participation-heading"
          awards={participation()}
          own={own()}
          empty="No participation badges yet."
        />
      </Show>
      <Show when={props.user.badgeAwardHistory}>
        {(history) => <EndedAwards history={history()} />}
      </Show>
    </article>
  );
}

/** Lists the person's own revoked and expired awards, with when and why each ended. */
function EndedAwards(props: { history: NonNullable<ProfileUser['badgeAwardHistory']> }) {
  return (
    <Show when={props.history.nodes.length > 0}>
      <section aria-labelledby="ended-awards-heading" data-testid="profile-ended-awards">
        <h2 id="ended-awards-heading">Revoked and expired ({props.history.nodes.length})</h2>
        <p class="meta">
          Only you see this list.
          <Show when={props.history.pageInfo.hasNextPage}>
            {' '}
            Showing the {MAX_ENDED_AWARDS_SHOWN} newest.
          </Show>
        </p>
        <ul class="badge-list">
          <For each={props.history.nodes}>{(award) => <AwardItem award={award} own />}</For>
        </ul>
      </section>
    </Show>
  );
}

/**
 * Decodes the id from the address and returns it when it has the form of a User global id
 * (base64 of "User:<row id>"), or null. The server returns an error for a malformed id rather
 * than with no object, so a mistyped address is caught here and shows "Profile not found".
 */
function userIdFromAddress(encoded: string | undefined): string | null {
  try {
    const id = decodeURIComponent(encoded ?? '');
    return /^User:[1-9]\d{0,9}$/.test(atob(id)) ? id : null;
  } catch {
    return null;
  }
}

function ProfileNotFound() {
  return (
    <section>
      <h1>Profile not found</h1>
      <p>No educator has this address.</p>
      <p>
        <A href="/">Back to the communities</A>
      </p>
    </section>
  );
}

/** Shows an educator's profile: name, school, bio and the badges the viewer may see. */
export default function ProfilePage() {
  const params = useParams();
  const userId = () => userIdFromAddress(params.id);
  const page = createGraphQLQuery<ProfileData, { id: string; viewerId: string | null }>(
    PROFILE,
    () => {
      const id = userId();
      return viewerLoaded() && id !== null && { id, viewerId: viewer()?.id ?? null };
    },
  );
  const user = (): ProfileUser | undefined => {
    const node = page.data()?.node;
    return node?.__typename === 'User' ? (node as ProfileUser) : undefined;
  };
  createDocumentTitle(() => user()?.displayName);

  return (
    <Switch>
      <Match when={userId() === null}>
        <ProfileNotFound />
      </Match>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the profile…" />
      </Match>
      <Match when={!user()}>
        <ProfileNotFound />
      </Match>
      <Match when={user()}>
        {(current) => (
          <>
            <RefreshError message={page.error()} onRetry={page.refetch} />
            <Profile user={current()} />
          </>
        )}
      </Match>
    </Switch>
  );
}
