import {
  LIVE_SERIES_FREQUENCIES,
  LIVE_SERIES_MONTHLY_KINDS,
  MAX_CAPACITY,
  MAX_MONTHLY_INTERVAL,
  MAX_SERIES_OCCURRENCES,
  MAX_WEEKLY_INTERVAL,
} from '../../drizzle/tables/index.ts';
import { canManageLiveSeries } from '../../server/auth/access.ts';
import {
  cancelLiveSeries,
  describeLiveSeries,
  scheduleLiveSeries,
  updateLiveSeries,
} from '../../server/services/live-series.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';
import { parseGlobalId } from '../ids.ts';
import { enumFromValues } from './enums.ts';

export const LiveSeriesFrequencyEnum = enumFromValues(
  'LiveSeriesFrequency',
  LIVE_SERIES_FREQUENCIES,
  'How often a live series repeats: WEEKLY or MONTHLY, every `interval` weeks or months.',
);

export const LiveSeriesMonthlyKindEnum = enumFromValues(
  'LiveSeriesMonthlyKind',
  LIVE_SERIES_MONTHLY_KINDS,
  "The day of the month a MONTHLY series falls on, taken from its first occurrence's date.",
);

const TIME_RULE = `Every occurrence starts at the first one's local wall-clock time in timeZone, so its UTC instant moves by an hour across a daylight-saving change. A time that a spring-forward change skips moves later by the length of the gap (02:30 becomes 03:30), and a time that a fall-back change repeats takes the earlier of the two, as RFC 5545 specifies. Each occurrence lasts as long as the first.`;

builder.drizzleNode('liveSeries', {
  name: 'LiveSeries',
  description: `Recurring live sessions, such as weekly office hours. Each occurrence is a LiveSession of its own, with its own RSVPs, seats, waitlist, chat, reminders and calendar entry. ${TIME_RULE}`,
  id: { column: (series) => series.id },
  authScopes: (series) => ({ readCommunity: series.communityId }),
  fields: (t) => ({
    title: t.exposeString('title', {
      description: 'The title its occurrences were created with, up to 200 characters.',
    }),
    description: t.exposeString('description', {
      description: 'The description its occurrences were created with, in Markdown.',
    }),
    timeZone: t.exposeString('timeZone', {
      description: 'The IANA time zone its occurrences keep their local time in.',
    }),
    frequency: t.field({
      type: LiveSeriesFrequencyEnum,
      description: 'Whether it repeats weekly or monthly.',
      resolve: (series) => series.frequency,
    }),
    interval: t.exposeInt('interval', {
      description: `Weeks (1 to ${MAX_WEEKLY_INTERVAL}) or months (1 to ${MAX_MONTHLY_INTERVAL}) from one occurrence to the next.`,
    }),
    monthlyKind: t.field({
      type: LiveSeriesMonthlyKindEnum,
      nullable: true,
      description: 'Which day of the month a MONTHLY series falls on; null for WEEKLY.',
      resolve: (series) => series.monthlyKind,
    }),
    startTime: t.string({
      description: 'The local wall-clock time every occurrence starts at in timeZone, as HH:MM.',
      resolve: (series) => series.startTime.slice(0, 5),
    }),
    until: t.string({
      nullable: true,
      description:
        'The last local date, as YYYY-MM-DD, that an occurrence may fall on; null when count ends the series.',
      resolve: (series) => series.until,
    }),
    count: t.exposeInt('count', {
      nullable: true,
      description: 'How many occurrences it was scheduled with; null when until ends the series.',
    }),
    capacity: t.exposeInt('capacity', {
      nullable: true,
      description: 'Seats per occurrence for confirmed attendees; null when there is no limit.',
    }),
    summary: t.string({
      description:
        'The rule in English, such as "Every 2 weeks on Tuesday at 16:00 (America/New_York), 10 times".',
      resolve: (series) => describeLiveSeries(series),
    }),
    cancelledAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When cancelLiveSeries cancelled it; null while it runs.',
      resolve: (series) => series.cancelledAt,
    }),
    community: t.relation('community', { description: 'The community it belongs to.' }),
    host: t.relation('host', {
      nullable: true,
      description: 'The member who scheduled it; null when that account was deleted.',
    }),
    occurrences: t.relatedConnection('occurrences', {
      description: 'Its live sessions in order, from occurrence 0, cancelled ones included.',
      query: { orderBy: { occurrenceIndex: 'asc', id: 'asc' } },
    }),
    viewerCanManage: t.boolean({
      description: 'Whether the viewer may change or cancel the series.',
      resolve: async (series, _args, ctx) =>
        canManageLiveSeries(ctx.viewer, series, await ctx.access.membership(series.communityId)),
    }),
  }),
});

builder.drizzleObjectFields('liveSessions', (t) => ({
  series: t.relation('series', {
    nullable: true,
    description: 'The series this session is an occurrence of; null for a one-off session.',
  }),
  occurrenceIndex: t.int({
    nullable: true,
    description: 'Its position in its series, from 0; null for a one-off session.',
    resolve: (liveSession) => (liveSession.seriesId === null ? null : liveSession.occurrenceIndex),
  }),
  detachedFromSeries: t.exposeBoolean('detachedFromSeries', {
    description:
      'Whether this occurrence was changed on its own with updateLiveSession, so that updateLiveSeries leaves it alone; false for a one-off session.',
  }),
}));

