import { encodeGlobalID } from '@pothos/plugin-relay';
import { ForbiddenError, ValidationError } from '../../server/errors.ts';
import {
  type AnalyticsFigures,
  type AnalyticsReport,
  loadCommunityAnalytics,
  loadDistrictAnalytics,
  type SchoolRow,
  type TrendFigure,
  type TrendPoint,
} from '../../server/services/analytics.ts';
import { MAX_ANALYTICS_PERIOD_DAYS } from '../../server/services/analytics-period.ts';
import type { Figure } from '../../server/services/analytics-suppression.ts';
import { builder, type GraphQLContext } from '../builder.ts';
import { District } from './community.ts';

const AnalyticsBucketEnum = builder.enumType('AnalyticsBucket', {
  description: 'The length of each point of an analytics trend, in UTC.',
  values: {
    DAY: { value: 'day', description: 'Whole UTC days.' },
    WEEK: { value: 'week', description: 'ISO weeks, from Monday 00:00 UTC.' },
    MONTH: { value: 'month', description: 'Calendar months, from the 1st 00:00 UTC.' },
  } as const,
});

const AnalyticsPeriodInput = builder.inputType('AnalyticsPeriodInput', {
  description: `The period of an analytics report: from \`from\` (included) to \`to\` (excluded), at most ${MAX_ANALYTICS_PERIOD_DAYS} days. It is compared with the period of the same length just before it.`,
  fields: (t) => ({
    from: t.field({ type: 'DateTime', required: true, description: 'Start, included.' }),
    to: t.field({ type: 'DateTime', required: true, description: 'End, excluded.' }),
    bucket: t.field({
      type: AnalyticsBucketEnum,
      required: false,
      defaultValue: 'week',
      description: 'The length of each point of the trend; WEEK by default.',
    }),
  }),
});

const SUPPRESSED_DESCRIPTION =
  'Whether the value is withheld because it was computed over fewer distinct people than the minimum group size.';
const LESS_THAN_DESCRIPTION =
  'When suppressed: the minimum group size, which the group behind the figure did not reach ("fewer than 5"); null otherwise.';

const AnalyticsCount = builder.objectRef<Figure>('AnalyticsCount').implement({
  description: 'A whole-number figure, or its suppression.',
  fields: (t) => ({
    value: t.int({
      nullable: true,
      description: 'The figure; null when suppressed.',
      resolve: (figure) => figure.value,
    }),
    suppressed: t.exposeBoolean('suppressed', { description: SUPPRESSED_DESCRIPTION }),
    lessThan: t.int({
      nullable: true,
      description: LESS_THAN_DESCRIPTION,
      resolve: (figure) => figure.lessThan,
    }),
  }),
});

const AnalyticsAmount = builder.objectRef<Figure>('AnalyticsAmount').implement({
  description: 'A figure with a fractional part (hours, shares), or its suppression.',
  fields: (t) => ({
    value: t.float({
      nullable: true,
      description: 'The figure; null when suppressed.',
      resolve: (figure) => figure.value,
    }),
    suppressed: t.exposeBoolean('suppressed', { description: SUPPRESSED_DESCRIPTION }),
    lessThan: t.int({
      nullable: true,
      description: LESS_THAN_DESCRIPTION,
      resolve: (figure) => figure.lessThan,
    }),
  }),
});

const TREND_DESCRIPTIONS: Record<TrendFigure, string> = {
  activeMembers:
    'People who started a thread, replied, sent a chat message or attended a live session.',
  newMembers:
    'For a community: people whose current active membership started then. For a district: staff accounts created then.',
  threads: 'Threads started, other than removed or held ones.',
  replies: 'Replies posted, other than removed or held ones and replies in removed threads.',
  chatMessages: 'Live chat messages, other than those a moderator deleted.',
  liveSessions: 'Ended live sessions that started then and had at least one credited attendee.',
  attendees: 'People credited at least one minute in those sessions.',
  pdHours:
    'Credited attendance in those sessions, in hours with one decimal, as the professional development transcript counts it.',
  badgesAwarded: 'Badge awards made then, other than revoked ones.',
};

type TrendFigures = Record<TrendFigure, Figure>;

const countField = (name: TrendFigure) =>
  ({
    type: AnalyticsCount,
    description: TREND_DESCRIPTIONS[name],
    resolve: (figures: TrendFigures) => figures[name],
  }) as const;

const AnalyticsActivity = builder.interfaceRef<TrendFigures>('AnalyticsActivity').implement({
  description: 'Figures of activity over a period, one bucket of a trend, or one school.',
  fields: (t) => ({
    activeMembers: t.field(countField('activeMembers')),
    newMembers: t.field(countField('newMembers')),
    threads: t.field(countField('threads')),
    replies: t.field(countField('replies')),
    chatMessages: t.field(countField('chatMessages')),
    liveSessions: t.field(countField('liveSessions')),
    attendees: t.field(countField('attendees')),
    pdHours: t.field({
      type: AnalyticsAmount,
      description: TREND_DESCRIPTIONS.pdHours,
      resolve: (figures) => figures.pdHours,
    }),
    badgesAwarded: t.field(countField('badgesAwarded')),
  }),
});

