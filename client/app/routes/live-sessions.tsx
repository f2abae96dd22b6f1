import { A, useSearchParams } from '@solidjs/router';
import { createSignal, type JSX, Match, onCleanup, Show, Switch } from 'solid-js';
import { LiveSessionDayList } from '../components/live-session-day-list.tsx';
import { LiveSessionMonthGrid } from '../components/live-session-month-grid.tsx';
import { Empty, ErrorState, Loading } from '../components/status.tsx';
import {
  addMonths,
  type CalendarMonth,
  formatMonthLabel,
  formatMonthParam,
  monthOf,
  monthStart,
  parseMonthParam,
} from '../lib/calendar-dates.ts';
import { refetchOnReconnect } from '../lib/graphql.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { viewerTimeZone } from '../lib/time.ts';
import { createDocumentTitle } from '../lib/title.ts';
import {
  createUpcomingLiveSessions,
  type UpcomingLiveSessionsState,
} from '../lib/upcoming-live-sessions.ts';
import './live-sessions.css';

/** Pages of 100 that one month loads at most before it offers a button for the rest. */
const MONTH_PAGES = 10;

/** Days that the list covers: the API's default window. */
const LIST_DAYS = 62;

/** Phones narrower than this see a month as a day list, since seven columns would not fit. */
const NARROW_QUERY = '(max-width: 479.98px)';

function createMediaQuery(query: string): () => boolean {
  const media = window.matchMedia(query);
  const [matches, setMatches] = createSignal(media.matches);
  const update = (event: MediaQueryListEvent) => setMatches(event.matches);
  media.addEventListener('change', update);
  onCleanup(() => media.removeEventListener('change', update));
  return matches;
}

/**
 * Shows the loading, error and loaded states of a list of sessions. A failed first load shows an
 * error with a retry button in place of the sessions, and a failed later page shows one below.
 */
function Loaded(props: { state: UpcomingLiveSessionsState; label: string; children: JSX.Element }) {
  return (
    <Switch>
      <Match when={props.state.sessions() === undefined && props.state.error()}>
        {(message) => <ErrorState message={message()} onRetry={props.state.retry} />}
      </Match>
      <Match when={props.state.sessions() === undefined}>
        <Loading label={props.label} />
      </Match>
      <Match when={props.state.sessions()}>
        {props.children}
        <Show when={props.state.error()}>
          {(message) => <ErrorState message={message()} onRetry={props.state.retry} />}
        </Show>
        <Show when={props.state.hasMore() && !props.state.error()}>
          <button
            type="button"
            class="secondary more-sessions"
            disabled={props.state.loading()}
            onClick={() => props.state.loadMore()}
          >
            {props.state.loading() ? 'Loading…' : 'Show more sessions'}
          </button>
        </Show>
      </Match>
    </Switch>
  );
}

function UpcomingList() {
  const state = createUpcomingLiveSessions(() => ({ viewerId: viewer()?.id ?? null }), 1);
  refetchOnReconnect(state.refetch);
  return (
    <Loaded state={state} label="Loading live sessions…">
      <Show
        when={(state.sessions()?.length ?? 0) > 0}
        fallback={
          <Empty>
            No live sessions in the next {LIST_DAYS} days. Communities schedule them on their pages.
          </Empty>
        }
      >
        <LiveSessionDayList liveSessions={state.sessions() ?? []} headingLevel={2} />
      </Show>
    </Loaded>
  );
}

function MonthView(props: { month: CalendarMonth; onMonth: (month: CalendarMonth) => void }) {
  const narrow = createMediaQuery(NARROW_QUERY);
  const state = createUpcomingLiveSessions(
    () => ({
      from: monthStart(props.month).toISOString(),
      to: monthStart(addMonths(props.month, 1)).toISOString(),
      viewerId: viewer()?.id ?? null,
    }),
    MONTH_PAGES,
  );
  refetchOnReconnect(state.refetch);
  const label = () => formatMonthLabel(props.month);
  const isThisMonth = () => formatMonthParam(props.month) === formatMonthParam(monthOf(new Date()));

  return (
    <>
      <div class="month-nav">
        <button
          type="button"
          class="secondary"
          onClick={() => props.onMonth(addMonths(props.month, -1))}
        >
          <span aria-hidden="true">‹ </span>Previous month
        </button>
        <h2 id="month-heading" aria-live="polite" data-testid="month-heading">
          {label()}
        </h2>
        <button
          type="button"
          class="secondary"
          onClick={() => props.onMonth(addMonths(props.month, 1))}
        >
          Next month<span aria-hidden="true"> ›</span>
        </button>
        <Show when={!isThisMonth()}>
          <button
            type="button"
            class="link-button"
            onClick={() => props.onMonth(monthOf(new Date()))}
          >
            This month
          </button>
        </Show>
      </div>
      <Loaded state={state} label={`Loading ${label()}…`}>
        <Show when={state.sessions()?.length === 0}>
          <Empty>No upcoming live sessions in {label()}.</Empty>
        </Show>
        <Show
          when={!narrow()}
          fallback={<LiveSessionDayList liveSessions={state.sessions() ?? []} headingLevel={3} />}
        >
          <LiveSessionMonthGrid
            month={props.month}
            liveSessions={state.sessions() ?? []}
            labelledBy="month-heading"
          />
        </Show>
      </Loaded>
    </>
  );
}

export default function LiveSessionsPage() {
  const [params, setParams] = useSearchParams<{ view?: string; month?: string }>();
  const view = () => (params.view === 'month' ? 'month' : 'list');
  const month = () => parseMonthParam(params.month) ?? monthOf(new Date());
  createDocumentTitle(() => 'Live sessions');

  return (
    <section class="live-sessions">
      <h1>Live sessions</h1>
      <p class="lead">
        Upcoming workshops and office hours of the communities you can read, in your time zone (
        {viewerTimeZone()}). Past sessions are on each community's page.
      </p>
      <Show when={viewerLoaded() && !viewer()}>
        <p class="meta">
          <A href={signInPath('/live-sessions')}>Sign in</A> to see the sessions of your district's
          and your private communities, and your RSVPs.
        </p>
      </Show>
      <fieldset class="view-toggle">
        <legend class="visually-hidden">View</legend>
        <button
          type="button"
          class="secondary"
          aria-pressed={view() === 'list'}
          onClick={() => setParams({ view: 'list' })}
        >
          List
        </button>
        <button
          type="button"
          class="secondary"
          aria-pressed={view() === 'month'}
          onClick={() => setParams({ view: 'month' })}
        >
          Month
        </button>
      </fieldset>
      {/* Waiting for the viewer avoids loading the list once signed out and again signed in. */}
      <Show when={viewerLoaded()} fallback={<Loading label="Loading live sessions…" />}>
        <Switch>
          <Match when={view() === 'list'}>
            <UpcomingList />
          </Match>
          <Match when={view() === 'month'}>
            <MonthView
              month={month()}
              onMonth={(next) => setParams({ view: 'month', month: formatMonthParam(next) })}
            />
          </Match>
        </Switch>
      </Show>
    </section>
  );
}
