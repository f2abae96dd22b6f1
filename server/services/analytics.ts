import { canReadCommunityAnalytics, canReadDistrictAnalytics } from '../auth/access.ts';
import type { ViewerAccess } from '../auth/viewer-access.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import {
  type AnalyticsBucket,
  type AnalyticsPeriod,
  bucketRanges,
  type Interval,
  parseAnalyticsPeriod,
} from './analytics-period.ts';
import {
  type AnalyticsScope,
  type FactAggregate,
  type FactKind,
  loadFactAggregates,
  loadPendingReviews,
  loadQuestionAggregates,
  loadSchoolStaff,
  type QuestionAggregate,
} from './analytics-queries.ts';
import {
  type Figure,
  protectBreakdown,
  protectFigure,
  type RawFigure,
} from './analytics-suppression.ts';
import { minutesToHours } from './attendance.ts';
import type { ServiceContext } from './context.ts';

/** Figures that have a value per bucket of the trend and per school of a district. */
export const TREND_FIGURES = [
  'activeMembers',
  'newMembers',
  'threads',
  'replies',
  'chatMessages',
  'liveSessions',
  'attendees',
  'pdHours',
  'badgesAwarded',
] as const;
export type TrendFigure = (typeof TREND_FIGURES)[number];

export const QUESTION_FIGURES = [
  'questions',
  'answeredQuestions',
  'answeredShare',
  'responseMedianSeconds',
  'responseP90Seconds',
] as const;
export type QuestionFigure = (typeof QUESTION_FIGURES)[number];

export const PERIOD_FIGURES = [...TREND_FIGURES, ...QUESTION_FIGURES] as const;
export type PeriodFigure = TrendFigure | QuestionFigure;

export type AnalyticsFigures = Record<PeriodFigure, Figure>;

export interface TrendPoint extends Interval {
  figures: Record<TrendFigure, Figure>;
}

export interface SchoolRow {
  /** Null for staff without a school of the district. */
  schoolId: number | null;
  schoolName: string | null;
  staff: Figure;
  figures: Record<TrendFigure, Figure>;
}

/** Analytics of a community or a district over a period, every figure already suppressed. */
export interface AnalyticsReport {
  scope: AnalyticsScope;
  period: AnalyticsPeriod;
  minGroupSize: number;
  current: AnalyticsFigures;
  previous: AnalyticsFigures;
  /** Evidence submissions waiting for review now, whatever the period. */
  reviewsPending: Figure;
  trend: TrendPoint[];
  /** District staff, now; null for a community. */
  staff: Figure | null;
  /** Empty for a community. */
  bySchool: SchoolRow[];
}

export interface AnalyticsPeriodInput {
  from: Date;
  to: Date;
  bucket: AnalyticsBucket;
}

const ZERO: FactAggregate = { rows: 0, people: 0, minutes: 0, sessions: 0 };

/** The kind of activity row behind each trend figure, and the aggregate it reads. */
const TREND_SOURCES: Record<TrendFigure, [FactKind, (aggregate: FactAggregate) => number]> = {
  activeMembers: ['active', (aggregate) => aggregate.people],
  newMembers: ['member', (aggregate) => aggregate.rows],
  threads: ['thread', (aggregate) => aggregate.rows],
  replies: ['reply', (aggregate) => aggregate.rows],
  chatMessages: ['chat', (aggregate) => aggregate.rows],
  liveSessions: ['attendance', (aggregate) => aggregate.sessions],
  attendees: ['attendance', (aggregate) => aggregate.people],
  pdHours: ['attendance', (aggregate) => minutesToHours(aggregate.minutes)],
  badgesAwarded: ['badge', (aggregate) => aggregate.rows],
};

function rawTrendFigures(
  aggregates: Map<FactKind, FactAggregate> | undefined,
): Record<TrendFigure, RawFigure> {
  const entries = TREND_FIGURES.map((name) => {
    const [kind, read] = TREND_SOURCES[name];
    const aggregate = aggregates?.get(kind) ?? ZERO;
    return [name, { value: read(aggregate), group: aggregate.people }] as const;
  });
  return Object.fromEntries(entries) as Record<TrendFigure, RawFigure>;
}

function rawQuestionFigures(
  aggregate: QuestionAggregate | undefined,
): Record<QuestionFigure, RawFigure> {
  const questions = aggregate?.questions ?? 0;
  const askers = aggregate?.askers ?? 0;
  const repliedAskers = aggregate?.repliedAskers ?? 0;
  return {
    questions: { value: questions, group: askers },
    answeredQuestions: { value: aggregate?.answered ?? 0, group: askers },
    answeredShare: {
      value:
        questions === 0 ? 0 : Math.round(((aggregate?.answered ?? 0) / questions) * 1000) / 1000,
      group: askers,
    },
    responseMedianSeconds: {
      value: Math.round(aggregate?.medianSeconds ?? 0),
      group: repliedAskers,
    },
    responseP90Seconds: { value: Math.round(aggregate?.p90Seconds ?? 0), group: repliedAskers },
  };
}

function protectAll<Name extends string>(
  raw: Record<Name, RawFigure>,
  minGroupSize: number,
): Record<Name, Figure> {
  const entries = Object.entries(raw) as [Name, RawFigure][];
  return Object.fromEntries(
    entries.map(([name, figure]) => [name, protectFigure(figure, minGroupSize)]),
  ) as Record<Name, Figure>;
}

/**
 * Protects the cells of a breakdown figure by figure against the period's totals: see
 * protectBreakdown. Returns one record of figures per cell, in the cells' order.
 */