const AnalyticsTrendFigures = builder.objectRef<TrendFigures>('AnalyticsTrendFigures').implement({
  description: 'Figures of activity in one bucket of a trend or one school.',
  interfaces: [AnalyticsActivity],
  isTypeOf: () => true,
  fields: () => ({}),
});

const AnalyticsFiguresRef = builder.objectRef<AnalyticsFigures>('AnalyticsFigures').implement({
  description:
    'Figures of a whole period. Question figures cover question threads started in the period, and count replies and accepted answers written before its end.',
  interfaces: [AnalyticsActivity],
  isTypeOf: () => true,
  fields: (t) => ({
    questions: t.field({
      type: AnalyticsCount,
      description: 'Question threads started, other than removed or held ones.',
      resolve: (figures) => figures.questions,
    }),
    answeredQuestions: t.field({
      type: AnalyticsCount,
      description: 'Of those, the questions whose accepted answer was posted before the end.',
      resolve: (figures) => figures.answeredQuestions,
    }),
    answeredShare: t.field({
      type: AnalyticsAmount,
      description:
        'answeredQuestions divided by questions, from 0 to 1 with three decimals; 0 without questions.',
      resolve: (figures) => figures.answeredShare,
    }),
    responseMedianSeconds: t.field({
      type: AnalyticsCount,
      description:
        "Median seconds from a question to its first reply by someone other than the asker, over the questions with such a reply before the end (the lower middle value of an even count). Its group is those questions' askers.",
      resolve: (figures) => figures.responseMedianSeconds,
    }),
    responseP90Seconds: t.field({
      type: AnalyticsCount,
      description:
        'The 90th percentile of the same response times: the smallest one that at least 90% of them do not exceed.',
      resolve: (figures) => figures.responseP90Seconds,
    }),
  }),
});

const AnalyticsTrendPoint = builder.objectRef<TrendPoint>('AnalyticsTrendPoint').implement({
  description: 'One bucket of a trend, cut to the period at both ends.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Start, included.', resolve: (p) => p.from }),
    to: t.field({ type: 'DateTime', description: 'End, excluded.', resolve: (p) => p.to }),
    figures: t.field({
      type: AnalyticsTrendFigures,
      description: 'The figures of this bucket.',
      resolve: (point) => point.figures,
    }),
  }),
});

const AnalyticsSchoolRow = builder.objectRef<SchoolRow>('AnalyticsSchoolRow').implement({
  description:
    "One school of a district's breakdown: its staff and their activity in the period. Schools without staff have no row.",
  fields: (t) => ({
    school: t.drizzleField({
      type: 'schools',
      nullable: true,
      description: 'The school; null for the row of staff without a school of the district.',
      resolve: (query, row, _args, ctx) =>
        row.schoolId === null
          ? null
          : ctx.db.query.schools.findFirst(query({ where: { id: row.schoolId } })),
    }),
    schoolName: t.string({
      description: 'The school\'s name, or "No school" for staff without a school of the district.',
      resolve: (row) => row.schoolName ?? NO_SCHOOL,
    }),
    staff: t.field({
      type: AnalyticsCount,
      description: 'Staff of the district at this school, now.',
      resolve: (row) => row.staff,
    }),
    figures: t.field({
      type: AnalyticsTrendFigures,
      description: 'The activity of these staff in the period.',
      resolve: (row) => row.figures,
    }),
  }),
});

export const NO_SCHOOL = 'No school';

/** Returns the address of a report's CSV download, for the same period and bucket. */
function csvUrl(report: AnalyticsReport, ctx: GraphQLContext): string {
  const id =
    report.scope.kind === 'community'
      ? encodeGlobalID('Community', report.scope.communityId)
      : encodeGlobalID('District', report.scope.districtId);
  const base = report.scope.kind === 'community' ? 'communities' : 'districts';
  const query = new URLSearchParams({
    from: report.period.from.toISOString(),
    to: report.period.to.toISOString(),
    bucket: report.period.bucket,
  });
  return `${ctx.publicUrl}/${base}/${encodeURIComponent(id)}/analytics.csv?${query}`;
}

