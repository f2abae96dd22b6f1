import { Temporal } from '@js-temporal/polyfill';
import { and, eq, isNull, sql } from 'drizzle-orm';
import {
  liveSeries,
  liveSessions,
  MAX_CAPACITY,
  MAX_MONTHLY_INTERVAL,
  MAX_SERIES_OCCURRENCES,
  MAX_WEEKLY_INTERVAL,
} from '../../drizzle/tables/index.ts';
import { canManageLiveSeries, canParticipate } from '../auth/access.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { canonicalTimeZone, InputValidator, isTimeZone, parseHttpUrl } from '../validation.ts';
import { requireViewer, runInTransaction, type ServiceContext, topics } from './context.ts';
import {
  describeRule,
  isLastWeekdayOfMonth,
  type LiveSeriesFrequency,
  type LiveSeriesMonthlyKind,
  localStart,
  occurrenceDates,
  type RecurrenceRule,
  weekOfMonth,
  zonedInstant,
} from './live-series-rule.ts';
import { fillFreeSeats, type ScheduleFields, validateSchedule } from './live-session.ts';

export type LiveSeriesRow = typeof liveSeries.$inferSelect;

/** The recurrence of a new series; exactly one of `until` and `count` ends it. */
export interface RecurrenceFields {
  frequency: LiveSeriesFrequency;
  interval: number;
  monthlyKind?: LiveSeriesMonthlyKind | null;
  /** The last local date an occurrence may fall on, as YYYY-MM-DD, inclusive. */
  until?: string | null;
  count?: number | null;
}

export type ScheduleLiveSeriesInput = ScheduleFields &
  RecurrenceFields & {
    communityId: number;
    title: string;
    startsAt: Date;
    endsAt: Date;
    timeZone: string;
  };

interface PlannedOccurrence {
  startsAt: Date;
  endsAt: Date;
}

/** Rebuilds the recurrence rule that a stored series was made with. */
export function ruleOfLiveSeries(series: LiveSeriesRow): RecurrenceRule {
  return {
    frequency: series.frequency,
    interval: series.interval,
    monthlyKind: series.monthlyKind,
    timeZone: series.timeZone,
    startDate: Temporal.PlainDate.from(series.startDate),
    startTime: Temporal.PlainTime.from(series.startTime),
    until: series.until ? Temporal.PlainDate.from(series.until) : null,
    count: series.count,
  };
}

/** Describes a series in English, such as "Every week on Tuesday at 16:00 (UTC), 4 times". */
export function describeLiveSeries(series: LiveSeriesRow): string {
  return describeRule(ruleOfLiveSeries(series));
}

function parseLocalDate(validator: InputValidator, path: string, value: string) {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    try {
      return Temporal.PlainDate.from(value, { overflow: 'reject' });
    } catch {
      // Reported below, as for any other malformed date.
    }
  }
  validator.add(path, `"${value.slice(0, 40)}" is not a date such as 2027-06-01`);
  return null;
}

/** Adds an issue for each field of the recurrence that is invalid on its own. */
function checkRecurrenceFields(validator: InputValidator, input: RecurrenceFields) {
  const maxInterval = input.frequency === 'weekly' ? MAX_WEEKLY_INTERVAL : MAX_MONTHLY_INTERVAL;
  if (!Number.isInteger(input.interval) || input.interval < 1 || input.interval > maxInterval) {
    const unit = input.frequency === 'weekly' ? 'weeks' : 'months';
    validator.add('interval', `must be from 1 to ${maxInterval} ${unit} (got ${input.interval})`);
  }
  if (input.frequency === 'monthly' && !input.monthlyKind) {
    validator.add('monthlyKind', 'is required for a MONTHLY series');
  }
  if (input.frequency === 'weekly' && input.monthlyKind) {
    validator.add('monthlyKind', 'applies only to a MONTHLY series; omit it for WEEKLY');
  }
  const hasUntil = input.until !== undefined && input.until !== null;
  const hasCount = input.count !== undefined && input.count !== null;
  if (hasUntil === hasCount) {
    validator.add(
      'until',
      hasUntil
        ? 'give either until or count, not both'
        : 'give either until (an end date) or count (a number of occurrences)',
    );
  }
  if (hasCount && (input.count as number) < 1) {
    validator.add('count', `must be from 1 to ${MAX_SERIES_OCCURRENCES} (got ${input.count})`);
  } else if (hasCount && (input.count as number) > MAX_SERIES_OCCURRENCES) {
    validator.add('count', `must be from 1 to ${MAX_SERIES_OCCURRENCES} (got ${input.count})`);
  }
  const until = hasUntil ? parseLocalDate(validator, 'until', input.until as string) : null;
  return { until, count: hasCount ? (input.count as number) : null };
}

