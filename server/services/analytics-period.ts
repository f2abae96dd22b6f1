import { InputValidator } from '../validation.ts';

/** Maximum length of an analytics period, in days: a school year with a leap day to spare. */
export const MAX_ANALYTICS_PERIOD_DAYS = 366;

export const ANALYTICS_BUCKETS = ['day', 'week', 'month'] as const;
export type AnalyticsBucket = (typeof ANALYTICS_BUCKETS)[number];

const DAY_MS = 86_400_000;

/** A half-open interval of instants: `from` included, `to` excluded. */
export interface Interval {
  from: Date;
  to: Date;
}

export interface AnalyticsPeriod extends Interval {
  bucket: AnalyticsBucket;
  /** The period of the same length that ends where this one starts. */
  previous: Interval;
}

/** One bucket of a trend: whole UTC days, ISO weeks (from Monday) or calendar months. */
export interface BucketRange extends Interval {
  /** The date the whole bucket starts on, YYYY-MM-DD in UTC, as date_trunc in UTC gives it. */
  key: string;
}

/**
 * Checks an analytics period and adds the previous period of the same length. Throws a
 * ValidationError on `period.from` or `period.to` when `from` is not before `to` or the period
 * is longer than MAX_ANALYTICS_PERIOD_DAYS.
 */
export function parseAnalyticsPeriod(input: {
  from: Date;
  to: Date;
  bucket: AnalyticsBucket;
}): AnalyticsPeriod {
  const validator = new InputValidator();
  const from = input.from.getTime();
  const to = input.to.getTime();
  if (Number.isNaN(from)) {
    validator.add('period.from', 'must be a valid date and time');
  }
  if (Number.isNaN(to)) {
    validator.add('period.to', 'must be a valid date and time');
  }
  if (validator.issues.length === 0) {
    if (!(from < to)) {
      validator.add('period.to', 'must be after period.from');
    } else if (to - from > MAX_ANALYTICS_PERIOD_DAYS * DAY_MS) {
      validator.add(
        'period.to',
        `must be at most ${MAX_ANALYTICS_PERIOD_DAYS} days after period.from; choose a shorter period`,
      );
    }
  }
  validator.check();
  return {
    from: input.from,
    to: input.to,
    bucket: input.bucket,
    previous: { from: new Date(from - (to - from)), to: input.from },
  };
}

/** Returns the UTC start of the bucket that contains `instant`. */
function bucketStart(instant: Date, bucket: AnalyticsBucket): Date {
  const day = new Date(
    Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()),
  );
  if (bucket === 'week') {
    // ISO weeks start on Monday, as PostgreSQL's date_trunc('week', …) does.
    return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
  }
  if (bucket === 'month') {
    return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1));
  }
  return day;
}

function nextBucketStart(start: Date, bucket: AnalyticsBucket): Date {
  if (bucket === 'month') {
    return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  }
  return new Date(start.getTime() + (bucket === 'week' ? 7 : 1) * DAY_MS);
}

/**
 * Lists the buckets that cover a period, oldest first. The first and last are cut to the period,
 * so that each range gives the instants its figures count.
 */
export function bucketRanges(period: AnalyticsPeriod): BucketRange[] {
  const ranges: BucketRange[] = [];
  let start = bucketStart(period.from, period.bucket);
  while (start < period.to) {
    const next = nextBucketStart(start, period.bucket);
    ranges.push({
      key: start.toISOString().slice(0, 10),
      from: new Date(Math.max(start.getTime(), period.from.getTime())),
      to: new Date(Math.min(next.getTime(), period.to.getTime())),
    });
    start = next;
  }
  return ranges;
}
