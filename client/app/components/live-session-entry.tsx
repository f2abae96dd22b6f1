import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { formatSessionTime, sessionTimeParts } from '../lib/calendar-dates.ts';
import { pluralize } from '../lib/plural.ts';
import type { UpcomingLiveSession } from '../lib/upcoming-live-sessions.ts';

/** Labels the viewer's RSVP: going with a seat, waiting for one, or maybe. */
export function rsvpLabel(liveSession: UpcomingLiveSession): string | null {
  if (liveSession.viewerRsvp === 'GOING') {
    return liveSession.viewerSeat === 'WAITLISTED' ? 'Waitlisted' : 'Going';
  }
  return liveSession.viewerRsvp === 'MAYBE' ? 'Maybe' : null;
}

/** Describes the free seats of a session with a capacity, or returns null when it has no limit. */
export function seatsLabel(liveSession: UpcomingLiveSession): string | null {
  if (liveSession.capacity === null) {
    return null;
  }
  const left = Math.max(0, liveSession.capacity - liveSession.rsvpCount);
  return left === 0 ? 'Full' : `${pluralize(left, 'seat')} left`;
}

function hasBadges(liveSession: UpcomingLiveSession): boolean {
  return (
    liveSession.status === 'LIVE' ||
    rsvpLabel(liveSession) !== null ||
    seatsLabel(liveSession) !== null
  );
}

function Badges(props: { liveSession: UpcomingLiveSession }) {
  return (
    <>
      <Show when={props.liveSession.status === 'LIVE'}>
        <span class="tag live">Live now</span>
      </Show>
      <Show when={rsvpLabel(props.liveSession)}>
        {(label) => (
          <span classList={{ tag: true, good: label() === 'Going' }} data-testid="entry-rsvp">
            {label()}
          </span>
        )}
      </Show>
      <Show when={seatsLabel(props.liveSession)}>
        {(label) => (
          <span class="tag subtle" data-testid="entry-seats">
            {label()}
          </span>
        )}
      </Show>
    </>
  );
}

/** Lets a narrow cell wrap a zone name such as America/Argentina/Buenos_Aires after a slash. */
function BreakableZone(props: { text: string }) {
  return (
    <For each={props.text.split('/')}>
      {(part, index) => (
        <>
          <Show when={index() > 0}>
            /<wbr />
          </Show>
          {part}
        </>
      )}
    </For>
  );
}

const sessionPath = (liveSession: UpcomingLiveSession) =>
  `/s/${encodeURIComponent(liveSession.id)}`;

/** Renders a session in a day list: a link to its page, its time, community and state. */
export function LiveSessionRow(props: { liveSession: UpcomingLiveSession }) {
  return (
    <li class="session-row" data-testid="session-entry" data-session-id={props.liveSession.id}>
      <A href={sessionPath(props.liveSession)} class="session-title">
        {props.liveSession.title}
      </A>
      <p class="meta">
        <span class="session-time">
          {formatSessionTime(
            props.liveSession.startsAt,
            props.liveSession.endsAt,
            props.liveSession.timeZone,
          )}
        </span>{' '}
        · <span class="session-community">{props.liveSession.community.name}</span>
      </p>
      <Show when={hasBadges(props.liveSession)}>
        <p class="meta session-badges">
          <Badges liveSession={props.liveSession} />
        </p>
      </Show>
    </li>
  );
}

/** Renders a session in a month grid cell as one link, with the start time first. */
export function LiveSessionCellEntry(props: { liveSession: UpcomingLiveSession }) {
  const time = () => sessionTimeParts(props.liveSession.startsAt, null, props.liveSession.timeZone);
  return (
    <li data-testid="session-entry" data-session-id={props.liveSession.id}>
      <A href={sessionPath(props.liveSession)} class="cell-entry">
        <span class="cell-time">{time().local}</span>
        <Show when={time().inSessionZone}>
          {(inSessionZone) => (
            <span class="cell-zone">
              (<BreakableZone text={inSessionZone()} />)
            </span>
          )}
        </Show>
        <span class="cell-title">{props.liveSession.title}</span>
        <span class="cell-community">{props.liveSession.community.name}</span>
        <span class="cell-badges">
          <Badges liveSession={props.liveSession} />
        </span>
      </A>
    </li>
  );
}