/**
 * Checks that the first occurrence fits the monthly kind and that the series stays within one
 * year of its first occurrence and within MAX_SERIES_OCCURRENCES, then lists the local dates.
 */
function checkOccurrenceDates(validator: InputValidator, rule: RecurrenceRule) {
  const { startDate } = rule;
  const weekday = startDate.toLocaleString('en-US', { weekday: 'long' });
  if (rule.monthlyKind === 'nth_weekday' && weekOfMonth(startDate) === 5) {
    validator.add(
      'monthlyKind',
      `the first occurrence, ${startDate}, is the fifth ${weekday} of its month, which most months lack; use LAST_WEEKDAY`,
    );
  }
  if (rule.monthlyKind === 'last_weekday' && !isLastWeekdayOfMonth(startDate)) {
    validator.add(
      'monthlyKind',
      `the first occurrence, ${startDate}, is not the last ${weekday} of its month; use NTH_WEEKDAY or move startsAt`,
    );
  }
  const horizon = startDate.add({ years: 1 });
  if (rule.until && Temporal.PlainDate.compare(rule.until, startDate) < 0) {
    validator.add('until', `must not be before the first occurrence, on ${startDate}`);
  } else if (rule.until && Temporal.PlainDate.compare(rule.until, horizon) > 0) {
    validator.add('until', `must be at most one year after the first occurrence, by ${horizon}`);
  }
  const dates = occurrenceDates(rule, horizon, MAX_SERIES_OCCURRENCES + 1);
  if (rule.until && dates.length > MAX_SERIES_OCCURRENCES) {
    validator.add(
      'until',
      `the series would have more than ${MAX_SERIES_OCCURRENCES} occurrences; choose an earlier date or a longer interval`,
    );
  }
  if (rule.count !== null && dates.length < rule.count) {
    validator.add(
      'count',
      `a series ends at most one year after its first occurrence, which leaves room for ${dates.length} occurrences at this interval`,
    );
  }
  return dates;
}

/**
 * Validates a new series and lists its occurrences, reporting every invalid field at once. The
 * first occurrence takes startsAt and endsAt as given. Each later one starts at the same local
 * wall-clock time in timeZone (see zonedInstant for the hours that clocks skip or repeat) and
 * lasts as long as the first.
 */
function planSeries(input: ScheduleLiveSeriesInput) {
  const validator = new InputValidator();
  let fields: ReturnType<typeof validateSchedule> | null = null;
  try {
    fields = validateSchedule(input, null);
  } catch (error) {
    if (!(error instanceof ValidationError)) {
      throw error;
    }
    validator.issues.push(...error.issues);
  }
  const issuesBefore = validator.issues.length;
  const ends = checkRecurrenceFields(validator, input);
  const recurrenceValid = validator.issues.length === issuesBefore;

  const zoneName = input.timeZone.trim();
  const timeZone = isTimeZone(zoneName) ? canonicalTimeZone(zoneName) : null;
  let occurrences: PlannedOccurrence[] = [];
  let rule: RecurrenceRule | null = null;
  if (timeZone && recurrenceValid) {
    const start = localStart(input.startsAt, timeZone);
    rule = {
      frequency: input.frequency,
      interval: input.interval,
      monthlyKind: input.frequency === 'monthly' ? (input.monthlyKind ?? 'day_of_month') : null,
      timeZone,
      startDate: start.date,
      startTime: start.time,
      until: ends.until,
      count: ends.count,
    };
    const durationMs = input.endsAt.getTime() - input.startsAt.getTime();
    const dates = checkOccurrenceDates(validator, rule);
    occurrences = dates.map((date, index) => {
      const startsAt = index === 0 ? input.startsAt : zonedInstant(date, start.time, timeZone);
      return { startsAt, endsAt: new Date(startsAt.getTime() + durationMs) };
    });
  }
  validator.check();
  if (!fields || !rule) {
    throw new Error('Validating a live series passed without a rule or fields');
  }
  return { fields, rule, occurrences };
}

