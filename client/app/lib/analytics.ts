/** Figures of Community.analytics and District.analytics, and the period picker's dates. */

import type { Issue } from './issues.ts';

export interface AnalyticsValue {
  value: number | null;
  suppressed: boolean;
  lessThan: number | null;
}

export type Bucket = 'DAY' | 'WEEK' | 'MONTH';

export const ACTIVITY_FIGURES = [
  ['activeMembers', 'Active members'],
  ['newMembers', 'New members'],
  ['threads', 'Threads'],
  ['replies', 'Replies'],
  ['chatMessages', 'Chat messages'],
  ['liveSessions', 'Live sessions'],
  ['attendees', 'Attendees'],
  ['pdHours', 'PD hours'],
  ['badgesAwarded', 'Badges awarded'],
] as const;

export const QUESTION_FIGURES = [
  ['questions', 'Questions'],
  ['answeredQuestions', 'Answered questions'],
  ['answeredShare', 'Share answered'],
  ['responseMedianSeconds', 'Median time to first reply'],
  ['responseP90Seconds', '90th percentile time to first reply'],
] as const;

export type ActivityName = (typeof ACTIVITY_FIGURES)[number][0];
export type QuestionName = (typeof QUESTION_FIGURES)[number][0];
export type ActivityFigures = Record<ActivityName, AnalyticsValue>;
export type PeriodFigures = Record<ActivityName | QuestionName, AnalyticsValue>;

const VALUE = 'value suppressed lessThan';
export const ACTIVITY_SELECTION = ACTIVITY_FIGURES.map(([name]) => `${name} { ${VALUE} }`).join(
  ' ',
);
export const PERIOD_SELECTION = `${ACTIVITY_SELECTION} ${QUESTION_FIGURES.map(
  ([name]) => `${name} { ${VALUE} }`,
).join(' ')}`;
export const REPORT_SELECTION = `from to bucket previousFrom minGroupSize csvUrl
  current { ${PERIOD_SELECTION} } previous { ${PERIOD_SELECTION} } reviewsPending { ${VALUE} }
  trend { from to figures { ${ACTIVITY_SELECTION} } }`;
export const ERROR_SELECTION = `... on Error { message } ... on ValidationError { issues { path message } }`;

export interface TrendPoint {
  from: string;
  to: string;
  figures: ActivityFigures;
}

export interface AnalyticsReport {
  __typename: string;
  from: string;
  to: string;
  bucket: Bucket;
  previousFrom: string;
  minGroupSize: number;
  csvUrl: string;
  current: PeriodFigures;
  previous: PeriodFigures;
  reviewsPending: AnalyticsValue;
  trend: TrendPoint[];
}

/** A typed error in place of the report: ForbiddenError or ValidationError. */
export interface AnalyticsError {
  __typename: string;
  message: string;
  issues?: Issue[];
}

/** Writes a duration in seconds as minutes, or hours and minutes. */
function formatDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const rest = minutes % 60;
  return rest === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
}

/**
 * Describes why a figure is withheld. The minimum group counts people, not the figure's own unit,
 * so "fewer than 5" alone would read as 5 minutes or 5 hours.
 */
export function withheldWords(lessThan: number | null): string {
  return `hidden: fewer than ${lessThan ?? '?'} people`;
}

/** Writes a figure as the dashboard shows it: "hidden: fewer than 5 people" when suppressed. */
export function formatFigure(figure: AnalyticsValue | undefined, name?: string): string {
  if (!figure) {
    return '';
  }
  if (figure.suppressed || figure.value === null) {
    return withheldWords(figure.lessThan);
  }
  if (name === 'answeredShare') {
    return `${Math.round(figure.value * 1000) / 10}%`;
  }
  if (name === 'responseMedianSeconds' || name === 'responseP90Seconds') {
    return formatDuration(figure.value);
  }
  return figure.value.toLocaleString();
}

/** Describes the change from the previous period, or null when either value is withheld. */
export function describeChange(current: AnalyticsValue, previous: AnalyticsValue): string | null {
  if (current.value === null || previous.value === null) {
    return null;
  }
  const difference = Math.round((current.value - previous.value) * 1000) / 1000;
  if (difference === 0) {
    return 'same as the previous period';
  }
  const sign = difference > 0 ? '+' : '−';
  return `${sign}${Math.abs(difference).toLocaleString()} on the previous period`;
}

/** Returns YYYY-MM-DD of a date in UTC. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Returns the last 30 whole UTC days, up to and including today. */
export function defaultDates(now = new Date()): { from: string; to: string } {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { from: isoDate(new Date(today.getTime() - 29 * 86_400_000)), to: isoDate(today) };
}

/**
 * Turns the picker's first and last day (both included, in UTC) into the API's period, whose
 * end is excluded.
 */
export function periodOf(from: string, to: string, bucket: Bucket) {
  const end = new Date(`${to}T00:00:00.000Z`);
  return {
    from: `${from}T00:00:00.000Z`,
    to: new Date(end.getTime() + 86_400_000).toISOString(),
    bucket,
  };
}

/** Labels a trend bucket by its first day, in UTC. */
export function bucketLabel(point: { from: string }, bucket: Bucket): string {
  const date = new Date(point.from);
  return new Intl.DateTimeFormat(undefined, {
    timeZone: 'UTC',
    month: 'short',
    day: bucket === 'MONTH' ? undefined : 'numeric',
    year: bucket === 'MONTH' ? 'numeric' : undefined,
  }).format(date);
}

/** Writes the UTC day of an instant, moved by `offsetDays`, such as "Mar 16, 2025". */
export function formatDay(instant: string, offsetDays = 0): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  }).format(new Date(Date.parse(instant) + offsetDays * 86_400_000));
}
