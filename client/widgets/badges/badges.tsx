import { WidgetCommunityBadges, WidgetPersonBadges } from 'virtual:embed-operation-ids';
import { createSignal, For, Show } from 'solid-js';
import { createWidget, type WidgetProps } from '../runtime/context.ts';
import { defineWidget } from '../runtime/define.tsx';
import { countOf, formatDate, parseItems } from '../runtime/format.ts';
import { createPersistedQuery } from '../runtime/query.ts';
import { StaffroomLink, WidgetShell } from '../runtime/shell.tsx';
import css from './badges.css?inline';

type BadgeKind = 'PARTICIPATION' | 'MICROCREDENTIAL';

interface CommunityBadgesData {
  community: {
    id: string;
    slug: string;
    name: string;
    viewerCanRead: boolean;
    badges: {
      nodes: {
        id: string;
        name: string;
        description: string;
        kind: BadgeKind;
        imageUrl: string;
        holderCount: number;
      }[];
    } | null;
  } | null;
}

interface PersonBadgesData {
  node: {
    id?: string;
    displayName?: string;
    badgeAwards?: {
      nodes: {
        id: string;
        awardedAt: string;
        expiresAt: string | null;
        badge: {
          id: string;
          name: string;
          kind: BadgeKind;
          imageUrl: string;
          community: { slug: string; name: string } | null;
          district: { name: string } | null;
        };
      }[];
    };
  } | null;
}

/** One card of the showcase, from a community's badge or a person's award. */
interface ShownBadge {
  id: string;
  name: string;
  kind: BadgeKind;
  imageUrl: string;
  detail: string;
}

const KIND_LABELS: Record<BadgeKind, string> = {
  PARTICIPATION: 'Participation badge',
  MICROCREDENTIAL: 'Microcredential',
};

/**
 * `<staffroom-badges>`: the badges a community awards (`community="slug"`), or the active
 * awards of one person (`person="<User id>"`). A community takes precedence when both are set.
 */
function Badges(props: WidgetProps) {
  const widget = createWidget(props);
  const slug = () => (props.community ?? '').trim();
  const person = () => (props.person ?? '').trim();
  const first = () => parseItems(props.items, 12, 1, 48);
  const query = createPersistedQuery<CommunityBadgesData & PersonBadgesData>(widget, () => {
    if (!widget.key()) {
      return null;
    }
    if (slug()) {
      return {
        operation: { name: 'WidgetCommunityBadges', id: WidgetCommunityBadges },
        variables: { slug: slug(), first: first() },
      };
    }
    return person()
      ? {
          operation: { name: 'WidgetPersonBadges', id: WidgetPersonBadges },
          variables: { id: person(), first: first() },
        }
      : null;
  });

  const community = () => (slug() ? query.data()?.community : undefined);
  const holder = () => (slug() ? undefined : query.data()?.node);
  const available = () =>
    slug() ? community()?.viewerCanRead === true : holder()?.badgeAwards !== undefined;
  const badges = (): ShownBadge[] => {
    const locale = widget.locale();
    // NOTE: an image of a private community's badge needs a sign-in that an <img> cannot send, so
    // such images show the placeholder.
    const fromCommunity = community()?.badges?.nodes.map((badge) => ({
      id: badge.id,
      name: badge.name,
      kind: badge.kind,
      imageUrl: badge.imageUrl,
      detail: countOf(badge.holderCount, locale, 'holder'),
    }));
    const fromPerson = holder()?.badgeAwards?.nodes.map((award) => ({
      id: award.badge.id,
      name: award.badge.name,
      kind: award.badge.kind,
      imageUrl: award.badge.imageUrl,
      detail: [
        award.badge.community?.name ?? award.badge.district?.name,
        `awarded ${formatDate(award.awardedAt, locale)}`,
      ]
        .filter(Boolean)
        .join(', '),
    }));
    return fromCommunity ?? fromPerson ?? [];
  };

  const title = () => {
    if (community()?.name) {
      return `Badges of ${community()?.name}`;
    }
    return holder()?.displayName ? `Badges of ${holder()?.displayName}` : 'Badges';
  };
  const openPath = () => {
    if (slug()) {
      return `/c/${encodeURIComponent(slug())}/badges`;
    }
    return person() ? `/u/${encodeURIComponent(person())}` : '/';
  };

  return (
    <WidgetShell
      widget={widget}
      title={title()}
      openHref={widget.link(openPath())}
      configError={
        (!widget.key() || (!slug() && !person())) &&
        'This widget needs an embed-key and a community or person attribute to show badges.'
      }
      loading={query.loading()}
      failure={query.failure()}
      retrying={query.retrying()}
      onRetry={query.retryNow}
      hasData={query.data() !== undefined}
      unavailable={
        !available() &&
        (widget.token()
          ? 'These badges are not available to you here.'
          : 'These badges are not available here. Members can sign in to see them.')
      }
      empty={badges().length === 0 && (slug() ? 'No badges yet.' : 'No badges to show yet.')}
      offerSignIn={!available()}
    >
      <ul class="badges">
        <For each={badges()}>
          {(badge) => (
            <BadgeCard
              badge={badge}
              href={widget.link(`/b/${encodeURIComponent(badge.id)}`)}
              base={widget.base}
            />
          )}
        </For>
      </ul>
    </WidgetShell>
  );
}

function BadgeCard(props: { badge: ShownBadge; href: string; base: string }) {
  const [imageFailed, setImageFailed] = createSignal(false);
  // imageUrl is a path on the Staffroom server, such as /badges/<id>/image.
  const imageSource = () => new URL(props.badge.imageUrl, `${props.base}/`).href;
  return (
    <li class="badge">
      <Show when={!imageFailed()} fallback={<span class="image placeholder" aria-hidden="true" />}>
        <img
          class="image"
          src={imageSource()}
          alt=""
          width="72"
          height="72"
          loading="lazy"
          onError={() => setImageFailed(true)}
        />
      </Show>
      <div class="text">
        <h3 class="item-title">
          <StaffroomLink href={props.href}>{props.badge.name}</StaffroomLink>
        </h3>
        <p class="muted">{KIND_LABELS[props.badge.kind]}</p>
        <p class="muted">{props.badge.detail}</p>
      </div>
    </li>
  );
}

defineWidget('staffroom-badges', css, Badges);