/**
 * Schedules a recurring live session in a community and creates all of its occurrences, in one
 * transaction; members may host. Records one LIVE_SESSION_SCHEDULED event on the community, for
 * the first occurrence, with the series id in its payload.
 */
export async function scheduleLiveSeries(
  ctx: ServiceContext,
  input: ScheduleLiveSeriesInput,
): Promise<LiveSeriesRow> {
  const viewer = requireViewer(ctx);
  const { fields, rule, occurrences } = planSeries(input);
  const { membership } = await ctx.access.requireReadable(input.communityId);
  if (!canParticipate(membership)) {
    throw new ForbiddenError('Join this community to schedule a live series.');
  }

  return runInTransaction(ctx, async (tx, recorder) => {
    const template = {
      communityId: input.communityId,
      hostId: viewer.id,
      title: fields.title ?? '',
      description: fields.description ?? '',
      timeZone: rule.timeZone,
      joinUrl: fields.joinUrl || null,
      capacity: fields.capacity ?? null,
    };
    const [series] = await tx
      .insert(liveSeries)
      .values({
        ...template,
        frequency: rule.frequency,
        interval: rule.interval,
        monthlyKind: rule.monthlyKind,
        startDate: rule.startDate.toString(),
        startTime: rule.startTime.toString({ smallestUnit: 'second' }),
        durationSeconds: Math.ceil((input.endsAt.getTime() - input.startsAt.getTime()) / 1000),
        until: rule.until?.toString() ?? null,
        count: rule.count,
      })
      .returning();
    if (!series) {
      throw new Error('Inserting a live series returned no row');
    }
    const inserted = await tx
      .insert(liveSessions)
      .values(
        occurrences.map((occurrence, index) => ({
          ...template,
          startsAt: occurrence.startsAt.toISOString(),
          endsAt: occurrence.endsAt.toISOString(),
          seriesId: series.id,
          occurrenceIndex: index,
        })),
      )
      .returning({ id: liveSessions.id, occurrenceIndex: liveSessions.occurrenceIndex });
    const first = inserted.find((row) => row.occurrenceIndex === 0);
    if (!first) {
      throw new Error(`Live series ${series.id} was inserted without its first occurrence`);
    }
    await recorder.record(topics.community(input.communityId), 'live_session_scheduled', {
      liveSessionId: first.id,
      liveSeriesId: series.id,
    });
    return series;
  });
}

async function loadManagedLiveSeries(ctx: ServiceContext, liveSeriesId: number, action: string) {
  const viewer = requireViewer(ctx);
  const [series] = await ctx.db.select().from(liveSeries).where(eq(liveSeries.id, liveSeriesId));
  if (!series) {
    throw new NotFoundError(
      `Live series ${liveSeriesId} not found, or you do not have access to it.`,
    );
  }
  const { membership } = await ctx.access.requireReadable(
    series.communityId,
    `Live series ${liveSeriesId}`,
  );
  if (!canManageLiveSeries(viewer, series, membership)) {
    throw new ForbiddenError(`Only the host or a facilitator can ${action} this live series.`);
  }
  if (series.cancelledAt) {
    throw new ConflictError(
      `Live series ${liveSeriesId} has been cancelled and cannot be changed.`,
    );
  }
  return series;
}

/**
 * Cancels a series: each of its occurrences that is still scheduled and starts later than now
 * becomes CANCELLED and publishes STATUS_CHANGED, moved ones included. Occurrences that are live
 * or ended, or whose start has passed, stay as they are. Host or facilitator.
 */
