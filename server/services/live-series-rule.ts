import { Temporal } from '@js-temporal/polyfill';
import type {
  LIVE_SERIES_FREQUENCIES,
  LIVE_SERIES_MONTHLY_KINDS,
} from '../../drizzle/tables/index.ts';

export type LiveSeriesFrequency = (typeof LIVE_SERIES_FREQUENCIES)[number];
export type LiveSeriesMonthlyKind = (typeof LIVE_SERIES_MONTHLY_KINDS)[number];

/** A series' recurrence, with the first occurrence's local date and time in `timeZone`. */
export interface RecurrenceRule {
  frequency: LiveSeriesFrequency;
  interval: number;
  monthlyKind: LiveSeriesMonthlyKind | null;
  timeZone: string;
  startDate: Temporal.PlainDate;
  startTime: Temporal.PlainTime;
  until: Temporal.PlainDate | null;
  count: number | null;
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const WEEK_ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

/** Returns the local date and wall-clock time of an instant in a time zone. */
export function localStart(
  instant: Date,
  timeZone: string,
): { date: Temporal.PlainDate; time: Temporal.PlainTime } {
  const zoned = Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(
    timeZone,
  );
  return { date: zoned.toPlainDate(), time: zoned.toPlainTime() };
}

/**
 * Converts a local date and wall-clock time in a time zone to an instant. A time that does not
 * exist, in the hour skipped when clocks spring forward, moves later by the length of the gap
 * (02:30 becomes 03:30 daylight time). A time that happens twice, in the hour repeated when clocks
 * fall back, takes the earlier of the two, which is still daylight time. This is RFC 5545's rule
 * for DATE-TIME values (section 3.3.5), and Temporal's `compatible` disambiguation.
 */
export function zonedInstant(
  date: Temporal.PlainDate,
  time: Temporal.PlainTime,
  timeZone: string,
): Date {
  const zoned = date
    .toPlainDateTime(time)
    .toZonedDateTime(timeZone, { disambiguation: 'compatible' });
  return new Date(zoned.epochMilliseconds);
}

/** Returns the number of the date's weekday within its month: 1 for the first, up to 5. */
export function weekOfMonth(date: Temporal.PlainDate): number {
  return Math.ceil(date.day / 7);
}

/** Reports whether no later day of the date's month falls on the same weekday. */
export function isLastWeekdayOfMonth(date: Temporal.PlainDate): boolean {
  return date.day + 7 > date.daysInMonth;
}

/** Finds the day of a month that is its nth given weekday, or its last one when `week` is -1. */
function weekdayOfMonth(month: Temporal.PlainYearMonth, weekday: number, week: number) {
  if (week === -1) {
    const last = month.toPlainDate({ day: month.daysInMonth });
    return last.subtract({ days: (last.dayOfWeek - weekday + 7) % 7 });
  }
  const first = month.toPlainDate({ day: 1 });
  return first.add({ days: ((weekday - first.dayOfWeek + 7) % 7) + (week - 1) * 7 });
}

/** Returns the date in the month that the rule's monthly kind picks, or null when it has none. */
function monthlyDate(rule: RecurrenceRule, month: Temporal.PlainYearMonth) {
  const { startDate } = rule;
  switch (rule.monthlyKind) {
    case 'nth_weekday':
      return weekdayOfMonth(month, startDate.dayOfWeek, weekOfMonth(startDate));
    case 'last_weekday':
      return weekdayOfMonth(month, startDate.dayOfWeek, -1);
    default:
      // A month without that day (the 31st in April) has no occurrence, as RFC 5545 section
      // 3.3.10 requires for invalid dates that a recurrence rule generates.
      return startDate.day <= month.daysInMonth ? month.toPlainDate({ day: startDate.day }) : null;
  }
}

/**
 * Lists the local dates of a rule's occurrences in order, starting with `startDate`. It stops at
 * the first of: `count` dates, a date past `until`, a date past `horizon`, or `maxDates` dates.
 */
export function occurrenceDates(
  rule: RecurrenceRule,
  horizon: Temporal.PlainDate,
  maxDates: number,
): Temporal.PlainDate[] {
  const last =
    rule.until && Temporal.PlainDate.compare(rule.until, horizon) < 0 ? rule.until : horizon;
  const wanted = Math.min(rule.count ?? maxDates, maxDates);
  const dates: Temporal.PlainDate[] = [];
  const firstMonth = rule.startDate.toPlainYearMonth();
  for (let step = 0; dates.length < wanted; step++) {
    let date: Temporal.PlainDate | null;
    if (rule.frequency === 'weekly') {
      date = rule.startDate.add({ weeks: step * rule.interval });
    } else {
      const month = firstMonth.add({ months: step * rule.interval });
      if (Temporal.PlainDate.compare(month.toPlainDate({ day: 1 }), last) > 0) {
        break;
      }
      date = monthlyDate(rule, month);
    }
    if (date && Temporal.PlainDate.compare(date, last) > 0) {
      break;
    }
    if (date) {
      dates.push(date);
    }
  }
  return dates;
}

function dayOrdinal(day: number): string {
  const suffix =
    day % 10 === 1 && day !== 11
      ? 'st'
      : day % 10 === 2 && day !== 12
        ? 'nd'
        : day % 10 === 3 && day !== 13
          ? 'rd'
          : 'th';
  return `${day}${suffix}`;
}

function formatDate(date: Temporal.PlainDate): string {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(
    Date.UTC(date.year, date.month - 1, date.day),
  );
}

/**
 * Describes a rule in English, such as "Every 2 weeks on Tuesday at 16:00 (America/New_York),
 * 10 times" or "Every month on the last Friday at 15:30 (Europe/Berlin), until June 30, 2099".
 */
export function describeRule(rule: RecurrenceRule): string {
  const unit = rule.frequency === 'weekly' ? 'week' : 'month';
  const every = rule.interval === 1 ? `Every ${unit}` : `Every ${rule.interval} ${unit}s`;
  const weekday = WEEKDAYS[rule.startDate.dayOfWeek - 1];
  let day: string;
  if (rule.frequency === 'weekly') {
    day = weekday ?? '';
  } else if (rule.monthlyKind === 'nth_weekday') {
    day = `the ${WEEK_ORDINALS[weekOfMonth(rule.startDate) - 1]} ${weekday}`;
  } else if (rule.monthlyKind === 'last_weekday') {
    day = `the last ${weekday}`;
  } else {
    day = `the ${dayOrdinal(rule.startDate.day)}`;
  }
  const time = rule.startTime.toString({ smallestUnit: 'minute' });
  let end = '';
  if (rule.count !== null) {
    end = rule.count === 1 ? ', once' : `, ${rule.count} times`;
  } else if (rule.until) {
    end = `, until ${formatDate(rule.until)}`;
  }
  return `${every} on ${day} at ${time} (${rule.timeZone})${end}`;
}