const LiveSeriesIdInput = builder.inputType('LiveSeriesIdInput', {
  description: 'Names a live series.',
  fields: (f) => ({ liveSeriesId: f.id({ required: true, description: 'The live series.' }) }),
});

const ScheduleLiveSeriesInput = builder.inputType('ScheduleLiveSeriesInput', {
  description: `A new live series. startsAt and endsAt give its first occurrence. ${TIME_RULE}`,
  fields: (f) => ({
    communityId: f.id({ required: true, description: 'The community it belongs to.' }),
    title: f.string({ required: true, description: '1 to 200 characters.' }),
    description: f.string({ description: 'Markdown, up to 5,000 characters.' }),
    startsAt: f.field({
      type: 'DateTime',
      required: true,
      description:
        'When the first occurrence starts; not in the past. Its local date and time in timeZone set the weekday, the day of the month and the time of the others.',
    }),
    endsAt: f.field({
      type: 'DateTime',
      required: true,
      description: 'When the first occurrence ends: after startsAt and at most 12 hours later.',
    }),
    timeZone: f.string({
      required: true,
      description:
        'The IANA time zone, such as America/New_York, that occurrences keep their time in.',
    }),
    joinUrl: f.string({
      description: 'An http or https link to the video meeting, at most 2,000 characters.',
    }),
    capacity: f.int({
      description: `Seats per occurrence for confirmed attendees, 1 to ${MAX_CAPACITY}; omit for no limit.`,
    }),
    frequency: f.field({
      type: LiveSeriesFrequencyEnum,
      required: true,
      description: 'Whether it repeats weekly or monthly.',
    }),
    interval: f.int({
      required: true,
      description: `Weeks (1 to ${MAX_WEEKLY_INTERVAL}) or months (1 to ${MAX_MONTHLY_INTERVAL}) from one occurrence to the next.`,
    }),
    monthlyKind: f.field({
      type: LiveSeriesMonthlyKindEnum,
      description:
        'Required for MONTHLY, and omitted for WEEKLY: which day of the month the occurrences fall on.',
    }),
    until: f.string({
      description:
        'The last local date, as YYYY-MM-DD, that an occurrence may fall on: not before the first occurrence and at most one year after it. Give either until or count.',
    }),
    count: f.int({
      description: `How many occurrences, 1 to ${MAX_SERIES_OCCURRENCES}, all within one year of the first. Give either until or count.`,
    }),
  }),
});

const UpdateLiveSeriesInput = builder.inputType('UpdateLiveSeriesInput', {
  description:
    'Fields to change; omitted or null fields stay as they are. The recurrence itself cannot be changed.',
  fields: (f) => ({
    liveSeriesId: f.id({ required: true, description: 'The live series.' }),
    title: f.string({ description: '1 to 200 characters.' }),
    description: f.string({
      description: 'Markdown, up to 5,000 characters; an empty string clears it.',
    }),
    joinUrl: f.string({ description: 'An http or https link; an empty string removes the link.' }),
    capacity: f.int({
      description: `Seats per occurrence, 1 to ${MAX_CAPACITY}; 0 removes the limit. Seats that open go to each waitlist in order.`,
    }),
  }),
});

builder.mutationFields((t) => ({
  scheduleLiveSeries: t.drizzleField({
    type: 'liveSeries',
    description: `Schedules a recurring live session and creates all its occurrences as live sessions, at most ${MAX_SERIES_OCCURRENCES} within one year of the first; any member may host. Community subscribers get one LIVE_SESSION_SCHEDULED event, for the first occurrence.`,
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: ScheduleLiveSeriesInput }) },
    resolve: (_query, _parent, { input }, ctx) =>
      scheduleLiveSeries(ctx, {
        ...input,
        communityId: parseGlobalId(String(input.communityId), 'Community', 'communityId'),
      }),
  }),
  updateLiveSeries: t.drizzleField({
    type: 'liveSeries',
    description:
      "Changes a series and those of its occurrences that are scheduled, start later than now and were not changed on their own; its host or the community's owners and facilitators. Each changed occurrence's subscribers get an UPDATED event.",
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: UpdateLiveSeriesInput }) },
    resolve: (_query, _parent, { input }, ctx) =>
      updateLiveSeries(ctx, {
        ...input,
        liveSeriesId: parseGlobalId(String(input.liveSeriesId), 'LiveSeries', 'liveSeriesId'),
      }),
  }),
  cancelLiveSeries: t.drizzleField({
    type: 'liveSeries',
    description:
      "Cancels a series: each occurrence that is still SCHEDULED and starts later than now becomes CANCELLED, moved ones included, and its subscribers get a STATUS_CHANGED event. Occurrences that are live, ended or past their start stay as they are. Its host or the community's owners and facilitators.",
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ required: true, type: LiveSeriesIdInput }) },
    resolve: (_query, _parent, { input }, ctx) =>
      cancelLiveSeries(ctx, {
        liveSeriesId: parseGlobalId(String(input.liveSeriesId), 'LiveSeries', 'liveSeriesId'),
      }),
  }),
}));
