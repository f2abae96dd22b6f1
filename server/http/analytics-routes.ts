import type { IncomingMessage, ServerResponse } from 'node:http';
import { eq } from 'drizzle-orm';
import { districts } from '../../drizzle/tables/index.ts';
import { tryParseGlobalId } from '../../schema/ids.ts';
import { parseInstant } from '../../schema/scalars.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import {
  type AnalyticsFigures,
  type AnalyticsReport,
  loadCommunityAnalytics,
  loadDistrictAnalytics,
  PERIOD_FIGURES,
  TREND_FIGURES,
} from '../services/analytics.ts';
import { ANALYTICS_BUCKETS, type AnalyticsBucket } from '../services/analytics-period.ts';
import type { Figure } from '../services/analytics-suppression.ts';
import { type CsvCell, toCsv } from './csv.ts';
import { contextOrUnauthorized, type HttpRoute, type HttpRouteDeps, sendJson } from './route.ts';

const ANALYTICS_PATH = /^\/(communities|districts)\/([^/]+)\/analytics\.csv$/;

const HEADER = ['section', 'from', 'to', 'school', 'figure', 'value'];

/** Converts a figure's GraphQL name to its CSV label in snake_case. */
function figureLabel(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Writes a figure's value, or "fewer than N" when it is suppressed, as the dashboard shows it. */
export function figureCell(figure: Figure): CsvCell {
  return figure.suppressed ? `fewer than ${figure.lessThan}` : figure.value;
}

function periodRows(section: string, from: Date, to: Date, figures: AnalyticsFigures): CsvCell[][] {
  return PERIOD_FIGURES.map((name) => [
    section,
    from.toISOString(),
    to.toISOString(),
    null,
    figureLabel(name),
    figureCell(figures[name]),
  ]);
}

/**
 * Builds the CSV of a report, one row per figure: the period, the previous period, pending
 * reviews, each bucket of the trend, and for a district its staff and each school.
 */
export function analyticsCsv(report: AnalyticsReport): string {
  const { period } = report;
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  const rows: CsvCell[][] = [
    ...periodRows('period', period.from, period.to, report.current),
    ...periodRows('previous_period', period.previous.from, period.previous.to, report.previous),
    ['now', null, null, null, 'reviews_pending', figureCell(report.reviewsPending)],
  ];
  for (const point of report.trend) {
    for (const name of TREND_FIGURES) {
      rows.push([
        'trend',
        point.from.toISOString(),
        point.to.toISOString(),
        null,
        figureLabel(name),
        figureCell(point.figures[name]),
      ]);
    }
  }
  if (report.staff) {
    rows.push(['now', null, null, null, 'staff', figureCell(report.staff)]);
  }
  for (const school of report.bySchool) {
    const name = school.schoolName ?? 'No school';
    rows.push(['school', null, null, name, 'staff', figureCell(school.staff)]);
    for (const figure of TREND_FIGURES) {
      rows.push([
        'school',
        from,
        to,
        name,
        figureLabel(figure),
        figureCell(school.figures[figure]),
      ]);
    }
  }
  return toCsv(HEADER, rows);
}

/**
 * Reads the period from the query string. A missing or malformed instant or bucket is a
 * ValidationError naming the parameter; the period's own validation checks the rest.
 */
function periodOf(url: URL): { from: Date; to: Date; bucket: AnalyticsBucket } {
  const bucket = url.searchParams.get('bucket') ?? 'week';
  if (!(ANALYTICS_BUCKETS as readonly string[]).includes(bucket)) {
    throw ValidationError.of('period.bucket', `must be one of ${ANALYTICS_BUCKETS.join(', ')}`);
  }
  return {
    from: instantParameter(url, 'from'),
    to: instantParameter(url, 'to'),
    bucket: bucket as AnalyticsBucket,
  };
}

/**
 * Parses `from` or `to` by the rules of the DateTime scalar, as Community.analytics does. Other
 * formats, impossible dates and years outside 0001 to 9999 are rejected.
 */
function instantParameter(url: URL, name: 'from' | 'to'): Date {
  const value = url.searchParams.get(name);
  if (value === null) {
    throw ValidationError.of(`period.${name}`, 'must be a valid date and time');
  }
  try {
    return parseInstant(value);
  } catch (error) {
    throw ValidationError.of(`period.${name}`, (error as Error).message);
  }
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

/** Sends the status of an expected failure: 400, 403 or 404 with its message. */
function sendFailure(response: ServerResponse, error: unknown): boolean {
  if (error instanceof ValidationError) {
    sendJson(response, 400, { error: error.message });
  } else if (error instanceof ForbiddenError) {
    sendJson(response, 403, { error: error.message });
  } else if (error instanceof NotFoundError) {
    sendJson(response, 404, { error: error.message });
  } else {
    return false;
  }
  return true;
}

/**
 * Analytics downloads: GET /communities/<Community global id>/analytics.csv and
 * /districts/<District global id>/analytics.csv, with `from`, `to` (ISO 8601) and `bucket`
 * (day, week or month; week by default) in the query string. They serve the readers of
 * Community.analytics and District.analytics, signed in with a bearer token or the session
 * cookie as for /graphql. Other requests get 401 without a sign-in, 404 for an unknown or hidden
 * community or district, 403 for other people, and 400 for a bad period.
 */
export function createAnalyticsRoutes(routeDeps: HttpRouteDeps): HttpRoute {
  const { db } = routeDeps.deps;
  const minGroupSize = routeDeps.config.analyticsMinGroupSize;
  return async (request, response, url) => {
    const match = ANALYTICS_PATH.exec(url.pathname);
    if (!match) {
      return false;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      sendJson(response, 405, { error: 'Use GET for CSV downloads.' });
      return true;
    }
    const context = await contextOrUnauthorized(routeDeps, request, response);
    if (!context) {
      return true;
    }
    if (!context.viewer) {
      sendJson(response, 401, { error: 'Sign in to download analytics.' });
      return true;
    }
    const isCommunity = match[1] === 'communities';
    const rowId = tryParseGlobalId(
      decodeURIComponentOrEmpty(match[2] ?? ''),
      isCommunity ? 'Community' : 'District',
    );
    try {
      if (rowId === null) {
        throw new NotFoundError(`No ${isCommunity ? 'community' : 'district'} has this id.`);
      }
      const period = periodOf(url);
      let report: AnalyticsReport;
      if (isCommunity) {
        report = await loadCommunityAnalytics(context, rowId, period, minGroupSize);
      } else {
        const [district] = await db
          .select({ id: districts.id })
          .from(districts)
          .where(eq(districts.id, rowId));
        if (!district) {
          throw new NotFoundError(`District ${rowId} not found.`);
        }
        report = await loadDistrictAnalytics(context, rowId, period, minGroupSize);
      }
      const date = period.from.toISOString().slice(0, 10);
      sendCsv(
        request,
        response,
        analyticsCsv(report),
        `analytics-${match[1]}-${rowId}-${date}.csv`,
      );
    } catch (error) {
      if (!sendFailure(response, error)) {
        throw error;
      }
    }
    return true;
  };
}

function decodeURIComponentOrEmpty(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}
