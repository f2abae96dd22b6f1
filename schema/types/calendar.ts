import { encodeGlobalID } from '@pothos/plugin-relay';
import { resetCalendarFeed, revokeCalendarFeed } from '../../server/services/calendar.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from '../errors.ts';

builder.drizzleObjectFields('liveSessions', (t) => ({
  calendarUrl: t.string({
    description:
      'Address of its .ics file, valid iCalendar; it answers whoever the request signs in as. Updates and cancellations keep the same UID.',
    resolve: (liveSession, _args, ctx) =>
      `${ctx.publicUrl}/calendar/live-sessions/${encodeURIComponent(encodeGlobalID('LiveSession', liveSession.id))}.ics`,
  }),
}));

builder.drizzleObjectFields('communities', (t) => ({
  calendarUrl: t.string({
    description:
      "Address of the community's calendar feed: its live sessions from 30 days ago on. Calendar apps send no sign-in, so for other than public communities use the personal feed.",
    resolve: (community, _args, ctx) =>
      `${ctx.publicUrl}/calendar/communities/${community.slug}.ics`,
  }),
}));

const CalendarFeed = builder.objectRef<{ url: string }>('CalendarFeed').implement({
  description: "The viewer's private calendar feed.",
  fields: (t) => ({
    url: t.exposeString('url', {
      description:
        'The secret address to subscribe to in a calendar app; shown only now. It lists the live sessions the viewer answered GOING or MAYBE.',
    }),
  }),
});

builder.mutationFields((t) => ({
  resetCalendarFeed: t.field({
    type: CalendarFeed,
    description:
      "Makes a new secret address for the viewer's calendar feed; any earlier address stops working.",
    errors: { types: COMMON_ERRORS },
    resolve: async (_parent, _args, ctx) => ({
      url: `${ctx.publicUrl}/calendar/feeds/${await resetCalendarFeed(ctx)}.ics`,
    }),
  }),
  revokeCalendarFeed: t.boolean({
    description:
      "Removes the viewer's calendar feed, so that its address stops working; false when there was none.",
    errors: { types: COMMON_ERRORS },
    resolve: (_parent, _args, ctx) => revokeCalendarFeed(ctx),
  }),
}));
