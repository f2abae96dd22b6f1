import { For, Show } from 'solid-js';
import { Dynamic } from 'solid-js/web';
import { dayKey, formatDayLabel } from '../lib/calendar-dates.ts';
import type { UpcomingLiveSession } from '../lib/upcoming-live-sessions.ts';
import { LiveSessionRow } from './live-session-entry.tsx';

interface DayGroup {
  key: string;
  day: Date;
  liveSessions: UpcomingLiveSession[];
}

/** Groups sessions, which arrive soonest first, by the local day they start on. */
export function groupByDay(liveSessions: UpcomingLiveSession[]): DayGroup[] {
  const groups = new Map<string, DayGroup>();
  for (const liveSession of liveSessions) {
    const startsAt = new Date(liveSession.startsAt);
    const key = dayKey(startsAt);
    let group = groups.get(key);
    if (!group) {
      const day = new Date(startsAt.getFullYear(), startsAt.getMonth(), startsAt.getDate());
      group = { key, day, liveSessions: [] };
      groups.set(key, group);
    }
    group.liveSessions.push(liveSession);
  }
  return [...groups.values()];
}

/**
 * Lists sessions under a heading for each day that has any. `headingLevel` fits the headings into
 * the page's outline: 2 under the page title, 3 under a month heading.
 */
export function LiveSessionDayList(props: {
  liveSessions: UpcomingLiveSession[];
  headingLevel: 2 | 3;
}) {
  const today = dayKey(new Date());
  return (
    <div class="day-list" data-testid="day-list">
      <For each={groupByDay(props.liveSessions)}>
        {(group) => (
          <section
            class="day-group"
            aria-labelledby={`day-${group.key}`}
            data-testid="day-group"
            data-day={group.key}
          >
            <Dynamic component={`h${props.headingLevel}`} id={`day-${group.key}`}>
              {formatDayLabel(group.day)}
              <Show when={group.key === today}>
                <span class="tag">Today</span>
              </Show>
            </Dynamic>
            <ul class="rows">
              <For each={group.liveSessions}>
                {(liveSession) => <LiveSessionRow liveSession={liveSession} />}
              </For>
            </ul>
          </section>
        )}
      </For>
    </div>
  );
}