function protectCells(
  cells: Record<TrendFigure, RawFigure>[],
  totals: Record<TrendFigure, RawFigure>,
  minGroupSize: number,
): Record<TrendFigure, Figure>[] {
  const protectedCells = cells.map(() => ({}) as Record<TrendFigure, Figure>);
  for (const name of TREND_FIGURES) {
    const column = protectBreakdown(
      cells.map((cell) => cell[name]),
      totals[name],
      minGroupSize,
    );
    column.forEach((figure, index) => {
      const cell = protectedCells[index];
      if (cell) {
        cell[name] = figure;
      }
    });
  }
  return protectedCells;
}

/** Runs the queries of a report and suppresses what the minimum group size calls for. */
// NOTE: suppression protects one report at a time. A reader may request any period, so two
// periods that differ by one day give that day's figures by subtraction (docs/analytics.md).
async function buildReport(
  ctx: ServiceContext,
  scope: AnalyticsScope,
  period: AnalyticsPeriod,
  minGroupSize: number,
): Promise<AnalyticsReport> {
  const [facts, questions, pending, schools] = await Promise.all([
    loadFactAggregates(ctx.db, scope, period),
    loadQuestionAggregates(ctx.db, scope, period),
    loadPendingReviews(ctx.db, scope),
    scope.kind === 'district' ? loadSchoolStaff(ctx.db, scope.districtId) : Promise.resolve([]),
  ]);
  const currentTrend = rawTrendFigures(facts.current);
  const buckets = bucketRanges(period);
  const bucketFigures = protectCells(
    buckets.map((bucket) => rawTrendFigures(facts.byBucket.get(bucket.key))),
    currentTrend,
    minGroupSize,
  );

  // A school without staff has no one to describe, so it gets no row.
  const staffedSchools = schools.filter((school) => school.staff > 0);
  const staffTotal = schools.reduce((sum, school) => sum + school.staff, 0);
  const staffCells = protectBreakdown(
    staffedSchools.map((school) => ({ value: school.staff, group: school.staff })),
    { value: staffTotal, group: staffTotal },
    minGroupSize,
  );
  const schoolFigures = protectCells(
    staffedSchools.map((school) => rawTrendFigures(facts.bySchool.get(school.schoolId))),
    currentTrend,
    minGroupSize,
  );

  return {
    scope,
    period,
    minGroupSize,
    current: protectAll(
      { ...currentTrend, ...rawQuestionFigures(questions.get(true)) },
      minGroupSize,
    ),
    previous: protectAll(
      { ...rawTrendFigures(facts.previous), ...rawQuestionFigures(questions.get(false)) },
      minGroupSize,
    ),
    reviewsPending: protectFigure(
      { value: pending.submissions, group: pending.people },
      minGroupSize,
    ),
    trend: buckets.map((bucket, index) => ({
      from: bucket.from,
      to: bucket.to,
      figures: bucketFigures[index] ?? protectAll(rawTrendFigures(undefined), minGroupSize),
    })),
    staff:
      scope.kind === 'district'
        ? protectFigure({ value: staffTotal, group: staffTotal }, minGroupSize)
        : null,
    bySchool: staffedSchools.map((school, index) => ({
      schoolId: school.schoolId === 0 ? null : school.schoolId,
      schoolName: school.name,
      staff: staffCells[index] ?? protectFigure({ value: 0, group: 0 }, minGroupSize),
      figures: schoolFigures[index] ?? protectAll(rawTrendFigures(undefined), minGroupSize),
    })),
  };
}

/**
 * Builds a community's analytics for its owners and facilitators, the admins of its district
 * and platform admins. Throws a ValidationError for a bad period, NotFoundError for a community
 * the viewer may not see, and ForbiddenError for anyone else who may see it.
 */
export async function loadCommunityAnalytics(
  ctx: ServiceContext,
  communityId: number,
  input: AnalyticsPeriodInput,
  minGroupSize: number,
): Promise<AnalyticsReport> {
  const period = parseAnalyticsPeriod(input);
  await requireCommunityAnalyticsReader(ctx.access, communityId);
  return buildReport(ctx, { kind: 'community', communityId }, period, minGroupSize);
}

/** Throws NotFoundError or ForbiddenError unless the viewer may read the community's analytics. */
export async function requireCommunityAnalyticsReader(
  access: ViewerAccess,
  communityId: number,
): Promise<void> {
  const [community, membership] = await Promise.all([
    access.community(communityId),
    access.membership(communityId),
  ]);
  if (!community || !(await access.canSee(communityId))) {
    throw new NotFoundError(`Community ${communityId} not found.`);
  }
  if (!canReadCommunityAnalytics(access.viewer, community, membership)) {
    throw new ForbiddenError(
      "Only the community's owners and facilitators, the admins of its district and platform admins can see its analytics.",
    );
  }
}

/**
 * Builds a district's analytics, which cover the district's own staff in every community, for
 * its admins and platform admins, of a district that exists. Throws a ValidationError for a bad
 * period and ForbiddenError for anyone else.
 */
export async function loadDistrictAnalytics(
  ctx: ServiceContext,
  districtId: number,
  input: AnalyticsPeriodInput,
  minGroupSize: number,
): Promise<AnalyticsReport> {
  const period = parseAnalyticsPeriod(input);
  if (!canReadDistrictAnalytics(ctx.viewer, districtId)) {
    throw new ForbiddenError(
      "Only the district's admins and platform admins can see its analytics.",
    );
  }
  return buildReport(ctx, { kind: 'district', districtId }, period, minGroupSize);
}
