import { A, useParams } from '@solidjs/router';
import { For, Match, Show, Switch } from 'solid-js';
import { LiveRoom } from '../components/live-room/live-room.tsx';
import { ROOM_SETTINGS_FIELDS, type RoomSettings } from '../components/live-room/room-documents.ts';
import { ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { createAction, createGraphQLQuery, refetchOnReconnect } from '../lib/graphql.ts';
import { pluralize } from '../lib/plural.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { describeSchedule } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

const LIVE_SESSION = `query LiveSession($id: ID!) { liveSession(id: $id) {
  id title descriptionHtml startsAt endsAt timeZone status joinUrl joinUrlAvailableAt calendarUrl capacity rsvpCount waitlistCount viewerRsvp viewerSeat viewerWaitlistPosition
  community { name slug } ${ROOM_SETTINGS_FIELDS}
  occurrenceIndex detachedFromSeries series { id summary cancelledAt viewerCanManage } } }`;

interface LiveSessionData {
  liveSession:
    | (RoomSettings & {
        title: string;
        descriptionHtml: string;
        startsAt: string;
        endsAt: string;
        timeZone: string;
        joinUrl: string | null;
        joinUrlAvailableAt: string;
        calendarUrl: string;
        capacity: number | null;
        rsvpCount: number;
        waitlistCount: number;
        viewerRsvp: string | null;
        viewerSeat: 'CONFIRMED' | 'WAITLISTED' | null;
        viewerWaitlistPosition: number | null;
        community: { name: string; slug: string };
        occurrenceIndex: number | null;
        detachedFromSeries: boolean;
        series: {
          id: string;
          summary: string;
          cancelledAt: string | null;
          viewerCanManage: boolean;
        } | null;
      })
    | null;
}

const STATUS_LABELS: Record<string, string> = {
  SCHEDULED: 'Scheduled',
  LIVE: 'Live now',
  ENDED: 'Ended',
  CANCELLED: 'Cancelled',
};

const RSVP_CHOICES: [string, string][] = [
  ['GOING', 'Going'],
  ['MAYBE', 'Maybe'],
  ['NOT_GOING', 'Not going'],
];

export default function LiveSessionPage() {
  const params = useParams();
  // Waiting for the viewer avoids loading the page once signed out and again signed in.
  const page = createGraphQLQuery<LiveSessionData, { id: string; viewerId: string | null }>(
    LIVE_SESSION,
    () =>
      viewerLoaded() && {
        id: decodeURIComponent(params.id ?? ''),
        viewerId: viewer()?.id ?? null,
      },
  );
  const liveSession = () => page.data()?.liveSession;
  createDocumentTitle(() => liveSession()?.title);
  // The room follows the session's events and reloads this query when one changes its fields,
  // so the page reloads on its own only after an outage.
  refetchOnReconnect(page.refetch);

  const { act, actionError } = createAction(page.refetch);

  return (
    <Switch>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={!page.data()}>
        <Loading label="Loading the live session…" />
      </Match>
      <Match when={!liveSession()}>
        <section>
          <h1>Live session not found</h1>
          <p>It does not exist, or it is in a community you cannot see.</p>
          <p>
            <A href="/">Back to the communities</A>
          </p>
        </section>
      </Match>
      <Match when={liveSession()}>
        {(current) => {
          const open = () => current().status === 'SCHEDULED' || current().status === 'LIVE';
          return (
            <article class="live-session">
              <RefreshError message={page.error()} onRetry={page.refetch} />
              <p class="breadcrumb">
                <A href={`/c/${current().community.slug}`}>{current().community.name}</A>
              </p>
              <h1>{current().title}</h1>
              <p class="meta">
                <span class="tag" classList={{ live: current().status === 'LIVE' }}>
                  {STATUS_LABELS[current().status]}
                </span>
                {describeSchedule(current().startsAt, current().endsAt, current().timeZone)}
              </p>
              <Show when={current().series}>
                {(series) => (
                  <p class="meta" data-testid="live-session-series">
                    Session {(current().occurrenceIndex ?? 0) + 1} of a series: {series().summary}
                    <Show when={current().detachedFromSeries}>
                      {' '}
                      · this session was changed on its own
                    </Show>
                    <Show when={series().cancelledAt}> · the rest of the series was cancelled</Show>
                  </p>
                )}
              </Show>
              <p class="meta">
                Hosted by {current().host?.displayName ?? 'a former member'} ·{' '}
                {pluralize(current().rsvpCount, 'person', 'people')} going
                <Show when={current().capacity !== null}>
                  {' '}
                  · {pluralize(current().capacity ?? 0, 'seat', 'seats')}
                  <Show when={current().waitlistCount > 0}>
                    {' '}
                    · {pluralize(current().waitlistCount, 'person', 'people')} on the waitlist
                  </Show>
                </Show>
              </p>
              <Show when={current().viewerSeat}>
                {(seat) => (
                  <p class="meta" data-testid="viewer-seat" role="status">
                    {seat() === 'CONFIRMED'
                      ? current().joinUrl || !open()
                        ? 'You have a seat.'
                        : `You have a seat. The meeting link appears at ${new Date(current().joinUrlAvailableAt).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' })}.`
                      : `The session is full: you are number ${current().viewerWaitlistPosition ?? '?'} on the waitlist, and you will be notified when a seat opens.`}
                  </p>
                )}
              </Show>
              <div class="prose" innerHTML={current().descriptionHtml} />
              <div class="actions">
                <Show when={open() && current().joinUrl}>
                  {(joinUrl) => (
                    <a
                      class="button-link"
                      href={joinUrl()}
                      target="_blank"
                      rel="noopener noreferrer"
                    >
                      Open the meeting link
                      <span class="visually-hidden"> (opens in a new tab)</span>
                    </a>
                  )}
                </Show>
                <a
                  class="button-link secondary"
                  href={new URL(current().calendarUrl).pathname}
                  download="live-session.ics"
                >
                  Add to calendar
                </a>
                <Show when={current().viewerCanManage && current().status !== 'SCHEDULED'}>
                  <A
                    class="button-link secondary"
                    href={`/s/${encodeURIComponent(current().id)}/attendance`}
                  >
                    Attendance
                  </A>
                </Show>
                <Show when={viewer() && open()}>
                  <fieldset class="rsvp">
                    <legend>Are you going?</legend>
                    <For each={RSVP_CHOICES}>
                      {([status, label]) => (
                        <button
                          type="button"
                          class="secondary"
                          aria-pressed={current().viewerRsvp === status ? 'true' : 'false'}
                          onClick={() =>
                            act('rsvp', 'RsvpInput', { liveSessionId: current().id, status })
                          }
                        >
                          {label}
                        </button>
                      )}
                    </For>
                  </fieldset>
                </Show>
                <Show when={!viewer() && open()}>
                  <A href={signInPath(`/s/${encodeURIComponent(current().id)}`)}>Sign in to RSVP</A>
                </Show>
              </div>
              {/* Starting, cancelling and ending the session are among the room's host controls. */}
              <Show when={current().viewerCanManage && open()}>
                <div class="actions">
                  <Show when={current().series?.viewerCanManage && !current().series?.cancelledAt}>
                    <button
                      type="button"
                      class="secondary danger"
                      onClick={() =>
                        window.confirm('Cancel every upcoming session of this series?') &&
                        act('cancelLiveSeries', 'LiveSeriesIdInput', {
                          liveSeriesId: current().series?.id,
                        })
                      }
                    >
                      Cancel the series
                    </button>
                  </Show>
                </div>
              </Show>
              <Show when={actionError()}>
                <p class="form-error" role="alert">
                  {actionError()}
                </p>
              </Show>
              {/* One room per session and viewer, since the room reads its event cursor once. */}
              <Show when={`${current().id}:${viewer()?.id ?? ''}`} keyed>
                <LiveRoom settings={current()} refreshSettings={page.refetch} />
              </Show>
            </article>
          );
        }}
      </Match>
    </Switch>
  );
}
