import { WidgetCommunityActivity, WidgetUpcomingSessions } from 'virtual:embed-operation-ids';
import { For, Show } from 'solid-js';
import { createWidget, type WidgetProps } from '../runtime/context.ts';
import { defineWidget } from '../runtime/define.tsx';
import { countOf, formatDateTime, parseItems } from '../runtime/format.ts';
import { createLiveUpdates } from '../runtime/live-updates.ts';
import { createPersistedQuery } from '../runtime/query.ts';
import { StaffroomLink, WidgetShell } from '../runtime/shell.tsx';
import css from './sessions.css?inline';

interface UpcomingSession {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  status: 'SCHEDULED' | 'LIVE' | 'ENDED' | 'CANCELLED';
  rsvpCount: number;
  capacity: number | null;
  waitlistCount: number;
}

interface SessionsData {
  community: {
    id: string;
    slug: string;
    name: string;
    visibility: string;
    viewerCanRead: boolean;
    eventCursor: string | null;
    upcomingLiveSessions: { nodes: UpcomingSession[] } | null;
  } | null;
}

/** `<staffroom-sessions>`: a community's upcoming live sessions, soonest first. */
function Sessions(props: WidgetProps) {
  const widget = createWidget(props);
  const slug = () => (props.community ?? '').trim();
  const query = createPersistedQuery<SessionsData>(widget, () =>
    widget.key() && slug()
      ? {
          operation: { name: 'WidgetUpcomingSessions', id: WidgetUpcomingSessions },
          variables: { slug: slug(), first: parseItems(props.items, 5, 1, 20) },
        }
      : null,
  );
  const community = () => query.data()?.community;
  const sessions = () =>
    community()?.viewerCanRead ? (community()?.upcomingLiveSessions?.nodes ?? []) : [];

  // NOTE: community activity announces new sessions only; RSVP counts and starts show on the
  // next refetch, after such an event or a reconnection.
  const live = createLiveUpdates(
    widget,
    () => {
      const current = community();
      return current?.viewerCanRead
        ? {
            operation: { name: 'WidgetCommunityActivity', id: WidgetCommunityActivity },
            variables: { communityId: current.id },
            cursor: current.eventCursor,
          }
        : null;
    },
    {
      onEvent: (data) => {
        const type = (data.communityActivity as { type?: string } | null)?.type;
        if (type === 'LIVE_SESSION_SCHEDULED') {
          void query.refetch().then(() => widget.announce('A new live session was scheduled.'));
        }
      },
      onResync: () => void query.refetch(),
      onReconnectFailed: () => void query.refetch(),
    },
  );

  return (
    <WidgetShell
      widget={widget}
      title={community()?.name ? `Live sessions in ${community()?.name}` : 'Upcoming live sessions'}
      openHref={widget.link(slug() ? `/c/${encodeURIComponent(slug())}` : '/live-sessions')}
      configError={
        (!widget.key() || !slug()) &&
        'This widget needs an embed-key and a community attribute to show live sessions.'
      }
      loading={query.loading()}
      failure={query.failure()}
      retrying={query.retrying()}
      onRetry={query.retryNow}
      hasData={query.data() !== undefined}
      unavailable={
        !community()?.viewerCanRead &&
        (widget.token()
          ? 'This community is not available to you here.'
          : 'This community is not available here. Its members can sign in to see it.')
      }
      empty={sessions().length === 0 && 'No live sessions are scheduled.'}
      offerSignIn={!community()?.viewerCanRead}
      live={live}
    >
      <ul class="list">
        <For each={sessions()}>
          {(session) => (
            <SessionItem session={session} locale={widget.locale()} link={widget.link} />
          )}
        </For>
      </ul>
    </WidgetShell>
  );
}

/** Returns the start time in the session's own zone, with the zone's name, or null on error. */
function formatInZone(instant: string, timeZone: string, locale: string | undefined) {
  try {
    return new Intl.DateTimeFormat(locale, {
      hour: 'numeric',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    }).format(new Date(instant));
  } catch {
    return null;
  }
}

function SessionItem(props: {
  session: UpcomingSession;
  locale: string | undefined;
  link: (path: string) => string;
}) {
  const seatsLeft = () =>
    props.session.capacity === null
      ? null
      : Math.max(0, props.session.capacity - props.session.rsvpCount);
  // Zones are compared by the time they show, because one zone has several names (UTC, Etc/UTC).
  const sessionZoneTime = () => {
    const zoned = formatInZone(props.session.startsAt, props.session.timeZone, props.locale);
    const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return zoned === formatInZone(props.session.startsAt, viewerZone, props.locale) ? null : zoned;
  };

  return (
    <li>
      <h3 class="item-title">
        <StaffroomLink href={props.link(`/s/${encodeURIComponent(props.session.id)}`)}>
          {props.session.title}
        </StaffroomLink>
      </h3>
      <p class="when">
        <Show when={props.session.status === 'LIVE'}>
          <span class="tag live">Live now</span>{' '}
        </Show>
        <time datetime={props.session.startsAt}>
          {formatDateTime(props.session.startsAt, props.locale)}
        </time>
        <span class="muted">
          {' '}
          <Show when={sessionZoneTime()} fallback={`(${props.session.timeZone})`}>
            {(zoned) =>
              zoned().includes(props.session.timeZone)
                ? `(${zoned()})`
                : `(${zoned()} in ${props.session.timeZone})`
            }
          </Show>
        </span>
      </p>
      <p class="meta">
        <span>{countOf(props.session.rsvpCount, props.locale, 'person', 'people')} going</span>
        <Show when={props.session.capacity !== null}>
          <span>
            {countOf(seatsLeft() ?? 0, props.locale, 'seat')} left of{' '}
            {new Intl.NumberFormat(props.locale).format(props.session.capacity ?? 0)}
          </span>
        </Show>
        <Show when={props.session.waitlistCount > 0}>
          <span>
            {countOf(props.session.waitlistCount, props.locale, 'person', 'people')} waiting
          </span>
        </Show>
      </p>
    </li>
  );
}

defineWidget('staffroom-sessions', css, Sessions);
