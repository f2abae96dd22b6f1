import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { type ChatMessage, ChatPanel } from '../components/chat-panel.tsx';
import { LiveRegion } from '../components/live-region.tsx';
import { ErrorState, Loading, RefreshError } from '../components/status.tsx';
import {
  createAction,
  createEventCursor,
  createGraphQLQuery,
  createGraphQLSubscription,
  refetchOnReconnect,
} from '../lib/graphql.ts';
import { pluralize } from '../lib/plural.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { describeSchedule } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';

const CHAT_FIELDS = 'id body createdAt author { displayName }';
const LIVE_SESSION = `query LiveSession($id: ID!) { liveSession(id: $id) {
  id title descriptionHtml startsAt endsAt timeZone status joinUrl joinUrlAvailableAt calendarUrl capacity rsvpCount waitlistCount viewerRsvp viewerSeat viewerWaitlistPosition eventCursor
  viewerCanManage viewerCanChat host { displayName } community { name slug }
  occurrenceIndex detachedFromSeries series { id summary cancelledAt viewerCanManage }
  chatMessages(last: 50) { nodes { ${CHAT_FIELDS} } } } }`;
const LIVE_SESSION_EVENTS = `subscription LiveSessionEvents($id: ID!, $after: String) {
  liveSessionEvents(liveSessionId: $id, after: $after) {
    eventId type liveSession { id status } chatMessage { ${CHAT_FIELDS} } } }`;

interface LiveSessionData {
  liveSession: {
    id: string;
    title: string;
    descriptionHtml: string;
    startsAt: string;
    endsAt: string;
    timeZone: string;
    status: string;
    joinUrl: string | null;
    joinUrlAvailableAt: string;
    calendarUrl: string;
    capacity: number | null;
    rsvpCount: number;
    waitlistCount: number;
    viewerRsvp: string | null;
    viewerSeat: 'CONFIRMED' | 'WAITLISTED' | null;
    viewerWaitlistPosition: number | null;
    eventCursor: string;
    viewerCanManage: boolean;
    viewerCanChat: boolean;
    host: { displayName: string } | null;
    community: { name: string; slug: string };
    occurrenceIndex: number | null;
    detachedFromSeries: boolean;
    series: {
      id: string;
      summary: string;
      cancelledAt: string | null;
      viewerCanManage: boolean;
    } | null;
    chatMessages: { nodes: ChatMessage[] };
  } | null;
}

interface LiveSessionEventData {
  liveSessionEvents: {
    eventId: string;
    type: string;
    liveSession: { id: string; status: string };
    chatMessage: ChatMessage | null;
  };
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
  const eventCursor = createEventCursor(
    () => liveSession()?.id ?? '',
    () => liveSession()?.eventCursor,
  );
  const [liveMessages, setLiveMessages] = createSignal<ChatMessage[]>([]);
  const [announcement, setAnnouncement] = createSignal('');
  const seenEvents = new Set<string>();
  createDocumentTitle(() => liveSession()?.title);

  // Messages that arrived live, minus those the last query already returned.
  const messages = () => {
    const loaded = liveSession()?.chatMessages.nodes ?? [];
    const known = new Set(loaded.map((entry) => entry.id));
    return [...loaded, ...liveMessages().filter((entry) => !known.has(entry.id))];
  };

  createGraphQLSubscription<LiveSessionEventData, { id: string; after: string }>(
    LIVE_SESSION_EVENTS,
    () => {
      const after = eventCursor();
      const current = liveSession();
      return after && current ? { id: current.id, after } : false;
    },
    (data) => {
      const event = data.liveSessionEvents;
      // A resubscription after a dropped socket replays from the page's first cursor.
      if (seenEvents.has(event.eventId)) {
        return;
      }
      seenEvents.add(event.eventId);
      if (event.type === 'CHAT_MESSAGE' && event.chatMessage) {
        const chatMessage = event.chatMessage;
        setLiveMessages((current) => [...current, chatMessage]);
        setAnnouncement(`${chatMessage.author?.displayName ?? 'Someone'}: ${chatMessage.body}`);
        return;
      }
      if (event.type === 'STATUS_CHANGED') {
        const status = STATUS_LABELS[event.liveSession.status] ?? event.liveSession.status;
        setAnnouncement(`The session is now: ${status}.`);
      } else {
        setAnnouncement('The session details changed.');
      }
      page.refetch();
    },
  );

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
          const manage = (field: string) =>
            act(field, 'LiveSessionIdInput', { liveSessionId: current().id });
          return (
            <article class="live-session">
              <LiveRegion message={announcement()} testId="live-session-announcer" />
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
              <Show when={current().viewerCanManage && open()}>
                <div class="actions">
                  <Show when={current().status === 'SCHEDULED'}>
                    <button type="button" onClick={() => manage('startLiveSession')}>
                      Start session
                    </button>
                    <button
                      type="button"
                      class="secondary danger"
                      onClick={() =>
                        window.confirm('Cancel this live session?') && manage('cancelLiveSession')
                      }
                    >
                      Cancel session
                    </button>
                  </Show>
                  <Show when={current().status === 'LIVE'}>
                    <button type="button" onClick={() => manage('endLiveSession')}>
                      End session
                    </button>
                  </Show>
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
              <ChatPanel
                liveSessionId={current().id}
                messages={messages()}
                viewerCanChat={current().viewerCanChat}
              />
            </article>
          );
        }}
      </Match>
    </Switch>
  );
}
