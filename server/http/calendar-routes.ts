import type { ServerResponse } from 'node:http';
import { tryParseGlobalId } from '../../schema/ids.ts';
import { ViewerAccess } from '../auth/viewer-access.ts';
import { communityIcs, liveSessionIcs, personalIcs } from '../services/calendar.ts';
import { contextOrUnauthorized, type HttpRoute, type HttpRouteDeps, sendJson } from './route.ts';

const SESSION_PATH = /^\/calendar\/live-sessions\/([^/]+)\.ics$/;
const COMMUNITY_PATH = /^\/calendar\/communities\/([a-z0-9-]{1,64})\.ics$/;
const FEED_PATH = /^\/calendar\/feeds\/([\w-]{20,200})\.ics$/;

function sendCalendar(response: ServerResponse, body: string, filename: string): void {
  response
    .writeHead(200, {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': `inline; filename="${filename}"`,
      // The content depends on the requester, or on a secret address, so no shared cache keeps it.
      'Cache-Control': 'private, no-store',
    })
    .end(body);
}

function notFound(response: ServerResponse): void {
  sendJson(response, 404, { error: 'Calendar not found, or you do not have access to it.' });
}

/**
 * Calendar files of live sessions, valid iCalendar: GET /calendar/live-sessions/<id>.ics and
 * /calendar/communities/<slug>.ics for the requester's own access (signed out: public
 * communities), and /calendar/feeds/<token>.ics, a person's private feed, found by its secret
 * token alone, since calendar apps send no credentials.
 */
export function createCalendarRoutes(routeDeps: HttpRouteDeps): HttpRoute {
  const { db, accessBatcher } = routeDeps.deps;
  const publicUrl = routeDeps.config.publicUrl;
  return async (request, response, url) => {
    const session = SESSION_PATH.exec(url.pathname);
    const community = COMMUNITY_PATH.exec(url.pathname);
    const feed = FEED_PATH.exec(url.pathname);
    if (!session && !community && !feed) {
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      sendJson(response, 405, { error: 'Use GET for calendar files.' });
      return true;
    }
    if (feed?.[1]) {
      const body = await personalIcs(
        db,
        (viewer) => new ViewerAccess(accessBatcher, viewer),
        feed[1],
        publicUrl,
      );
      if (body === null) {
        notFound(response);
      } else {
        sendCalendar(response, body, 'staffroom.ics');
      }
      return true;
    }
    const context = await contextOrUnauthorized(routeDeps, request, response);
    if (!context) {
      return true;
    }
    const { access } = context;
    if (session?.[1]) {
      const id = tryParseGlobalId(decodeURIComponent(session[1]), 'LiveSession');
      const body = id === null ? null : await liveSessionIcs(db, access, id, publicUrl);
      if (body === null) {
        notFound(response);
      } else {
        sendCalendar(response, body, 'live-session.ics');
      }
      return true;
    }
    const body = community?.[1] ? await communityIcs(db, access, community[1], publicUrl) : null;
    if (body === null) {
      notFound(response);
    } else {
      sendCalendar(response, body, `${community?.[1]}.ics`);
    }
    return true;
  };
}
