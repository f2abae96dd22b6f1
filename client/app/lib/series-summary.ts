/** The fields of a live series that its summary is built from, as the API returns them. */
export interface SeriesRule {
  frequency: 'WEEKLY' | 'MONTHLY';
  interval: number;
  monthlyKind: 'DAY_OF_MONTH' | 'NTH_WEEKDAY' | 'LAST_WEEKDAY' | null;
  /** Local wall-clock time in `timeZone`, as HH:MM. */
  startTime: string;
  timeZone: string;
  count: number | null;
  /** The last local date, as YYYY-MM-DD. */
  until: string | null;
}

const WEEK_ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

function dayOrdinal(day: number): string {
  const rules = new Intl.PluralRules('en-US', { type: 'ordinal' });
  const suffixes: Record<string, string> = { one: 'st', two: 'nd', few: 'rd', other: 'th' };
  return `${day}${suffixes[rules.select(day)] ?? 'th'}`;
}

/** Formats an HH:MM wall-clock time with the viewer's clock convention, e.g. "4:00 PM". */
function formatWallTime(startTime: string): string {
  const [hours, minutes] = startTime.split(':').map(Number);
  return new Intl.DateTimeFormat(undefined, {
    hour: 'numeric',
    minute: '2-digit',
    timeZone: 'UTC',
  }).format(Date.UTC(2000, 0, 1, hours ?? 0, minutes ?? 0));
}

function formatPlainDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeZone: 'UTC' }).format(
    Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1),
  );
}

/**
 * Describes a series rule in the client's own clock format, such as "Every week on Tuesday at
 * 4:00 PM (America/Chicago), 5 times". `firstStartsAt` is the first occurrence's start, whose
 * local date in the series zone gives the weekday and the day of the month.
 * NOTE: the API does not return the rule's first date, so a first occurrence moved on its own
 * with updateLiveSession gives the moved date's weekday here.
 */
export function describeSeriesRule(rule: SeriesRule, firstStartsAt: string): string {
  const unit = rule.frequency === 'WEEKLY' ? 'week' : 'month';
  const every = rule.interval === 1 ? `Every ${unit}` : `Every ${rule.interval} ${unit}s`;
  const first = new Date(firstStartsAt);
  const weekday = new Intl.DateTimeFormat('en-US', {
    weekday: 'long',
    timeZone: rule.timeZone,
  }).format(first);
  const dayOfMonth = Number(
    new Intl.DateTimeFormat('en-US', { day: 'numeric', timeZone: rule.timeZone }).format(first),
  );
  let day: string;
  if (rule.frequency === 'WEEKLY') {
    day = weekday;
  } else if (rule.monthlyKind === 'NTH_WEEKDAY') {
    day = `the ${WEEK_ORDINALS[Math.ceil(dayOfMonth / 7) - 1]} ${weekday}`;
  } else if (rule.monthlyKind === 'LAST_WEEKDAY') {
    day = `the last ${weekday}`;
  } else {
    day = `the ${dayOrdinal(dayOfMonth)}`;
  }
  let end = '';
  if (rule.count !== null) {
    end = rule.count === 1 ? ', once' : `, ${rule.count} times`;
  } else if (rule.until) {
    end = `, until ${formatPlainDate(rule.until)}`;
  }
  return `${every} on ${day} at ${formatWallTime(rule.startTime)} (${rule.timeZone})${end}`;
}
