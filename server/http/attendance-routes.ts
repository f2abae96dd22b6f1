import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { tryParseGlobalId } from '../../schema/ids.ts';
import type { GraphQLContext } from '../../schema/index.ts';
import { AuthenticationError } from '../context.ts';
import {
  type AttendanceEntry,
  creditedMinutes,
  isoInstant,
  loadAttendanceReport,
  loadPdTranscript,
  measuredMinutes,
  minutesToHours,
  type PdTranscript,
} from '../services/attendance.ts';
import { toCsv } from './csv.ts';
import { type HttpRoute, type HttpRouteDeps, sendJson } from './route.ts';

const ATTENDANCE_PATH = /^\/live-sessions\/([^/]+)\/attendance\.csv$/;
export const PD_TRANSCRIPT_PATH = '/account/pd-transcript.csv';

const ATTENDANCE_HEADER = [
  'user_id',
  'display_name',
  'first_joined_at',
  'last_left_at',
  'measured_minutes',
  'adjusted_minutes',
  'credited_minutes',
  'adjustments',
];

const TRANSCRIPT_HEADER = [
  'community',
  'live_session',
  'date',
  'started_at',
  'ended_at',
  'time_zone',
  'credited_minutes',
  'credited_hours',
  'measured_minutes',
  'adjusted',
  'final',
];

/** Builds the attendance CSV: one row per person, the adjustments oldest first in one cell. */
export function attendanceCsv(entries: AttendanceEntry[]): string {
  return toCsv(
    ATTENDANCE_HEADER,
    entries.map((entry) => [
      encodeGlobalID('User', entry.userId),
      entry.displayName,
      isoInstant(entry.firstJoinedAt),
      entry.lastLeftAt === null ? null : isoInstant(entry.lastLeftAt),
      measuredMinutes(entry.secondsPresent),
      entry.adjustedMinutes,
      creditedMinutes(entry),
      entry.adjustments
        .map(
          (adjustment) =>
            `${isoInstant(adjustment.createdAt)} ${adjustment.adjustedByName ?? 'a deleted user'}: ${adjustment.minutesBefore} to ${adjustment.minutesAfter} minutes, ${adjustment.reason}`,
        )
        .join('\n'),
    ]),
  );
}

/** Builds the transcript CSV: one row per session, hours with one decimal. */
export function pdTranscriptCsv(transcript: PdTranscript): string {
  return toCsv(
    TRANSCRIPT_HEADER,
    transcript.entries.map((entry) => [
      entry.communityName,
      entry.title,
      entry.date,
      entry.startedAt,
      entry.endedAt,
      entry.timeZone,
      entry.creditedMinutes,
      minutesToHours(entry.creditedMinutes).toFixed(1),
      entry.measuredMinutes,
      entry.adjusted,
      entry.final,
    ]),
  );
}

function sendCsv(
  request: IncomingMessage,
  response: ServerResponse,
  body: string,
  filename: string,
): void {
  response.writeHead(200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${filename}"`,
    // The content depends on the requester, so no shared cache may keep it.
    'Cache-Control': 'private, no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Sends the 404 of an unknown address, so that the response does not reveal the report. */
function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
}

/** Decodes a percent-encoded path segment; a malformed one becomes an empty string. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/** Authenticates the request as /graphql does; null for a bearer token that is not valid. */
async function contextOf(
  routeDeps: HttpRouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<GraphQLContext | null> {
  try {
    return await routeDeps.contextFor(request, response);
  } catch (error) {
    if (error instanceof AuthenticationError) {
      return null;
    }
    throw error;
  }
}

/**
 * Attendance downloads. GET /live-sessions/<LiveSession global id>/attendance.csv is the
 * attendance report for the session's host and the community's owners and facilitators; anyone
 * else, signed out included, gets the 404 of an unknown address. GET /account/pd-transcript.csv
 * is the signed-in viewer's professional development transcript, 401 without a sign-in. Both
 * take a bearer token or the session cookie, as /graphql does.
 */
export function createAttendanceRoutes(routeDeps: HttpRouteDeps): HttpRoute {
  const { db } = routeDeps.deps;
  return async (request, response, url) => {
    const attendance = ATTENDANCE_PATH.exec(url.pathname);
    if (!attendance && url.pathname !== PD_TRANSCRIPT_PATH) {
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      sendJson(response, 405, { error: 'Use GET for CSV downloads.' });
      return true;
    }
    const context = await contextOf(routeDeps, request, response);

    if (attendance?.[1]) {
      const liveSessionId = tryParseGlobalId(decodePathSegment(attendance[1]), 'LiveSession');
      const report =
        context?.viewer && liveSessionId !== null
          ? await loadAttendanceReport(db, context.access, liveSessionId)
          : null;
      if (!report) {
        notFound(response);
        return true;
      }
      sendCsv(
        request,
        response,
        attendanceCsv(report.entries),
        `attendance-${report.liveSession.id}.csv`,
      );
      return true;
    }

    if (!context?.viewer) {
      sendJson(response, 401, { error: 'Sign in to download your transcript.' });
      return true;
    }
    const transcript = await loadPdTranscript(db, context.viewer.id);
    const date = new Date().toISOString().slice(0, 10);
    sendCsv(request, response, pdTranscriptCsv(transcript), `pd-transcript-${date}.csv`);
    return true;
  };
}
