import { encodeGlobalID } from '@pothos/plugin-relay';
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import ical, { ICalEventStatus } from 'ical-generator';
import type { Database } from '../../drizzle/db.ts';
import {
  calendarFeeds,
  communities,
  liveSessions,
  rsvps,
  users,
} from '../../drizzle/tables/index.ts';
import type { Viewer } from '../auth/access.ts';
import { createToken, hashToken } from '../auth/tokens.ts';
import type { ViewerAccess } from '../auth/viewer-access.ts';
import { requireViewer, type ServiceContext } from './context.ts';

export type LiveSessionRow = typeof liveSessions.$inferSelect;

/** How far back feeds reach, so that a calendar keeps recent sessions. */
const FEED_HISTORY_MS = 30 * 24 * 60 * 60 * 1000;

function pageUrl(publicUrl: string, liveSessionId: number): string {
  return `${publicUrl}/s/${encodeURIComponent(encodeGlobalID('LiveSession', liveSessionId))}`;
}

/**
 * Builds an iCalendar document of live sessions. Each session keeps one UID for good, and its
 * SEQUENCE grows with every change, so calendar apps replace the entry when a session moves or
 * is cancelled.
 */
export function liveSessionCalendar(
  name: string,
  sessions: (LiveSessionRow & { communityName: string })[],
  publicUrl: string,
): string {
  const host = new URL(publicUrl).hostname;
  const calendar = ical({ name, prodId: { company: 'Staffroom', product: 'Live sessions' } });
  for (const session of sessions) {
    calendar.createEvent({
      id: `live-session-${session.id}@${host}`,
      sequence: session.revision,
      start: new Date(session.startsAt),
      // Times are written in UTC, which every calendar app reads as the same instants; the
      // host's zone is named in the description.
      end: new Date(session.endsAt),
      summary: session.title,
      description: [
        session.description,
        `A live session of ${session.communityName}. The host's time zone is ${session.timeZone}.`,
        `Open it in Staffroom: ${pageUrl(publicUrl, session.id)}`,
      ]
        .filter(Boolean)
        .join('\n\n'),
      url: pageUrl(publicUrl, session.id),
      status:
        session.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      stamp: new Date(session.createdAt),
    });
  }
  return calendar.toString();
}

/** Loads sessions with their community's name, keeping those the access allows. */
async function readableSessions(
  db: Database,
  access: ViewerAccess,
  where: ReturnType<typeof and>,
): Promise<(LiveSessionRow & { communityName: string })[]> {
  const rows = await db
    .select({ session: liveSessions, communityName: communities.name })
    .from(liveSessions)
    .innerJoin(communities, eq(communities.id, liveSessions.communityId))
    .where(where)
    .orderBy(liveSessions.startsAt, liveSessions.id)
    .limit(500);
  const allowed = await Promise.all(rows.map((row) => access.canRead(row.session.communityId)));
  return rows
    .filter((_row, index) => allowed[index])
    .map((row) => ({ ...row.session, communityName: row.communityName }));
}

/** Builds the .ics of one live session; null when the access does not allow it. */
export async function liveSessionIcs(
  db: Database,
  access: ViewerAccess,
  liveSessionId: number,
  publicUrl: string,
): Promise<string | null> {
  const sessions = await readableSessions(db, access, and(eq(liveSessions.id, liveSessionId)));
  const session = sessions[0];
  return session ? liveSessionCalendar(session.title, sessions, publicUrl) : null;
}

/** Builds a community's feed of its sessions from 30 days ago on; null when the access does not allow it. */
export async function communityIcs(
  db: Database,
  access: ViewerAccess,
  slug: string,
  publicUrl: string,
): Promise<string | null> {
  const [community] = await db
    .select({ id: communities.id, name: communities.name })
    .from(communities)
    .where(eq(communities.slug, slug));
  if (!community || !(await access.canRead(community.id))) {
    return null;
  }
  const sessions = await readableSessions(
    db,
    access,
    and(
      eq(liveSessions.communityId, community.id),
      gte(liveSessions.endsAt, new Date(Date.now() - FEED_HISTORY_MS).toISOString()),
    ),
  );
  return liveSessionCalendar(community.name, sessions, publicUrl);
}

/**
 * Builds a person's feed, found by its secret token: the sessions with their GOING or MAYBE RSVP,
 * in communities they may still read. Null for an unknown or replaced token.
 */
export async function personalIcs(
  db: Database,
  accessFor: (viewer: Viewer) => ViewerAccess,
  token: string,
  publicUrl: string,
): Promise<string | null> {
  if (token.length < 20 || token.length > 200) {
    return null;
  }
  const [owner] = await db
    .select({ id: users.id, districtId: users.districtId, isPlatformAdmin: users.isPlatformAdmin })
    .from(calendarFeeds)
    .innerJoin(users, eq(users.id, calendarFeeds.userId))
    .where(eq(calendarFeeds.tokenHash, hashToken(token)));
  if (!owner) {
    return null;
  }
  const access = accessFor({
    id: owner.id,
    districtId: owner.districtId,
    isPlatformAdmin: owner.isPlatformAdmin,
    adminDistrictIds: [],
    scopes: ['read'],
  });
  const sessions = await readableSessions(
    db,
    access,
    and(
      gte(liveSessions.endsAt, new Date(Date.now() - FEED_HISTORY_MS).toISOString()),
      inArray(
        liveSessions.id,
        db
          .select({ id: rsvps.liveSessionId })
          .from(rsvps)
          .where(and(eq(rsvps.userId, owner.id), sql`${rsvps.status} in ('going', 'maybe')`)),
      ),
    ),
  );
  return liveSessionCalendar('My Staffroom sessions', sessions, publicUrl);
}

/**
 * Makes the viewer a new private feed address, replacing any earlier one, whose address stops
 * working. Returns the token, which is shown only now.
 */
export async function resetCalendarFeed(ctx: ServiceContext): Promise<string> {
  const viewer = requireViewer(ctx);
  const token = createToken();
  await ctx.db
    .insert(calendarFeeds)
    .values({ userId: viewer.id, tokenHash: hashToken(token) })
    .onConflictDoUpdate({
      target: calendarFeeds.userId,
      set: { tokenHash: hashToken(token), createdAt: sql`now()` },
    });
  return token;
}

/** Removes the viewer's private feed; its address stops working. Returns whether there was one. */
export async function revokeCalendarFeed(ctx: ServiceContext): Promise<boolean> {
  const viewer = requireViewer(ctx);
  const removed = await ctx.db
    .delete(calendarFeeds)
    .where(eq(calendarFeeds.userId, viewer.id))
    .returning({ userId: calendarFeeds.userId });
  return removed.length > 0;
}
