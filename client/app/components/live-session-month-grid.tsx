import { createMemo, For, Show } from 'solid-js';
import {
  type CalendarMonth,
  dayKey,
  firstDayOfWeek,
  formatDayLabel,
  monthWeeks,
  weekdayNames,
} from '../lib/calendar-dates.ts';
import type { UpcomingLiveSession } from '../lib/upcoming-live-sessions.ts';
import { LiveSessionCellEntry } from './live-session-entry.tsx';

function DayCell(props: {
  day: Date;
  inMonth: boolean;
  today: string;
  liveSessions: UpcomingLiveSession[];
}) {
  const key = dayKey(props.day);
  const isToday = () => key === props.today;
  return (
    <td
      classList={{ 'other-month': !props.inMonth, today: isToday() }}
      aria-current={isToday() ? 'date' : undefined}
      data-day={key}
    >
      <span class="day-number">
        <span aria-hidden="true">{props.day.getDate()}</span>
        <span class="visually-hidden">{formatDayLabel(props.day)}</span>
      </span>
      <Show when={isToday()}>
        <span class="today-label">Today</span>
      </Show>
      <Show when={props.liveSessions.length > 0}>
        <ul class="cell-sessions">
          <For each={props.liveSessions}>
            {(liveSession) => <LiveSessionCellEntry liveSession={liveSession} />}
          </For>
        </ul>
      </Show>
    </td>
  );
}

/**
 * Shows a month as a table: a column for each weekday, starting on the locale's first day of the
 * week, and a row for each week. Sessions sit in the cell of the local day they start on, and
 * every entry is a link, so Tab moves through them in date order.
 */
export function LiveSessionMonthGrid(props: {
  month: CalendarMonth;
  liveSessions: UpcomingLiveSession[];
  labelledBy: string;
}) {
  const weekStart = firstDayOfWeek();
  const today = dayKey(new Date());
  const sessionsByDay = createMemo(() => {
    const days = new Map<string, UpcomingLiveSession[]>();
    for (const liveSession of props.liveSessions) {
      const key = dayKey(new Date(liveSession.startsAt));
      days.set(key, [...(days.get(key) ?? []), liveSession]);
    }
    return days;
  });

  return (
    <table class="month-grid" aria-labelledby={props.labelledBy} data-testid="month-grid">
      <thead>
        <tr>
          <For each={weekdayNames(weekStart)}>
            {(name) => (
              <th scope="col">
                <span aria-hidden="true">{name.short}</span>
                <span class="visually-hidden">{name.long}</span>
              </th>
            )}
          </For>
        </tr>
      </thead>
      <tbody>
        <For each={monthWeeks(props.month, weekStart)}>
          {(week) => (
            <tr>
              <For each={week}>
                {(day) => (
                  <DayCell
                    day={day}
                    inMonth={day.getMonth() === props.month.month}
                    today={today}
                    liveSessions={sessionsByDay().get(dayKey(day)) ?? []}
                  />
                )}
              </For>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}
