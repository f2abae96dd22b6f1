import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { LiveRoom } from '../components/live-room/live-room.tsx';
import { ROOM_SETTINGS_FIELDS, type RoomSettings } from '../components/live-room/room-documents.ts';
import {
  type EditableLiveSession,
  EditLiveSessionForm,
} from '../components/live-session-edit-form.tsx';
import { ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { createAction, createGraphQLQuery, refetchOnReconnect } from '../lib/graphql.ts';
import { pluralize } from '../lib/plural.ts';
import { describeSeriesRule, type SeriesRule } from '../lib/series-summary.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { describeSchedule, formatLocal } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

const LIVE_SESSION = `query LiveSession($id: ID!) { liveSession(id: $id) {
  id title description descriptionHtml startsAt endsAt timeZone status joinUrl joinUrlAvailableAt calendarUrl capacity rsvpCount waitlistCount viewerRsvp viewerSeat viewerWaitlistPosition
  community { name slug } ${ROOM_SETTINGS_FIELDS}
  occurrenceIndex detachedFromSeries series { id summary cancelledAt viewerCanManage
    frequency interval monthlyKind startTime timeZone count until
    occurrences(first: 1) { nodes { startsAt } } } } }`;

type LiveSession = LiveSessionData['liveSession'];

interface LiveSessionData {
  liveSession:
    | (RoomSettings & {
        title: string;
        description: string;
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
        series:
          | (SeriesRule & {
              id: string;
              summary: string;
              cancelledAt: string | null;
              viewerCanManage: boolean;
              occurrences: { nodes: { startsAt: string }[] };
            })
          | null;
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

/** Describes the series rule with the client's clock format, or the API's text without occurrences. */
function describeSeries(series: NonNullable<NonNullable<LiveSession>['series']>): string {
  const firstStartsAt = series.occurrences.nodes[0]?.startsAt;
  return firstStartsAt ? describeSeriesRule(series, firstStartsAt) : series.summary;
}

/**
 * Tells a confirmed attendee when the meeting link appears. The API hides the link until
 * joinUrlAvailableAt, so before then it cannot tell whether the host added one.
 */
function describeConfirmedSeat(liveSession: NonNullable<LiveSession>): string {
  const availableAt = Date.parse(liveSession.joinUrlAvailableAt);
  if (liveSession.joinUrl || liveSession.status !== 'SCHEDULED' || availableAt <= Date.now()) {
    return 'You have a seat.';
  }
  return `You have a seat. If the host adds a meeting link, it appears here from ${formatLocal(liveSession.joinUrlAvailableAt)}.`;
}

/** Renders the "Edit session" panel, whose form starts from the session's values when opened. */
function EditLiveSessionPanel(props: { liveSession: EditableLiveSession; onSaved: () => void }) {
  const [opened, setOpened] = createSignal(false);
  return (
    <details class="panel" onToggle={(event) => setOpened(event.currentTarget.open)}>
      <summary>Edit session</summary>
      <Show when={opened()}>
        <EditLiveSessionForm liveSession={props.liveSession} onSaved={props.onSaved} />
      </Show>
    </details>
  );
}

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
  let statusLine: HTMLParagraphElement | undefined;

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
              {/* The room moves focus here after ending or cancelling the session. */}
              <p class="meta" tabindex="-1" ref={statusLine} data-testid="live-session-status">
                <span class="tag" classList={{ live: current().status === 'LIVE' }}>
                  {STATUS_LABELS[current().status]}
                </span>
                {describeSchedule(current().startsAt, current().endsAt, current().timeZone)}
              </p>
              <Show when={current().series}>
                {(series) => (
                  <p class="meta" data-testid="live-session-series">
                    Session {(current().occurrenceIndex ?? 0) + 1} of a series:{' '}
                    {describeSeries(series())}
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
              {/* A seat or a waitlist place means nothing once the session is over. */}
              <Show when={open() && current().viewerSeat}>
                {(seat) => (
                  <p class="meta" data-testid="viewer-seat" role="status">
                    {seat() === 'CONFIRMED'
                      ? describeConfirmedSeat(current())
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
                <Show
                  when={
                    current().viewerCanManage &&
                    (current().status === 'LIVE' || current().status === 'ENDED')
                  }
                >
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
                <EditLiveSessionPanel liveSession={current()} onSaved={page.refetch} />
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
                <LiveRoom
                  settings={current()}
                  refreshSettings={page.refetch}
                  focusStatus={() => statusLine?.focus()}
                />
              </Show>
            </article>
          );
        }}
      </Match>
    </Switch>
  );
}
