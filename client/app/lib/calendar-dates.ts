import { viewerTimeZone } from './time.ts';

/** A calendar month of the viewer's local time zone; `month` runs from 0 (January) to 11. */
export interface CalendarMonth {
  year: number;
  month: number;
}

export function monthOf(date: Date): CalendarMonth {
  return { year: date.getFullYear(), month: date.getMonth() };
}

/** Formats a month for the address bar, such as "2026-03". */
export function formatMonthParam(month: CalendarMonth): string {
  return `${month.year}-${String(month.month + 1).padStart(2, '0')}`;
}

/** Reads a month written as formatMonthParam writes it, or returns null for anything else. */
export function parseMonthParam(value: string | undefined): CalendarMonth | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value ?? '');
  if (!match) {
    return null;
  }
  return { year: Number(match[1]), month: Number(match[2]) - 1 };
}

export function addMonths(month: CalendarMonth, count: number): CalendarMonth {
  return monthOf(new Date(month.year, month.month + count, 1));
}

/** Returns local midnight of the month's first day. */
export function monthStart(month: CalendarMonth): Date {
  return new Date(month.year, month.month, 1);
}

/** Identifies a local calendar day, such as "2026-03-02", for grouping and comparing. */
export function dayKey(date: Date): string {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

interface WeekInfo {
  /** 1 is Monday and 7 is Sunday. */
  firstDay?: number;
}

/**
 * Returns the first day of the week in the viewer's locale, as `Date.getDay()` numbers it (0 is
 * Sunday). Browsers without Intl.Locale week data get Sunday.
 */
export function firstDayOfWeek(): number {
  try {
    const locale = new Intl.Locale(navigator.language) as Intl.Locale & {
      getWeekInfo?: () => WeekInfo;
      weekInfo?: WeekInfo;
    };
    // Newer browsers have getWeekInfo(), and some older ones a weekInfo getter instead.
    const firstDay = (locale.getWeekInfo?.() ?? locale.weekInfo)?.firstDay;
    return firstDay === undefined ? 0 : firstDay % 7;
  } catch {
    return 0;
  }
}

/**
 * Lays out a month as whole weeks of seven local days, starting on `weekStart` (0 is Sunday).
 * The first and last weeks include days of the months before and after.
 */
export function monthWeeks(month: CalendarMonth, weekStart: number): Date[][] {
  const first = monthStart(month);
  const lead = (first.getDay() - weekStart + 7) % 7;
  const daysInMonth = new Date(month.year, month.month + 1, 0).getDate();
  const weekCount = Math.ceil((lead + daysInMonth) / 7);
  return Array.from({ length: weekCount }, (_, week) =>
    Array.from(
      { length: 7 },
      (_, weekday) => new Date(month.year, month.month, 1 - lead + week * 7 + weekday),
    ),
  );
}

/** Names the days of a week starting on `weekStart`, short ("Mon") and long ("Monday"). */
export function weekdayNames(weekStart: number): { short: string; long: string }[] {
  const short = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
  const long = new Intl.DateTimeFormat(undefined, { weekday: 'long' });
  // January 4, 1970 was a Sunday.
  return Array.from({ length: 7 }, (_, index) => {
    const date = new Date(1970, 0, 4 + ((weekStart + index) % 7));
    return { short: short.format(date), long: long.format(date) };
  });
}

export function formatMonthLabel(month: CalendarMonth): string {
  return new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' }).format(
    monthStart(month),
  );
}

/** Formats a day heading, such as "Monday, March 2", with the year when it is not this one. */
export function formatDayLabel(date: Date): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    year: date.getFullYear() === new Date().getFullYear() ? undefined : 'numeric',
  }).format(date);
}

function formatTimes(startsAt: Date, endsAt: Date | null, timeZone?: string): string {
  const format = new Intl.DateTimeFormat(undefined, {
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
  });
  return endsAt ? format.formatRange(startsAt, endsAt) : format.format(startsAt);
}

/**
 * Splits a live session's time into the viewer's local time and, when the session's own zone is
 * another one, the time there with the zone's name: "4:00 PM" and "3:00 PM America/Chicago".
 * With `endsAt`, both parts show the span, such as "4:00 – 5:00 PM".
 */
export function sessionTimeParts(
  startsAt: string,
  endsAt: string | null,
  timeZone: string,
): { local: string; inSessionZone: string | null } {
  const start = new Date(startsAt);
  const end = endsAt ? new Date(endsAt) : null;
  const local = formatTimes(start, end);
  if (timeZone === viewerTimeZone()) {
    return { local, inSessionZone: null };
  }
  try {
    return { local, inSessionZone: `${formatTimes(start, end, timeZone)} ${timeZone}` };
  } catch {
    // Intl rejects a zone name it does not know, so the name alone is shown.
    return { local, inSessionZone: timeZone };
  }
}

/** Formats a live session's time from its sessionTimeParts: "4:00 PM (3:00 PM America/Chicago)". */
export function formatSessionTime(startsAt: string, endsAt: string | null, timeZone: string) {
  const { local, inSessionZone } = sessionTimeParts(startsAt, endsAt, timeZone);
  return inSessionZone ? `${local} (${inSessionZone})` : local;
}