export async function cancelLiveSeries(
  ctx: ServiceContext,
  input: { liveSeriesId: number },
): Promise<LiveSeriesRow> {
  const series = await loadManagedLiveSeries(ctx, input.liveSeriesId, 'cancel');

  return runInTransaction(ctx, async (tx, recorder) => {
    // The check and the change are one statement, so two concurrent requests cannot both cancel.
    const [cancelled] = await tx
      .update(liveSeries)
      .set({ cancelledAt: sql`now()` })
      .where(and(eq(liveSeries.id, series.id), isNull(liveSeries.cancelledAt)))
      .returning();
    if (!cancelled) {
      throw new ConflictError(`Live series ${series.id} has already been cancelled.`);
    }
    const sessions = await tx
      .update(liveSessions)
      .set({ status: 'cancelled', revision: sql`${liveSessions.revision} + 1` })
      .where(
        sql`${liveSessions.seriesId} = ${series.id} and ${liveSessions.status} = 'scheduled' and ${liveSessions.startsAt} > now()`,
      )
      .returning({ id: liveSessions.id });
    for (const liveSession of sessions) {
      await recorder.record(topics.liveSession(liveSession.id), 'status_changed', {
        status: 'cancelled',
      });
    }
    return cancelled;
  });
}

interface SeriesChangeFields {
  title?: string | null;
  description?: string | null;
  joinUrl?: string | null;
  /** Seats per occurrence; 0 removes the limit. */
  capacity?: number | null;
}

function validateSeriesChange(input: SeriesChangeFields) {
  const validator = new InputValidator();
  const title = validator.optionalText('title', input.title, { max: 200 });
  const description = validator.optionalText('description', input.description, {
    min: 0,
    max: 5000,
    multiline: true,
  });
  const joinUrl = input.joinUrl ? parseHttpUrl(validator, 'joinUrl', input.joinUrl) : input.joinUrl;
  const capacity = input.capacity ?? undefined;
  if (capacity !== undefined && (capacity < 0 || capacity > MAX_CAPACITY)) {
    validator.add('capacity', `must be from 0 to ${MAX_CAPACITY} (0 removes the limit)`);
  }
  validator.check();
  return {
    ...(title !== undefined && { title }),
    ...(description !== undefined && { description }),
    ...(joinUrl !== undefined && joinUrl !== null && { joinUrl: joinUrl || null }),
    ...(capacity !== undefined && { capacity: capacity === 0 ? null : capacity }),
  };
}

/**
 * Changes the title, description, join link or capacity of a series and of its occurrences that
 * are still scheduled, start later than now and were not changed on their own. Each changed
 * occurrence publishes UPDATED; a larger capacity gives seats to its waitlist. Host or
 * facilitator.
 */
export async function updateLiveSeries(
  ctx: ServiceContext,
  input: SeriesChangeFields & { liveSeriesId: number },
): Promise<LiveSeriesRow> {
  const changes = validateSeriesChange(input);
  const series = await loadManagedLiveSeries(ctx, input.liveSeriesId, 'change');
  if (Object.keys(changes).length === 0) {
    return series;
  }

  return runInTransaction(ctx, async (tx, recorder) => {
    const [updated] = await tx
      .update(liveSeries)
      .set(changes)
      .where(eq(liveSeries.id, series.id))
      .returning();
    // Updating the rows locks them until commit, which fillFreeSeats needs.
    const sessions = await tx
      .update(liveSessions)
      .set({ ...changes, revision: sql`${liveSessions.revision} + 1` })
      .where(
        sql`${liveSessions.seriesId} = ${series.id} and ${liveSessions.status} = 'scheduled' and ${liveSessions.startsAt} > now() and not ${liveSessions.detachedFromSeries}`,
      )
      .returning();
    for (const liveSession of sessions) {
      if (changes.capacity !== undefined) {
        await fillFreeSeats(tx, recorder, liveSession);
      }
      await recorder.record(topics.liveSession(liveSession.id), 'updated', {});
    }
    return updated ?? series;
  });
}
