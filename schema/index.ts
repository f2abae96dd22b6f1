import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import { describeGeneratedParts } from './describe.ts';
import './errors.ts';
import './scalars.ts';
import './types/account.ts';
import './types/analytics.ts';
import './types/attendance.ts';
import './types/badge.ts';
import './types/badge-image.ts';
import './types/badge-rule.ts';
import './types/blocking.ts';
import './types/calendar.ts';
import './types/community.ts';
import './types/credential.ts';
import './types/district.ts';
import './types/embed.ts';
import './types/evidence.ts';
import './types/framework.ts';
import './types/follow.ts';
import './types/live-session.ts';
import './types/live-series.ts';
import './types/live-room.ts';
import './types/membership.ts';
import './types/moderation.ts';
import './types/notification.ts';
import './types/search.ts';
import './types/sso.ts';
import './types/thread.ts';
import './types/upload.ts';
import './types/upcoming.ts';
import './subscriptions/index.ts';

builder.queryType({
  description: 'Entry points for reading. Objects the viewer may not see read as null.',
});
builder.mutationType({
  description:
    'Entry points for changes. Most take one `input` and return their data or one of the typed errors that implement `Error`.',
});

export const schema = lexicographicSortSchema(describeGeneratedParts(builder.toSchema()));
export type { GraphQLContext } from './builder.ts';