const Analytics = builder.interfaceRef<AnalyticsReport>('Analytics').implement({
  description:
    'Figures of a community or district over a period, compared with the period of the same length before it, with a trend per bucket. A figure computed over fewer distinct people than the minimum group size is suppressed; docs/analytics.md defines each figure.',
  fields: (t) => ({
    from: t.field({
      type: 'DateTime',
      description: 'Start of the period, included.',
      resolve: (report) => report.period.from,
    }),
    to: t.field({
      type: 'DateTime',
      description: 'End of the period, excluded.',
      resolve: (report) => report.period.to,
    }),
    bucket: t.field({
      type: AnalyticsBucketEnum,
      description: 'The length of each point of the trend.',
      resolve: (report) => report.period.bucket,
    }),
    previousFrom: t.field({
      type: 'DateTime',
      description: 'Start of the previous period, which ends at `from`.',
      resolve: (report) => report.period.previous.from,
    }),
    minGroupSize: t.int({
      description:
        'Figures computed over fewer distinct people than this are suppressed (ANALYTICS_MIN_GROUP_SIZE).',
      resolve: (report) => report.minGroupSize,
    }),
    current: t.field({
      type: AnalyticsFiguresRef,
      description: 'Figures of the period.',
      resolve: (report) => report.current,
    }),
    previous: t.field({
      type: AnalyticsFiguresRef,
      description: 'Figures of the previous period of the same length, for comparison.',
      resolve: (report) => report.previous,
    }),
    reviewsPending: t.field({
      type: AnalyticsCount,
      description:
        'Evidence submissions waiting for a review now, whatever the period; its group is the people who sent them.',
      resolve: (report) => report.reviewsPending,
    }),
    trend: t.field({
      type: [AnalyticsTrendPoint],
      description:
        'The period bucket by bucket, oldest first. When a bucket is suppressed and the total is shown, more buckets are suppressed so that the total does not reveal it.',
      resolve: (report) => report.trend,
    }),
    csvUrl: t.string({
      description:
        'Address of the same figures as a CSV download; it answers the same people, as whoever the request signs in as.',
      resolve: (report, _args, ctx) => csvUrl(report, ctx),
    }),
  }),
});

const CommunityAnalytics = builder.objectRef<AnalyticsReport>('CommunityAnalytics').implement({
  description: "A community's analytics: the activity in the community, whoever took part.",
  interfaces: [Analytics],
  isTypeOf: (report) => (report as AnalyticsReport).scope?.kind === 'community',
  fields: () => ({}),
});

const DistrictAnalytics = builder.objectRef<AnalyticsReport>('DistrictAnalytics').implement({
  description:
    "A district's analytics: the activity of its own staff (people whose district it is) in every community, and nobody else's.",
  interfaces: [Analytics],
  isTypeOf: (report) => (report as AnalyticsReport).scope?.kind === 'district',
  fields: (t) => ({
    staff: t.field({
      type: AnalyticsCount,
      description: "The district's staff, now.",
      resolve: (report) =>
        report.staff ?? { value: null, suppressed: true, lessThan: report.minGroupSize },
    }),
    bySchool: t.field({
      type: [AnalyticsSchoolRow],
      description:
        'The figures per school, by name, then staff without a school of the district. When a school is suppressed and the total is shown, more schools are suppressed so that the total does not reveal it.',
      resolve: (report) => report.bySchool,
    }),
  }),
});

const PERIOD_ARG_DESCRIPTION = 'The period and the bucket of the trend.';

builder.drizzleObjectField('communities', 'analytics', (t) =>
  t.field({
    type: CommunityAnalytics,
    description:
      'Figures of the community over a period, for its owners and facilitators, the admins of its district and platform admins; ForbiddenError for anyone else. A period that ends before it starts or is too long is a ValidationError on `period`.',
    errors: {
      types: [ValidationError, ForbiddenError],
      directResult: true,
      union: { description: 'The analytics, or why they cannot be shown.' },
    },
    args: {
      period: t.arg({
        type: AnalyticsPeriodInput,
        required: true,
        description: PERIOD_ARG_DESCRIPTION,
      }),
    },
    resolve: (community, { period }, ctx) =>
      loadCommunityAnalytics(
        ctx,
        community.id,
        { ...period, bucket: period.bucket ?? 'week' },
        ctx.analyticsMinGroupSize,
      ),
  }),
);

builder.drizzleObjectField(District, 'analytics', (t) =>
  t.field({
    type: DistrictAnalytics,
    description:
      "Figures of the district's own staff over a period, for its admins and platform admins; ForbiddenError for anyone else. A period that ends before it starts or is too long is a ValidationError on `period`.",
    errors: {
      types: [ValidationError, ForbiddenError],
      directResult: true,
      union: { description: 'The analytics, or why they cannot be shown.' },
    },
    args: {
      period: t.arg({
        type: AnalyticsPeriodInput,
        required: true,
        description: PERIOD_ARG_DESCRIPTION,
      }),
    },
    resolve: (district, { period }, ctx) =>
      loadDistrictAnalytics(
        ctx,
        district.id,
        { ...period, bucket: period.bucket ?? 'week' },
        ctx.analyticsMinGroupSize,
      ),
  }),
);
